import type { BlockBackend, IrqLine, IsaDmaController, PortHandler, WorkMeter } from '@plugboard/core';
import type { FloppyFormat } from './formats.js';
import {
  CMD_LOCK_BIT,
  CMD_MT,
  COMMAND_LENGTH,
  CONFIGURE_DEFAULT,
  DIR_DSKCHG,
  DOR_DMAGATE,
  DOR_NRESET,
  DOR_SELECT,
  DSR_RATE,
  DSR_SWRESET,
  FDC_DMA_CHANNEL,
  FDC_REG,
  FdcCommand,
  MSR_CB,
  MSR_DIO,
  MSR_RQM,
  PART_ID,
  PERPENDICULAR_OW,
  SECTOR_BYTES,
  SECTOR_SIZE_CODE,
  SPECIFY_ND,
  ST0_ABNORMAL,
  ST0_EQUIP_CHECK,
  ST0_INVALID,
  ST0_NOT_READY,
  ST0_READY_CHANGED,
  ST0_SEEK_END,
  ST1_END_OF_CYLINDER,
  ST1_MISSING_ADDRESS_MARK,
  ST1_NO_DATA,
  ST1_NOT_WRITABLE,
  ST3_READY,
  ST3_TRACK0,
  ST3_TWO_SIDED,
  ST3_WRITE_PROTECT,
  VERSION_82077,
} from './registers.js';

/** Drives a controller can select; a PC cables two. */
export const FDC_UNITS = 2;

/** A diskette in a drive: the image and the format its size gave. */
export interface FloppyMedia {
  readonly backend: BlockBackend;
  readonly format: FloppyFormat;
}

/** Where a drive's head is, and its disk change line. */
export interface FloppyDriveState {
  track: number;
  head: number;
  /** The sector under the head (READ ID's answer); moves on with every sector passed. */
  sector: number;
  /** DSKCHG: set at power-on and when the medium changes, cleared by a step with a disk in. */
  changed: boolean;
}

/** What the execution phase of a data command is doing. */
const XFER_NONE = 0;
const XFER_READ = 1;
const XFER_WRITE = 2;
const XFER_FORMAT = 3;

/** Host work per DMA service round: one sector, so a transfer advances with virtual time. */
const BYTES_PER_SERVICE = SECTOR_BYTES;

/** The controller's whole state, as plain data: what a snapshot saves and reset reloads. */
export function initialFdcState() {
  return {
    dor: 0,
    tdr: 0,
    /** DSR's precompensation and rate bits (CCR writes the rate too). */
    dsr: 0x02,
    /** The INT output before the DOR's DMAGATE. */
    interrupt: false,
    command: new Uint8Array(9),
    commandLength: 0,
    result: new Uint8Array(10),
    resultLength: 0,
    resultPos: 0,
    /** Sense interrupts a reset still owes, one per drive (4 down to 0). */
    resetSense: 0,
    /** ST0 of a finished seek or recalibrate, for SENSE INTERRUPT; -1 for none. */
    seekSt0: -1,
    /** SPECIFY's two bytes: SRT/HUT, HLT/ND. */
    specify: new Uint8Array(2),
    /** CONFIGURE's EIS/EFIFO/POLL/FIFOTHR byte and precompensation track. */
    config: CONFIGURE_DEFAULT,
    pretrk: 0,
    locked: false,
    /** PERPENDICULAR MODE's D3-D0 (bits 5-2), GAP and WGATE. */
    perpendicular: 0,
    drives: Array.from(
      { length: FDC_UNITS },
      (): FloppyDriveState => ({
        track: 0,
        head: 0,
        sector: 1,
        changed: true,
      }),
    ),
    xfer: {
      kind: XFER_NONE,
      drive: 0,
      /** The ID of the sector being moved: cylinder, head, record, size code. */
      c: 0,
      h: 0,
      r: 1,
      n: SECTOR_SIZE_CODE,
      eot: 0,
      multiTrack: false,
      /** Bytes of the current sector (or format ID field) already moved. */
      offset: 0,
      /** FORMAT TRACK: sectors still to format, and the filler byte. */
      left: 0,
      filler: 0,
    },
    /** The sector (or, formatting, the 4-byte ID field) in flight. */
    buffer: new Uint8Array(SECTOR_BYTES),
  };
}

