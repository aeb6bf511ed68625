import { type BlockBackend, BlockError } from '@plugboard/core';
import type { BusMaster } from './bus-master.js';
import {
  BUFFER_SIZE,
  DMA_DEVICE_ERROR,
  DMA_DONE,
  DMA_FAULT,
  DMA_MORE,
  DMA_SHORT,
  type IdeBus,
  IdeDevice,
  PIO_NONE,
} from './ide-device.js';
import { identifyPacketDevice } from './identify.js';
import {
  ASC_INVALID_COMMAND_OPERATION_CODE,
  ASC_INVALID_FIELD_IN_CDB,
  ASC_LOGICAL_BLOCK_OUT_OF_RANGE,
  ASC_MEDIUM_MAY_HAVE_CHANGED,
  ASC_MEDIUM_NOT_PRESENT,
  ASC_MEDIUM_REMOVAL_PREVENTED,
  ASC_SAVING_PARAMETERS_NOT_SUPPORTED,
  ASC_UNRECOVERED_READ_ERROR,
  CMD_DEVICE_RESET,
  CMD_IDENTIFY_DEVICE,
  CMD_IDENTIFY_PACKET_DEVICE,
  CMD_PACKET,
  CMD_READ_SECTORS,
  FEATURES,
  FEATURES_DMA,
  GPCMD_GET_CONFIGURATION,
  GPCMD_GET_EVENT_STATUS_NOTIFICATION,
  GPCMD_INQUIRY,
  GPCMD_MECHANISM_STATUS,
  GPCMD_MODE_SENSE_6,
  GPCMD_MODE_SENSE_10,
  GPCMD_PREVENT_ALLOW_MEDIUM_REMOVAL,
  GPCMD_READ_10,
  GPCMD_READ_12,
  GPCMD_READ_CAPACITY,
  GPCMD_READ_CD,
  GPCMD_READ_DISC_INFORMATION,
  GPCMD_READ_TOC_PMA_ATIP,
  GPCMD_REQUEST_SENSE,
  GPCMD_SEEK_10,
  GPCMD_SET_CD_SPEED,
  GPCMD_START_STOP_UNIT,
  GPCMD_TEST_UNIT_READY,
  LBA_HIGH,
  LBA_MID,
  REASON_COD,
  REASON_IO,
  SECTOR_COUNT,
  SENSE_ABORTED_COMMAND,
  SENSE_ILLEGAL_REQUEST,
  SENSE_MEDIUM_ERROR,
  SENSE_NONE,
  SENSE_NOT_READY,
  SENSE_UNIT_ATTENTION,
  STATUS_DRDY,
  STATUS_DRQ,
  STATUS_DSC,
  STATUS_ERR,
} from './registers.js';

const BLOCK = 2048;
const PACKET_SIZE = 12;
/** An 80-minute CD: larger images are presented as DVD-ROM media. */
const CD_MAX_BLOCKS = 80 * 60 * 75;

/** GET EVENT STATUS NOTIFICATION media event codes (MMC-3 table 112). */
const MEDIA_EVENT_NONE = 0;
const MEDIA_EVENT_NEW_MEDIA = 2;
const MEDIA_EVENT_MEDIA_REMOVAL = 3;

/** What the PIO buffer is carrying. */
const PHASE_NONE = 0;
const PHASE_PACKET = 1;
const PHASE_DATA = 2;

export interface CdromOptions {
  model: string;
  serial: string;
  firmware: string;
  log: (message: string) => void;
}

function be16(b: Uint8Array, at: number, v: number): void {
  b[at] = (v >>> 8) & 0xff;
  b[at + 1] = v & 0xff;
}

function be32(b: Uint8Array, at: number, v: number): void {
  be16(b, at, v >>> 16);
  be16(b, at + 2, v & 0xffff);
}

function readBe16(b: Uint8Array, at: number): number {
  return (b[at] << 8) | b[at + 1];
}

function readBe32(b: Uint8Array, at: number): number {
  return ((readBe16(b, at) << 16) | readBe16(b, at + 2)) >>> 0;
}

function putAscii(b: Uint8Array, at: number, length: number, text: string): void {
  const padded = text.padEnd(length, ' ');
  for (let i = 0; i < length; i++) b[at + i] = padded.charCodeAt(i) & 0x7f;
}