export type FdcState = ReturnType<typeof initialFdcState>;

/**
 * An Intel 82077AA floppy disk controller in PC-AT mode with up to two
 * drives: the FIFO's command, execution and result phases, seeks that end at
 * once with an interrupt, and data transfers through ISA DMA (a sector per
 * service round). Sector IDs come from the image's geometry; an implied seek
 * moves the head to the command's cylinder, as on QEMU.
 */
export class I82077aa {
  readonly s: FdcState = initialFdcState();
  /** The diskettes, per unit; null for an empty drive or none. */
  readonly media: (FloppyMedia | null)[] = new Array(FDC_UNITS).fill(null);
  /** Units that have a drive on the cable. */
  readonly present: boolean[] = new Array(FDC_UNITS).fill(false);

  readonly ports: PortHandler = {
    read8: (offset) => this.read(offset),
    write8: (offset, value) => this.write(offset, value),
  };

  /** The board's DMA channels, once `connectDma` found them. */
  private dma: IsaDmaController | null = null;

  constructor(
    private readonly irq: IrqLine,
    private readonly work: WorkMeter,
    private readonly log: (message: string) => void = () => {},
  ) {}

  /** Takes DMA channel 2; the board's DMA exists once every plugin is built. */
  connectDma(dma: IsaDmaController): void {
    this.dma = dma;
    dma.connect(FDC_DMA_CHANNEL, (position, size) => this.transfer(position, size));
  }

  /** Hardware reset (RESET pin): every register to its power-on value, the controller held in reset by DOR. */
  reset(): void {
    const changed = this.s.drives.map((d) => d.changed);
    Object.assign(this.s, initialFdcState());
    // The change line is the drive's, not the controller's.
    changed.forEach((c, i) => {
      this.s.drives[i].changed = c;
    });
    this.updateLines();
  }

  /** A medium inserted or taken out: the drive raises its disk change line. */
  setMedia(unit: number, media: FloppyMedia | null): void {
    if (this.s.xfer.kind !== XFER_NONE && this.s.xfer.drive === unit)
      this.finish(ST0_ABNORMAL | ST0_NOT_READY, 0, 0);
    this.media[unit] = media;
    this.s.drives[unit].changed = true;
  }

  read(offset: number): number {
    const s = this.s;
    switch (offset) {
      case FDC_REG.SRA:
        return s.interrupt ? 0x80 : 0;
      case FDC_REG.SRB:
        return 0xc0;
      case FDC_REG.DOR:
        return s.dor;
      case FDC_REG.TDR:
        return s.tdr;
      case FDC_REG.MSR:
        return this.msr();
      case FDC_REG.FIFO:
        return this.readFifo();
      case FDC_REG.DIR: {
        const unit = s.dor & DOR_SELECT;
        return unit < FDC_UNITS && this.present[unit] && s.drives[unit].changed ? DIR_DSKCHG : 0;
      }
      default:
        return 0xff;
    }
  }

  write(offset: number, value: number): void {
    const s = this.s;
    value &= 0xff;
    switch (offset) {
      case FDC_REG.DOR:
        this.writeDor(value);
        break;
      case FDC_REG.TDR:
        s.tdr = value & 0x03;
        break;
      case FDC_REG.DSR:
        s.dsr = value & 0x7f;
        if (value & DSR_SWRESET) this.softReset();
        break;
      case FDC_REG.FIFO:
        this.writeFifo(value);
        break;
      case FDC_REG.CCR:
        s.dsr = (s.dsr & ~DSR_RATE) | (value & DSR_RATE);
        break;
    }
  }

  private msr(): number {
    const s = this.s;
    if (!(s.dor & DOR_NRESET)) return 0;
    if (s.xfer.kind !== XFER_NONE) return MSR_CB;
    if (s.resultPos < s.resultLength) return MSR_RQM | MSR_DIO | MSR_CB;
    return MSR_RQM | (s.commandLength > 0 ? MSR_CB : 0);
  }

  private writeDor(value: number): void {
    const s = this.s;
    const leavingReset = !(s.dor & DOR_NRESET) && value & DOR_NRESET;
    s.dor = value;
    if (!(value & DOR_NRESET)) this.clearPhases();
    else if (leavingReset) this.softReset();
    this.updateLines();
  }

  private clearPhases(): void {
    const s = this.s;
    s.commandLength = 0;
    s.resultLength = 0;
    s.resultPos = 0;
    s.xfer.kind = XFER_NONE;
    s.interrupt = false;
  }

  /**
   * The end of a reset (DOR or DSR): phases cleared, CONFIGURE's settings back
   * to their defaults unless locked, and an interrupt with one "ready changed"
   * sense answer per drive.
   */
  private softReset(): void {
    const s = this.s;
    this.clearPhases();
    s.seekSt0 = -1;
    if (!s.locked) {
      s.config = CONFIGURE_DEFAULT;
      s.pretrk = 0;
    }
    s.perpendicular &= 0x3c;
    s.resetSense = 4;
    this.raise();
  }

  private raise(): void {
    this.s.interrupt = true;
    this.updateLines();
  }

  private lower(): void {
    this.s.interrupt = false;
    this.updateLines();
  }

  /** In AT mode DMAGATE gates INT and DRQ. */
  private updateLines(): void {
    const s = this.s;
    const gate = (s.dor & DOR_DMAGATE) !== 0 && (s.dor & DOR_NRESET) !== 0;
    this.irq.set(gate && s.interrupt);
    this.dma?.setDreq(FDC_DMA_CHANNEL, gate && s.xfer.kind !== XFER_NONE);
  }

  private readFifo(): number {
    const s = this.s;
    if (s.resultPos >= s.resultLength) return 0xff;
    // Reading the first result byte clears the interrupt a command ended with.
    if (s.resultPos === 0 && s.interrupt) this.lower();
    const byte = s.result[s.resultPos++];
    if (s.resultPos === s.resultLength) {
      s.resultLength = 0;
      s.resultPos = 0;
    }
    return byte;
  }

  private writeFifo(value: number): void {
    const s = this.s;
    // Bytes written outside the command phase (results unread, a transfer running, in reset) are lost.
    if (!(s.dor & DOR_NRESET) || s.resultLength > 0 || s.xfer.kind !== XFER_NONE) return;
    if (s.commandLength === 0 && value !== FdcCommand.SENSE_INTERRUPT && s.interrupt) this.lower();
    s.command[s.commandLength++] = value;
    const wanted = COMMAND_LENGTH[s.command[0] & 0x1f] ?? 1;
    if (s.commandLength < wanted) return;
    s.commandLength = 0;
    this.execute();
  }

  private answer(...bytes: number[]): void {
    const s = this.s;
    for (let i = 0; i < bytes.length; i++) s.result[i] = bytes[i] & 0xff;
    s.resultLength = bytes.length;
    s.resultPos = 0;
  }

  private execute(): void {
    const s = this.s;
    const c = s.command;
    const unit = c[1] & 3;
    const head = (c[1] >> 2) & 1;
    switch (c[0] & 0x1f) {
      case FdcCommand.SPECIFY:
        s.specify[0] = c[1];
        s.specify[1] = c[2];
        return;
      case FdcCommand.SENSE_INTERRUPT:
        this.senseInterrupt();
        return;
      case FdcCommand.SENSE_DRIVE_STATUS:
        this.answer(this.st3(unit, head));
        return;
      case FdcCommand.RECALIBRATE:
        this.seek(unit, 0, 0);
        return;
      case FdcCommand.SEEK:
        this.seek(unit, head, c[2]);
        return;
      case FdcCommand.VERSION:
        this.answer(VERSION_82077);
        return;
      case FdcCommand.PART_ID:
        this.answer(PART_ID);
        return;
      case FdcCommand.CONFIGURE:
        s.config = c[2];
        s.pretrk = c[3];
        return;
      case FdcCommand.LOCK:
        s.locked = (c[0] & CMD_LOCK_BIT) !== 0;
        this.answer(s.locked ? 0x10 : 0);
        return;
      case FdcCommand.PERPENDICULAR:
        s.perpendicular = (c[1] & PERPENDICULAR_OW ? c[1] & 0x3c : s.perpendicular & 0x3c) | (c[1] & 0x03);
        return;
      case FdcCommand.DUMPREG: {
        const t = (u: number) => (u < FDC_UNITS ? s.drives[u].track : 0);
        this.answer(
          t(0),
          t(1),
          t(2),
          t(3),
          s.specify[0],
          s.specify[1],
          s.xfer.eot,
          (s.locked ? 0x80 : 0) | s.perpendicular,
          s.config,
          s.pretrk,
        );
        return;
      }
      case FdcCommand.READ_ID:
        this.readId(unit, head);
        return;
      case FdcCommand.READ_DATA:
      case FdcCommand.WRITE_DATA:
        this.startData(unit, head);
        return;
      case FdcCommand.FORMAT_TRACK:
        this.startFormat(unit, head);
        return;
      default:
        // An opcode the controller does not know: one result byte, no interrupt.
        this.answer(ST0_INVALID);
        return;
    }
  }