/**
 * An ATAPI CD/DVD-ROM drive (SFF-8020i packet protocol, MMC-3 commands)
 * over a BlockBackend of 2048-byte sectors, or of 512-byte sectors read
 * four at a time. The tray may be empty; `changeMedia` is the monitor's
 * `change`/`eject`.
 */
export class AtapiCdrom extends IdeDevice {
  media: BlockBackend | null = null;
  /** Capacity in 2048-byte blocks. */
  blocks = 0;
  trayOpen = false;
  locked = false;
  senseKey = SENSE_NONE;
  asc = 0;
  ascq = 0;
  private unitAttention = false;
  private mediaEvent = MEDIA_EVENT_NONE;

  private readonly cdb = new Uint8Array(PACKET_SIZE);
  private readonly reply = new Uint8Array(256);
  private phase = PHASE_NONE;
  private useDma = false;
  private byteCountLimit = 0;
  private bytesLeft = 0;
  private replyPos = 0;
  private streaming = false;
  private readLba = 0;
  private readonly cache = new Uint8Array(BLOCK);
  private cacheIndex = BLOCK;

  constructor(
    bus: IdeBus,
    unit: 0 | 1,
    media: BlockBackend | null,
    private readonly options: CdromOptions,
  ) {
    super(bus, unit);
    this.insert(media);
  }

  override get present(): boolean {
    return true;
  }

  get mediaPresent(): boolean {
    return this.media !== null && !this.trayOpen;
  }

  override describe(): string {
    const state = this.media ? `${this.blocks} blocks` : 'no media';
    return `cdrom, ${state}${this.trayOpen ? ', tray open' : ''}${this.locked ? ', locked' : ''}, ${this.options.model}`;
  }

  /** The monitor's `change` (a backend) or `eject` (null): new media raise UNIT ATTENTION. */
  changeMedia(backend: BlockBackend | null): void {
    const had = this.media !== null;
    this.insert(backend);
    this.stopTransferIfReading();
    if (backend) {
      this.trayOpen = false;
      this.unitAttention = true;
      this.mediaEvent = MEDIA_EVENT_NEW_MEDIA;
    } else if (had) {
      this.mediaEvent = MEDIA_EVENT_MEDIA_REMOVAL;
    }
  }

  private insert(backend: BlockBackend | null): void {
    if (backend && backend.sectorSize !== BLOCK && backend.sectorSize !== 512) {
      throw new Error(`a CD-ROM needs 2048- or 512-byte sectors, not ${backend.sectorSize}`);
    }
    this.media = backend;
    this.blocks = backend ? Math.floor((backend.sectorCount * backend.sectorSize) / BLOCK) : 0;
  }

  private stopTransferIfReading(): void {
    if (this.streaming && this.bytesLeft > 0) this.checkCondition(SENSE_NOT_READY, ASC_MEDIUM_NOT_PRESENT, 0);
  }

  override reset(): void {
    this.trayOpen = false;
    this.locked = false;
    this.unitAttention = false;
    this.mediaEvent = MEDIA_EVENT_NONE;
    this.setSense(SENSE_NONE, 0, 0);
    super.reset();
  }

  override stopTransfer(): void {
    super.stopTransfer();
    this.phase = PHASE_NONE;
    this.bytesLeft = 0;
    this.streaming = false;
  }

  protected override readyStatus(): number {
    return 0;
  }

  override setSignature(): void {
    super.setSignature();
    this.regs[LBA_MID] = 0x14;
    this.regs[LBA_HIGH] = 0xeb;
  }

  protected override mayInterrupt(command: number): boolean {
    return command === CMD_DEVICE_RESET;
  }

  protected override executeCommand(command: number): boolean {
    switch (command) {
      case CMD_PACKET:
        this.useDma = (this.regs[FEATURES] & FEATURES_DMA) !== 0;
        this.byteCountLimit = this.regs[LBA_MID] | (this.regs[LBA_HIGH] << 8);
        this.startPioOut(PACKET_SIZE, false);
        this.phase = PHASE_PACKET;
        this.regs[SECTOR_COUNT] = (this.regs[SECTOR_COUNT] & 0xf8) | REASON_COD;
        return true;
      case CMD_IDENTIFY_PACKET_DEVICE:
        identifyPacketDevice(
          {
            model: this.options.model,
            serial: this.options.serial,
            firmware: this.options.firmware,
            dmaMode: this.dmaMode,
          },
          this.buffer,
        );
        this.startPioIn(512, true);
        return true;
      case CMD_DEVICE_RESET:
        this.resetProtocol();
        return true;
      case CMD_IDENTIFY_DEVICE:
      case CMD_READ_SECTORS:
        // A packet device answers with its signature, which is how drivers find out what it is.
        this.setSignature();
        this.abort();
        return true;
    }
    return false;
  }