  private senseInterrupt(): void {
    const s = this.s;
    if (s.interrupt) this.lower();
    if (s.resetSense > 0) {
      const unit = 4 - s.resetSense--;
      this.answer(ST0_READY_CHANGED | unit, unit < FDC_UNITS ? s.drives[unit].track : 0);
      return;
    }
    if (s.seekSt0 >= 0) {
      const st0 = s.seekSt0;
      const unit = st0 & 3;
      s.seekSt0 = -1;
      this.answer(st0, unit < FDC_UNITS ? s.drives[unit].track : 0);
      return;
    }
    this.answer(ST0_INVALID);
  }

  private st3(unit: number, head: number): number {
    let st3 = ST3_READY | ST3_TWO_SIDED | (head << 2) | unit;
    if (unit < FDC_UNITS && this.present[unit]) {
      if (this.s.drives[unit].track === 0) st3 |= ST3_TRACK0;
      if (this.media[unit]?.backend.readOnly ?? false) st3 |= ST3_WRITE_PROTECT;
    }
    return st3;
  }

  /** SEEK and RECALIBRATE end at once; a missing drive never finds track 0. */
  private seek(unit: number, head: number, track: number): void {
    const s = this.s;
    s.resetSense = 0;
    if (unit >= FDC_UNITS || !this.present[unit]) {
      s.seekSt0 = ST0_ABNORMAL | ST0_SEEK_END | ST0_EQUIP_CHECK | (head << 2) | unit;
    } else {
      this.stepTo(unit, track);
      s.drives[unit].head = head;
      s.seekSt0 = ST0_SEEK_END | (head << 2) | unit;
    }
    this.raise();
  }

  /** Moves the head; a step with a diskette in resets its change line. */
  private stepTo(unit: number, track: number): void {
    const d = this.s.drives[unit];
    if (d.track !== track && this.media[unit]) d.changed = false;
    d.track = track;
  }

  /** Why a drive cannot read or write at the current data rate, as ST0/ST1; null when it can. */
  private driveError(unit: number, head: number): { st0: number; st1: number } | null {
    const base = (head << 2) | unit;
    if (unit >= FDC_UNITS || !this.present[unit] || !this.media[unit])
      return { st0: ST0_ABNORMAL | ST0_NOT_READY | base, st1: 0 };
    if ((this.s.dsr & DSR_RATE) !== this.media[unit].format.rate)
      return { st0: ST0_ABNORMAL | base, st1: ST1_MISSING_ADDRESS_MARK };
    return null;
  }

  private readId(unit: number, head: number): void {
    const err = this.driveError(unit, head);
    const d = unit < FDC_UNITS ? this.s.drives[unit] : null;
    if (err || !d) {
      const st0 = err?.st0 ?? ST0_ABNORMAL | ST0_NOT_READY | unit;
      this.complete(st0, err?.st1 ?? 0, 0, d?.track ?? 0, head, 1, SECTOR_SIZE_CODE);
      return;
    }
    const format = this.media[unit]!.format;
    if (head >= format.heads) {
      this.complete(
        ST0_ABNORMAL | (head << 2) | unit,
        ST1_MISSING_ADDRESS_MARK,
        0,
        d.track,
        head,
        1,
        SECTOR_SIZE_CODE,
      );
      return;
    }
    d.head = head;
    if (d.sector < 1 || d.sector > format.sectors) d.sector = 1;
    this.complete((head << 2) | unit, 0, 0, d.track, head, d.sector, SECTOR_SIZE_CODE);
  }