  protected override pioDone(): void {
    if (this.phase === PHASE_PACKET) {
      this.cdb.set(this.buffer.subarray(0, PACKET_SIZE));
      this.phase = PHASE_NONE;
      this.pio = PIO_NONE;
      this.packet();
    } else if (this.phase === PHASE_DATA && this.bytesLeft > 0) {
      this.sendPioBlock();
    } else if (this.phase === PHASE_DATA) {
      this.ok();
    } else {
      super.pioDone();
    }
  }

  // ---- Completion -------------------------------------------------------

  private setSense(key: number, asc: number, ascq: number): void {
    this.senseKey = key;
    this.asc = asc;
    this.ascq = ascq;
  }

  private ok(): void {
    this.stopTransfer();
    this.error = 0;
    this.status = STATUS_DRDY | STATUS_DSC;
    this.regs[SECTOR_COUNT] = (this.regs[SECTOR_COUNT] & 0xf8) | REASON_IO | REASON_COD;
    this.bus.raiseIrq();
  }

  /** Ends the command with CHECK CONDITION; the sense key also goes to the Error register. */
  private checkCondition(key: number, asc: number, ascq: number): void {
    this.stopTransfer();
    this.setSense(key, asc, ascq);
    this.error = key << 4;
    this.status = STATUS_DRDY | STATUS_ERR;
    this.regs[SECTOR_COUNT] = (this.regs[SECTOR_COUNT] & 0xf8) | REASON_IO | REASON_COD;
    this.bus.raiseIrq();
  }

  private invalidField(): void {
    this.checkCondition(SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD_IN_CDB, 0);
  }

  /** Fails the command with NOT READY when there is no medium to work on. */
  private needMedia(): boolean {
    if (this.mediaPresent) return true;
    this.checkCondition(SENSE_NOT_READY, ASC_MEDIUM_NOT_PRESENT, this.trayOpen ? 0x02 : 0x01);
    return false;
  }

  // ---- Data-in phase ----------------------------------------------------

  /** Returns `length` bytes of `reply`, cut to the CDB's allocation length. */
  private sendReply(length: number, allocation: number): void {
    this.streaming = false;
    this.replyPos = 0;
    this.startData(Math.min(length, allocation));
  }

  private startRead(lba: number, count: number): void {
    if (lba + count > this.blocks) {
      this.checkCondition(SENSE_ILLEGAL_REQUEST, ASC_LOGICAL_BLOCK_OUT_OF_RANGE, 0);
      return;
    }
    this.streaming = true;
    this.readLba = lba;
    this.cacheIndex = BLOCK;
    this.startData(count * BLOCK);
  }

  private startData(bytes: number): void {
    this.bytesLeft = bytes;
    if (bytes === 0) {
      this.ok();
    } else if (this.useDma) {
      this.dmaPending = true;
      this.status = STATUS_DRDY | STATUS_DSC | STATUS_DRQ;
      this.bus.requestDma();
    } else {
      this.sendPioBlock();
    }
  }

  /** One DRQ block of at most the byte count limit the host put in LBA Mid/High. */
  private sendPioBlock(): void {
    let limit = this.byteCountLimit;
    if (limit === 0 || limit === 0xffff) limit = 0xfffe;
    let n = this.bytesLeft;
    // Only the last block may be odd-sized.
    if (n > limit) n = limit & ~1;
    if (!this.produce(this.buffer, 0, n)) return;
    this.bytesLeft -= n;
    this.regs[LBA_MID] = n & 0xff;
    this.regs[LBA_HIGH] = n >>> 8;
    this.regs[SECTOR_COUNT] = (this.regs[SECTOR_COUNT] & 0xf8) | REASON_IO;
    this.startPioIn(n, true);
    this.phase = PHASE_DATA;
  }