  /** READ DATA / WRITE DATA: C H R N EOT GPL DTL; the execution phase runs in `transfer`. */
  private startData(unit: number, head: number): void {
    const s = this.s;
    const c = s.command;
    const write = (c[0] & 0x1f) === FdcCommand.WRITE_DATA;
    const x = s.xfer;
    x.drive = unit;
    x.c = c[2];
    x.h = c[3];
    x.r = c[4];
    x.n = c[5];
    x.eot = c[6];
    x.multiTrack = (c[0] & CMD_MT) !== 0;
    x.offset = 0;
    const err = this.driveError(unit, head);
    if (err) {
      this.complete(err.st0, err.st1, 0, x.c, x.h, x.r, x.n);
      return;
    }
    if (s.specify[1] & SPECIFY_ND) {
      this.log('non-DMA transfers are not emulated; the command ends with an overrun');
      this.complete(ST0_ABNORMAL | (head << 2) | unit, 0x10, 0, x.c, x.h, x.r, x.n);
      return;
    }
    if (write && this.media[unit]!.backend.readOnly) {
      this.complete(ST0_ABNORMAL | (head << 2) | unit, ST1_NOT_WRITABLE, 0, x.c, x.h, x.r, x.n);
      return;
    }
    // The implied seek: the head goes to the command's cylinder and side.
    this.stepTo(unit, x.c);
    s.drives[unit].head = head;
    x.kind = write ? XFER_WRITE : XFER_READ;
    this.updateLines();
  }

  /** FORMAT TRACK: N SC GPL D; the DMA then supplies C H R N for each of the SC sectors. */
  private startFormat(unit: number, head: number): void {
    const s = this.s;
    const c = s.command;
    const x = s.xfer;
    x.drive = unit;
    x.c = s.drives[Math.min(unit, FDC_UNITS - 1)].track;
    x.h = head;
    x.r = 1;
    x.n = c[2];
    x.eot = c[3];
    x.left = c[3];
    x.filler = c[5];
    x.multiTrack = false;
    x.offset = 0;
    const err = this.driveError(unit, head);
    let st0 = 0;
    let st1 = 0;
    if (err) ({ st0, st1 } = err);
    else if (this.media[unit]!.backend.readOnly) {
      st0 = ST0_ABNORMAL | (head << 2) | unit;
      st1 = ST1_NOT_WRITABLE;
    } else if (s.specify[1] & SPECIFY_ND || x.left === 0) st0 = ST0_ABNORMAL | (head << 2) | unit;
    if (st0) {
      this.complete(st0, st1, 0, x.c, x.h, x.r, x.n);
      return;
    }
    s.drives[unit].head = head;
    x.kind = XFER_FORMAT;
    this.updateLines();
  }

  /** The end of a command: the result phase with its seven bytes, and an interrupt. */
  private complete(st0: number, st1: number, st2: number, c: number, h: number, r: number, n: number): void {
    this.s.xfer.kind = XFER_NONE;
    this.answer(st0, st1, st2, c, h, r, n);
    this.raise();
  }

  private finish(st0Bits: number, st1: number, st2: number): void {
    const x = this.s.xfer;
    const head = this.s.drives[Math.min(x.drive, FDC_UNITS - 1)].head;
    this.complete(st0Bits | (head << 2) | x.drive, st1, st2, x.c, x.h, x.r, x.n);
  }

  /**
   * The image sector of the ID (C, H, R, N) on the drive's current head, or
   * -1 where no such sector passes under it: a sector ID has the head's
   * cylinder and side, a record number 1 to the track's last and 512 bytes.
   */
  private locate(unit: number, c: number, h: number, r: number, n: number): number {
    const media = this.media[unit];
    const d = this.s.drives[unit];
    if (!media) return -1;
    const f = media.format;
    if (c !== d.track || h !== d.head || d.head >= f.heads || c >= f.tracks) return -1;
    if (n !== SECTOR_SIZE_CODE || r < 1 || r > f.sectors) return -1;
    const lba = (c * f.heads + h) * f.sectors + r - 1;
    return lba < media.backend.sectorCount ? lba : -1;
  }