  /** Fills dest with the next `n` bytes of the reply or the medium; on a read error ends the command. */
  private produce(dest: Uint8Array, offset: number, n: number): boolean {
    if (!this.streaming) {
      const reply = this.reply;
      const from = this.replyPos;
      for (let i = 0; i < n; i++) dest[offset + i] = reply[from + i];
      this.replyPos = from + n;
      return true;
    }
    let done = 0;
    while (done < n) {
      if (this.cacheIndex === BLOCK) {
        const whole = Math.floor((n - done) / BLOCK);
        if (whole > 0) {
          if (
            !this.readBlocks(this.readLba, whole, dest.subarray(offset + done, offset + done + whole * BLOCK))
          ) {
            return false;
          }
          this.readLba += whole;
          done += whole * BLOCK;
          continue;
        }
        if (!this.readBlocks(this.readLba, 1, this.cache)) return false;
        this.readLba++;
        this.cacheIndex = 0;
      }
      const k = Math.min(BLOCK - this.cacheIndex, n - done);
      dest.set(this.cache.subarray(this.cacheIndex, this.cacheIndex + k), offset + done);
      this.cacheIndex += k;
      done += k;
    }
    return true;
  }

  private readBlocks(lba: number, _count: number, dest: Uint8Array): boolean {
    const media = this.media;
    if (!media || this.trayOpen) {
      this.checkCondition(SENSE_NOT_READY, ASC_MEDIUM_NOT_PRESENT, 0);
      return false;
    }
    const ratio = BLOCK / media.sectorSize;
    try {
      media.read(lba * ratio, dest);
      return true;
    } catch (err) {
      this.options.log(`ATAPI read of block ${lba}: ${err instanceof Error ? err.message : String(err)}`);
      if (err instanceof BlockError && err.kind === 'range') {
        this.checkCondition(SENSE_ILLEGAL_REQUEST, ASC_LOGICAL_BLOCK_OUT_OF_RANGE, 0);
      } else {
        this.checkCondition(SENSE_MEDIUM_ERROR, ASC_UNRECOVERED_READ_ERROR, 0);
      }
      return false;
    }
  }

  /** A step of the transfer: buffers of `BUFFER_SIZE` bytes until `limit` bytes moved. */
  override runDma(bm: BusMaster, limit: number): number {
    for (let done = 0; this.bytesLeft > 0; done += BUFFER_SIZE) {
      if (done >= limit) return DMA_MORE;
      const n = Math.min(this.bytesLeft, BUFFER_SIZE);
      if (!this.produce(this.buffer, 0, n)) return DMA_DEVICE_ERROR;
      const moved = bm.transfer(this.buffer, 0, n, true);
      if (bm.fault) {
        this.checkCondition(SENSE_ABORTED_COMMAND, 0, 0);
        return DMA_FAULT;
      }
      if (moved < n) {
        super.stopTransfer();
        this.phase = PHASE_NONE;
        this.status = STATUS_DRDY | STATUS_DSC;
        return DMA_SHORT;
      }
      this.bytesLeft -= n;
    }
    this.ok();
    return DMA_DONE;
  }

  // ---- Packet commands --------------------------------------------------

  private packet(): void {
    const cdb = this.cdb;
    const op = cdb[0];
    if (
      this.unitAttention &&
      op !== GPCMD_INQUIRY &&
      op !== GPCMD_REQUEST_SENSE &&
      op !== GPCMD_GET_CONFIGURATION &&
      op !== GPCMD_GET_EVENT_STATUS_NOTIFICATION
    ) {
      this.unitAttention = false;
      this.checkCondition(SENSE_UNIT_ATTENTION, ASC_MEDIUM_MAY_HAVE_CHANGED, 0);
      return;
    }
    switch (op) {
      case GPCMD_TEST_UNIT_READY:
        if (this.needMedia()) this.ok();
        return;
      case GPCMD_REQUEST_SENSE:
        this.requestSense();
        return;
      case GPCMD_INQUIRY:
        this.inquiry();
        return;
      case GPCMD_READ_CAPACITY:
        if (!this.needMedia()) return;
        this.reply.fill(0, 0, 8);
        be32(this.reply, 0, this.blocks - 1);
        be32(this.reply, 4, BLOCK);
        this.sendReply(8, 8);
        return;
      case GPCMD_READ_10:
        if (this.needMedia()) this.startRead(readBe32(cdb, 2), readBe16(cdb, 7));
        return;
      case GPCMD_READ_12:
        if (this.needMedia()) this.startRead(readBe32(cdb, 2), readBe32(cdb, 6));
        return;
      case GPCMD_READ_CD:
        this.readCd();
        return;
      case GPCMD_SEEK_10:
        if (!this.needMedia()) return;
        if (readBe32(cdb, 2) >= this.blocks)
          this.checkCondition(SENSE_ILLEGAL_REQUEST, ASC_LOGICAL_BLOCK_OUT_OF_RANGE, 0);
        else this.ok();
        return;
      case GPCMD_READ_TOC_PMA_ATIP:
        this.readToc();
        return;
      case GPCMD_MODE_SENSE_6:
      case GPCMD_MODE_SENSE_10:
        this.modeSense(op === GPCMD_MODE_SENSE_10);
        return;
      case GPCMD_GET_CONFIGURATION:
        this.getConfiguration();
        return;
      case GPCMD_GET_EVENT_STATUS_NOTIFICATION:
        this.getEventStatusNotification();
        return;
      case GPCMD_START_STOP_UNIT:
        this.startStopUnit();
        return;
      case GPCMD_PREVENT_ALLOW_MEDIUM_REMOVAL:
        this.locked = (cdb[4] & 1) !== 0;
        this.ok();
        return;
      case GPCMD_MECHANISM_STATUS:
        this.reply.fill(0, 0, 8);
        this.reply[1] = this.trayOpen ? 0x10 : 0;
        this.sendReply(8, readBe16(cdb, 8));
        return;
      case GPCMD_SET_CD_SPEED:
        this.ok();
        return;
      case GPCMD_READ_DISC_INFORMATION:
        this.readDiscInformation();
        return;
      default:
        this.checkCondition(SENSE_ILLEGAL_REQUEST, ASC_INVALID_COMMAND_OPERATION_CODE, 0);
    }
  }

  private requestSense(): void {
    const r = this.reply;
    r.fill(0, 0, 18);
    if (this.unitAttention) {
      this.unitAttention = false;
      this.setSense(SENSE_UNIT_ATTENTION, ASC_MEDIUM_MAY_HAVE_CHANGED, 0);
    }
    r[0] = 0x70; // current error, fixed format
    r[2] = this.senseKey;
    r[7] = 10;
    r[12] = this.asc;
    r[13] = this.ascq;
    this.setSense(SENSE_NONE, 0, 0);
    this.sendReply(18, this.cdb[4]);
  }

  private inquiry(): void {
    if (this.cdb[1] & 1) {
      // No vital product data pages.
      this.invalidField();
      return;
    }
    const r = this.reply;
    r.fill(0, 0, 36);
    r[0] = 0x05; // CD/DVD device
    r[1] = 0x80; // removable
    r[2] = 0x00;
    r[3] = 0x21; // ATAPI, response data format 1
    r[4] = 31;
    putAscii(r, 8, 8, 'PLUGBRD');
    putAscii(r, 16, 16, this.options.model.slice(0, 16));
    putAscii(r, 32, 4, this.options.firmware.slice(0, 4));
    this.sendReply(36, readBe16(this.cdb, 3));
  }

  private readCd(): void {
    const cdb = this.cdb;
    if (!this.needMedia()) return;
    const lba = readBe32(cdb, 2);
    const count = (cdb[6] << 16) | (cdb[7] << 8) | cdb[8];
    // Byte 9 picks the fields of each sector: only the 2048 user data bytes (or nothing) are offered.
    const fields = cdb[9] & 0xf8;
    if (fields === 0x10) this.startRead(lba, count);
    else if (fields === 0x00) {
      if (lba + count > this.blocks)
        this.checkCondition(SENSE_ILLEGAL_REQUEST, ASC_LOGICAL_BLOCK_OUT_OF_RANGE, 0);
      else this.ok();
    } else this.invalidField();
  }

  /** Writes an address as READ TOC presents it: LBA or M/S/F with the 2-second lead-in offset. */
  private putAddress(at: number, lba: number, msf: boolean): void {
    if (!msf) {
      be32(this.reply, at, lba);
      return;
    }
    const frames = lba + 150;
    this.reply[at] = 0;
    this.reply[at + 1] = Math.floor(frames / (60 * 75));
    this.reply[at + 2] = Math.floor(frames / 75) % 60;
    this.reply[at + 3] = frames % 75;
  }