  /**
   * The DMA side of READ DATA, WRITE DATA and FORMAT TRACK: moves at most a
   * sector per call. Terminal count ends the command normally (the sector
   * under way completes); running past EOT without it ends it with "end of
   * cylinder", as on a PC, where TC is the only normal end.
   */
  private transfer(position: number, size: number): number {
    const s = this.s;
    const x = s.xfer;
    if (x.kind === XFER_NONE) {
      this.updateLines();
      return position;
    }
    const start = position;
    try {
      if (x.kind === XFER_FORMAT) position = this.formatStep(position, size);
      else position = this.dataStep(position, size);
    } catch (err) {
      // An image that fails to read or write: the sector reads as bad.
      this.log(`drive ${x.drive}: ${err instanceof Error ? err.message : String(err)}`);
      this.finish(ST0_ABNORMAL, ST1_NO_DATA, 0);
    }
    this.work.charge(position - start);
    if (s.xfer.kind === XFER_NONE) this.updateLines();
    return position;
  }

  private dataStep(position: number, size: number): number {
    const x = this.s.xfer;
    const unit = x.drive;
    const lba = this.locate(unit, x.c, x.h, x.r, x.n);
    if (lba < 0) {
      this.finish(ST0_ABNORMAL, ST1_NO_DATA, 0);
      return position;
    }
    const media = this.media[unit]!;
    const buf = this.s.buffer;
    if (x.kind === XFER_READ && x.offset === 0) media.backend.read(lba, buf);
    const n = Math.min(SECTOR_BYTES - x.offset, size - position, BYTES_PER_SERVICE);
    if (x.kind === XFER_READ) this.dma!.writeMemory(FDC_DMA_CHANNEL, position, buf, x.offset, n);
    else this.dma!.readMemory(FDC_DMA_CHANNEL, position, buf, x.offset, n);
    position += n;
    x.offset += n;
    const tc = position >= size;
    if (x.offset < SECTOR_BYTES && !tc) return position;
    // TC inside a sector: the controller finishes the sector without the bus (writes pad with zeros).
    if (x.kind === XFER_WRITE) {
      buf.fill(0, x.offset);
      media.backend.write(lba, buf);
    }
    x.offset = 0;
    const wrapped = this.nextSector();
    if (tc) this.finish(0, 0, 0);
    else if (wrapped) this.finish(ST0_ABNORMAL, ST1_END_OF_CYLINDER, 0);
    return position;
  }

  /**
   * The ID of the sector after the one just done, as the result phase
   * reports it; true when the command ran off its last sector (EOT).
   */
  private nextSector(): boolean {
    const x = this.s.xfer;
    const d = this.s.drives[x.drive];
    d.sector = x.r;
    if (x.r !== x.eot) {
      x.r = (x.r + 1) & 0xff;
      return false;
    }
    x.r = 1;
    if (x.multiTrack && (x.h & 1) === 0) {
      x.h ^= 1;
      d.head = 1;
      // The second side is on the same cylinder: no wrap yet.
      return this.media[x.drive]!.format.heads < 2;
    }
    if (x.multiTrack) x.h ^= 1;
    x.c = (x.c + 1) & 0xff;
    return true;
  }

  /** FORMAT TRACK: each 4-byte ID field from the DMA writes its sector full of the filler byte. */
  private formatStep(position: number, size: number): number {
    const x = this.s.xfer;
    const buf = this.s.buffer;
    const n = Math.min(4 - x.offset, size - position);
    this.dma!.readMemory(FDC_DMA_CHANNEL, position, buf, x.offset, n);
    position += n;
    x.offset += n;
    if (x.offset < 4) {
      if (position >= size) this.finish(ST0_ABNORMAL, 0, 0);
      return position;
    }
    x.offset = 0;
    const [c, h, r, sizeCode] = buf;
    x.c = c;
    x.h = h;
    x.r = r;
    x.n = sizeCode;
    const lba = this.locate(x.drive, c, h, r, sizeCode);
    if (lba < 0) {
      this.finish(ST0_ABNORMAL, ST1_NO_DATA, 0);
      return position;
    }
    buf.fill(x.filler);
    this.media[x.drive]!.backend.write(lba, buf);
    x.left--;
    if (x.left === 0) this.finish(0, 0, 0);
    else if (position >= size) this.finish(ST0_ABNORMAL, 0, 0);
    return position;
  }
}