  private readToc(): void {
    if (!this.needMedia()) return;
    const cdb = this.cdb;
    const r = this.reply;
    const msf = (cdb[1] & 2) !== 0;
    let format = cdb[2] & 0x0f;
    // SFF-8020i put the format in the top bits of the control byte.
    if (format === 0) format = cdb[9] >>> 6;
    const allocation = readBe16(cdb, 7);
    r.fill(0, 0, 64);
    r[2] = 1;
    r[3] = 1;
    let p = 4;
    if (format === 0) {
      const start = cdb[6];
      if (start > 1 && start !== 0xaa) {
        this.invalidField();
        return;
      }
      if (start <= 1) {
        r[p + 1] = 0x14; // ADR 1, data track
        r[p + 2] = 1;
        this.putAddress(p + 4, 0, msf);
        p += 8;
      }
      r[p + 1] = 0x14;
      r[p + 2] = 0xaa; // lead-out
      this.putAddress(p + 4, this.blocks, msf);
      p += 8;
    } else if (format === 1) {
      // Multi-session information: one session whose first track starts at 0.
      r[p + 1] = 0x14;
      r[p + 2] = 1;
      this.putAddress(p + 4, 0, msf);
      p += 8;
    } else if (format === 2) {
      // Raw TOC: points A0 (first track), A1 (last track), A2 (lead-out) and track 1, in MSF.
      const points = [0xa0, 0xa1, 0xa2, 0x01];
      for (const point of points) {
        r[p] = 1;
        r[p + 1] = 0x14;
        r[p + 3] = point;
        if (point === 0xa0 || point === 0xa1) r[p + 8] = 1;
        else {
          this.putAddress(p + 7, point === 0xa2 ? this.blocks : 0, true);
        }
        p += 11;
      }
    } else {
      this.invalidField();
      return;
    }
    be16(r, 0, p - 2);
    this.sendReply(p, allocation);
  }

  private modeSense(ten: boolean): void {
    const cdb = this.cdb;
    const control = cdb[2] >>> 6;
    const page = cdb[2] & 0x3f;
    const allocation = ten ? readBe16(cdb, 7) : cdb[4];
    if (control === 3) {
      this.checkCondition(SENSE_ILLEGAL_REQUEST, ASC_SAVING_PARAMETERS_NOT_SUPPORTED, 0);
      return;
    }
    if (page !== 0x01 && page !== 0x0e && page !== 0x2a && page !== 0x3f) {
      this.invalidField();
      return;
    }
    const r = this.reply;
    const header = ten ? 8 : 4;
    r.fill(0, 0, 128);
    let p = header;
    if (page === 0x01 || page === 0x3f) p = this.pageErrorRecovery(p);
    if (page === 0x0e || page === 0x3f) p = this.pageAudioControl(p);
    if (page === 0x2a || page === 0x3f) p = this.pageCapabilities(p);
    if (control === 1) {
      // Changeable values: nothing is.
      for (let at = header; at < p; at += r[at + 1] + 2) r.fill(0, at + 2, at + 2 + r[at + 1]);
    }
    const mediumType = this.mediaPresent ? 0x01 : 0x70;
    if (ten) {
      be16(r, 0, p - 2);
      r[2] = mediumType;
    } else {
      r[0] = p - 1;
      r[1] = mediumType;
    }
    this.sendReply(p, allocation);
  }

  private pageErrorRecovery(p: number): number {
    const r = this.reply;
    r[p] = 0x01;
    r[p + 1] = 0x06;
    r[p + 3] = 0x05; // read retry count
    return p + 8;
  }

  private pageAudioControl(p: number): number {
    const r = this.reply;
    r[p] = 0x0e;
    r[p + 1] = 0x0e;
    r[p + 2] = 0x04; // immediate
    r[p + 8] = 0x01; // output port 0: channel 0
    r[p + 9] = 0xff;
    r[p + 10] = 0x02; // output port 1: channel 1
    r[p + 11] = 0xff;
    return p + 16;
  }

  private pageCapabilities(p: number): number {
    const r = this.reply;
    r[p] = 0x2a;
    r[p + 1] = 0x14;
    r[p + 2] = 0x3b; // reads CD-R, CD-RW, DVD-ROM, DVD-R, DVD-RAM
    r[p + 3] = 0x00; // writes nothing
    r[p + 4] = 0x71; // audio play, mode 2 form 1 and 2, multi-session
    r[p + 5] = 0xff;
    r[p + 6] = 0x29 | (this.locked ? 0x02 : 0); // tray, eject, lock (and its state)
    r[p + 7] = 0x03;
    be16(r, p + 8, 706); // maximum read speed, kB/s
    be16(r, p + 10, 0x00ff); // volume levels
    be16(r, p + 12, 512); // buffer, KiB
    be16(r, p + 14, 706); // current read speed
    return p + 22;
  }

  private getConfiguration(): void {
    const cdb = this.cdb;
    const requestType = cdb[1] & 3;
    const start = readBe16(cdb, 2);
    const r = this.reply;
    r.fill(0, 0, 64);
    const profile = this.mediaPresent ? (this.blocks > CD_MAX_BLOCKS ? 0x0010 : 0x0008) : 0;
    const wanted = (code: number) => (requestType === 2 ? code === start : code >= start);
    let p = 8;
    if (wanted(0x0000)) {
      // Profile List: DVD-ROM and CD-ROM, the mounted one current.
      r[p + 2] = 0x03;
      r[p + 3] = 8;
      be16(r, p + 4, 0x0010);
      r[p + 6] = profile === 0x0010 ? 1 : 0;
      be16(r, p + 8, 0x0008);
      r[p + 10] = profile === 0x0008 ? 1 : 0;
      p += 12;
    }
    if (wanted(0x0001)) {
      // Core: ATAPI physical interface.
      be16(r, p, 0x0001);
      r[p + 2] = 0x03;
      r[p + 3] = 8;
      be32(r, p + 4, 2);
      p += 12;
    }
    if (wanted(0x0003)) {
      // Removable Medium: tray loading, eject, lock.
      be16(r, p, 0x0003);
      r[p + 2] = 0x03;
      r[p + 3] = 4;
      r[p + 4] = 0x29;
      p += 8;
    }
    be32(r, 0, p - 4);
    be16(r, 6, profile);
    this.sendReply(p, readBe16(cdb, 7));
  }

  private getEventStatusNotification(): void {
    const cdb = this.cdb;
    if ((cdb[1] & 1) === 0) {
      // Only polled operation.
      this.invalidField();
      return;
    }
    const r = this.reply;
    r.fill(0, 0, 8);
    r[3] = 0x10; // supported: media class
    let length = 4;
    if (cdb[4] & 0x10) {
      be16(r, 0, 6);
      r[2] = 0x04; // media class
      r[4] = this.mediaEvent;
      r[5] = (this.mediaPresent ? 0x02 : 0) | (this.trayOpen ? 0x01 : 0);
      this.mediaEvent = MEDIA_EVENT_NONE;
      length = 8;
    } else {
      be16(r, 0, 2);
      r[2] = 0x80; // no event available
    }
    this.sendReply(length, readBe16(cdb, 7));
  }

  private startStopUnit(): void {
    const loadEject = (this.cdb[4] & 0x02) !== 0;
    const start = (this.cdb[4] & 0x01) !== 0;
    if (loadEject && !start) {
      if (this.locked) {
        this.checkCondition(SENSE_ILLEGAL_REQUEST, ASC_MEDIUM_REMOVAL_PREVENTED, 0x02);
        return;
      }
      if (!this.trayOpen && this.media) this.mediaEvent = MEDIA_EVENT_MEDIA_REMOVAL;
      this.trayOpen = true;
    } else if (loadEject && start && this.trayOpen) {
      this.trayOpen = false;
      if (this.media) {
        this.mediaEvent = MEDIA_EVENT_NEW_MEDIA;
        this.unitAttention = true;
      }
    }
    this.ok();
  }

  private readDiscInformation(): void {
    if (!this.needMedia()) return;
    if (this.cdb[1] & 7) {
      this.invalidField();
      return;
    }
    const r = this.reply;
    r.fill(0, 0, 34);
    be16(r, 0, 32);
    r[2] = 0x0e; // complete disc, last session complete
    r[3] = 1; // first track
    r[4] = 1; // sessions
    r[5] = 1; // first track of the last session
    r[6] = 1; // last track of the last session
    r[7] = 0x20; // unrestricted use
    be32(r, 16, 0xffffffff);
    be32(r, 20, 0xffffffff);
    this.sendReply(34, readBe16(this.cdb, 7));
  }
}
