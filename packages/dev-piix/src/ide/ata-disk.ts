import { type BlockBackend, BlockError } from '@plugboard/core';
import type { BusMaster } from './bus-master.js';
import {
  DMA_DEVICE_ERROR,
  DMA_DONE,
  DMA_FAULT,
  DMA_MORE,
  DMA_SHORT,
  type IdeBus,
  IdeDevice,
  PIO_NONE,
} from './ide-device.js';
import { identifyDevice, MAX_MULTIPLE_SECTORS } from './identify.js';
import {
  CMD_FLUSH_CACHE,
  CMD_FLUSH_CACHE_EXT,
  CMD_IDENTIFY_DEVICE,
  CMD_INITIALIZE_DEVICE_PARAMETERS,
  CMD_READ_DMA,
  CMD_READ_DMA_EXT,
  CMD_READ_DMA_NORETRY,
  CMD_READ_MULTIPLE,
  CMD_READ_MULTIPLE_EXT,
  CMD_READ_SECTORS,
  CMD_READ_SECTORS_EXT,
  CMD_READ_SECTORS_NORETRY,
  CMD_READ_VERIFY_SECTORS,
  CMD_READ_VERIFY_SECTORS_EXT,
  CMD_READ_VERIFY_SECTORS_NORETRY,
  CMD_RECALIBRATE,
  CMD_SEEK,
  CMD_SET_MULTIPLE_MODE,
  CMD_WRITE_DMA,
  CMD_WRITE_DMA_EXT,
  CMD_WRITE_DMA_NORETRY,
  CMD_WRITE_MULTIPLE,
  CMD_WRITE_MULTIPLE_EXT,
  CMD_WRITE_SECTORS,
  CMD_WRITE_SECTORS_EXT,
  CMD_WRITE_SECTORS_NORETRY,
  DEVICE,
  DEVICE_LBA,
  ERROR_ABRT,
  ERROR_IDNF,
  ERROR_UNC,
  FEATURES,
  LBA_HIGH,
  LBA_LOW,
  LBA_MID,
  SECTOR_COUNT,
  SETF_DISABLE_WRITE_CACHE,
  SETF_ENABLE_WRITE_CACHE,
  STATUS_DRDY,
  STATUS_DRQ,
  STATUS_DSC,
} from './registers.js';

const SECTOR = 512;
/** Sectors per DMA chunk: the device buffer's size. */
const DMA_CHUNK = 128;
/** CHS can address at most 16383 x 16 x 63 sectors (ATA-6 word 1, 3, 6 limits). */
const CHS_MAX_SECTORS = 16383 * 16 * 63;

export interface DiskOptions {
  model: string;
  serial: string;
  firmware: string;
  log: (message: string) => void;
}

/**
 * An ATA hard disk over a 512-byte-sector BlockBackend: PIO (single and
 * multiple), DMA, 28- and 48-bit LBA and CHS addressing.
 */
export class AtaDisk extends IdeDevice {
  readonly sectors: number;
  readonly cylinders: number;
  readonly heads = 16;
  readonly sectorsPerTrack = 63;
  currentHeads = 16;
  currentSectorsPerTrack = 63;
  currentCylinders: number;
  multipleSectors = MAX_MULTIPLE_SECTORS;
  writeCache = true;

  // The command in progress.
  private lba = 0;
  private left = 0;
  private block = 1;
  private ext = false;
  private writing = false;
  private readonly views: Uint8Array[] = [];

  constructor(
    bus: IdeBus,
    unit: 0 | 1,
    readonly backend: BlockBackend,
    private readonly options: DiskOptions,
  ) {
    super(bus, unit);
    this.sectors = backend.sectorCount;
    this.cylinders = Math.max(1, Math.min(16383, Math.floor(this.sectors / (16 * 63))));
    this.currentCylinders = this.cylinders;
  }

  override get present(): boolean {
    return true;
  }

  override describe(): string {
    return `disk, ${this.sectors} sectors${this.backend.readOnly ? ', read-only' : ''}, ${this.options.model}`;
  }

  override reset(): void {
    this.currentHeads = this.heads;
    this.currentSectorsPerTrack = this.sectorsPerTrack;
    this.currentCylinders = this.cylinders;
    this.multipleSectors = MAX_MULTIPLE_SECTORS;
    this.writeCache = true;
    super.reset();
  }

  protected override executeCommand(command: number): boolean {
    switch (command) {
      case CMD_READ_SECTORS:
      case CMD_READ_SECTORS_NORETRY:
        this.startPio(false, false, 1);
        return true;
      case CMD_READ_SECTORS_EXT:
        this.startPio(true, false, 1);
        return true;
      case CMD_READ_MULTIPLE:
      case CMD_READ_MULTIPLE_EXT:
      case CMD_WRITE_MULTIPLE:
      case CMD_WRITE_MULTIPLE_EXT:
        if (this.multipleSectors === 0) this.abort();
        else {
          const ext = command === CMD_READ_MULTIPLE_EXT || command === CMD_WRITE_MULTIPLE_EXT;
          const write = command === CMD_WRITE_MULTIPLE || command === CMD_WRITE_MULTIPLE_EXT;
          this.startPio(ext, write, this.multipleSectors);
        }
        return true;
      case CMD_WRITE_SECTORS:
      case CMD_WRITE_SECTORS_NORETRY:
        this.startPio(false, true, 1);
        return true;
      case CMD_WRITE_SECTORS_EXT:
        this.startPio(true, true, 1);
        return true;
      case CMD_READ_DMA:
      case CMD_READ_DMA_NORETRY:
        this.startDma(false, false);
        return true;
      case CMD_READ_DMA_EXT:
        this.startDma(true, false);
        return true;
      case CMD_WRITE_DMA:
      case CMD_WRITE_DMA_NORETRY:
        this.startDma(false, true);
        return true;
      case CMD_WRITE_DMA_EXT:
        this.startDma(true, true);
        return true;
      case CMD_READ_VERIFY_SECTORS:
      case CMD_READ_VERIFY_SECTORS_NORETRY:
      case CMD_READ_VERIFY_SECTORS_EXT:
        this.verify(command === CMD_READ_VERIFY_SECTORS_EXT);
        return true;
      case CMD_FLUSH_CACHE:
      case CMD_FLUSH_CACHE_EXT:
        if (this.flush()) this.complete();
        return true;
      case CMD_IDENTIFY_DEVICE:
        this.identify();
        return true;
      case CMD_SET_MULTIPLE_MODE:
        this.setMultipleMode();
        return true;
      case CMD_INITIALIZE_DEVICE_PARAMETERS:
        this.initializeDeviceParameters();
        return true;
    }
    if ((command & 0xf0) === CMD_RECALIBRATE || (command & 0xf0) === CMD_SEEK) {
      this.complete();
      return true;
    }
    return false;
  }

  protected override setFeatures(): boolean {
    if (this.regs[FEATURES] === SETF_ENABLE_WRITE_CACHE) this.writeCache = true;
    else if (this.regs[FEATURES] === SETF_DISABLE_WRITE_CACHE) {
      // Data the cache held must be on the medium before the cache goes away.
      if (this.flushError() !== 0) return false;
      this.writeCache = false;
    } else return super.setFeatures();
    return true;
  }

  private identify(): void {
    this.left = 0;
    identifyDevice(
      {
        model: this.options.model,
        serial: this.options.serial,
        firmware: this.options.firmware,
        sectors: this.sectors,
        cylinders: this.cylinders,
        heads: this.heads,
        sectorsPerTrack: this.sectorsPerTrack,
        currentCylinders: this.currentCylinders,
        currentHeads: this.currentHeads,
        currentSectorsPerTrack: this.currentSectorsPerTrack,
        multipleSectors: this.multipleSectors,
        dmaMode: this.dmaMode,
        writeCache: this.writeCache,
      },
      this.buffer,
    );
    this.startPioIn(SECTOR, true);
  }

  private setMultipleMode(): void {
    const n = this.regs[SECTOR_COUNT];
    if (n === 0 || (n <= MAX_MULTIPLE_SECTORS && (n & (n - 1)) === 0)) {
      this.multipleSectors = n;
      this.complete();
    } else {
      this.abort();
    }
  }

  /** Sets the CHS translation old BIOSes ask for: heads from the Device register, sectors per track from Sector Count. */
  private initializeDeviceParameters(): void {
    const heads = (this.regs[DEVICE] & 0x0f) + 1;
    const spt = this.regs[SECTOR_COUNT];
    if (spt === 0) {
      this.abort();
      return;
    }
    this.currentHeads = heads;
    this.currentSectorsPerTrack = spt;
    this.currentCylinders = Math.min(
      65535,
      Math.floor(Math.min(this.sectors, CHS_MAX_SECTORS) / (heads * spt)),
    );
    this.complete();
  }

  // ---- Addressing -------------------------------------------------------

  /** The command's first sector, or -1 for a CHS address outside the current geometry. */
  private startLba(ext: boolean): number {
    if (ext) return this.lba48();
    const r = this.regs;
    if (r[DEVICE] & DEVICE_LBA) {
      return (((r[DEVICE] & 0x0f) << 24) | (r[LBA_HIGH] << 16) | (r[LBA_MID] << 8) | r[LBA_LOW]) >>> 0;
    }
    const cylinder = (r[LBA_HIGH] << 8) | r[LBA_MID];
    const head = r[DEVICE] & 0x0f;
    const sector = r[LBA_LOW];
    if (sector === 0 || sector > this.currentSectorsPerTrack || head >= this.currentHeads) return -1;
    return (cylinder * this.currentHeads + head) * this.currentSectorsPerTrack + sector - 1;
  }

  /** Leaves `lba` in the task file the way the command addressed it (the last sector done, or the failing one). */
  private putAddress(lba: number): void {
    const r = this.regs;
    if (this.ext) {
      this.putLba48(lba);
    } else if (r[DEVICE] & DEVICE_LBA) {
      r[LBA_LOW] = lba & 0xff;
      r[LBA_MID] = (lba >>> 8) & 0xff;
      r[LBA_HIGH] = (lba >>> 16) & 0xff;
      r[DEVICE] = (r[DEVICE] & 0xf0) | ((lba >>> 24) & 0x0f);
    } else {
      const perCylinder = this.currentHeads * this.currentSectorsPerTrack;
      const cylinder = Math.floor(lba / perCylinder);
      const rest = lba % perCylinder;
      r[LBA_MID] = cylinder & 0xff;
      r[LBA_HIGH] = (cylinder >>> 8) & 0xff;
      r[DEVICE] = (r[DEVICE] & 0xf0) | Math.floor(rest / this.currentSectorsPerTrack);
      r[LBA_LOW] = (rest % this.currentSectorsPerTrack) + 1;
    }
  }

  /** Latches the command's range; on an address outside the disk fails it with IDNF and returns false. */
  private setup(ext: boolean, write: boolean): boolean {
    this.ext = ext;
    this.writing = write;
    const count = ext ? this.count48() : this.count28();
    const lba = this.startLba(ext);
    if (lba < 0 || lba + count > this.sectors) {
      // The task file points at the first sector that does not exist.
      if (lba >= 0) this.putAddress(Math.max(lba, this.sectors));
      this.fail(ERROR_IDNF);
      return false;
    }
    if (write && this.backend.readOnly) {
      this.abort();
      return false;
    }
    this.lba = lba;
    this.left = count;
    return true;
  }

  // ---- Sector I/O -------------------------------------------------------

  private view(sectors: number): Uint8Array {
    let v = this.views[sectors];
    if (v === undefined) {
      v = this.buffer.subarray(0, sectors * SECTOR);
      this.views[sectors] = v;
    }
    return v;
  }

  /** Reads into the buffer; on failure ends the command with the error and returns false. */
  private readSectors(lba: number, n: number): boolean {
    try {
      this.backend.read(lba, this.view(n));
      return true;
    } catch (err) {
      this.putAddress(lba);
      this.fail(this.errorFor(err, ERROR_UNC));
      return false;
    }
  }

  private writeSectors(lba: number, n: number): boolean {
    try {
      this.backend.write(lba, this.view(n));
      return true;
    } catch (err) {
      this.putAddress(lba);
      this.fail(this.errorFor(err, ERROR_ABRT));
      return false;
    }
  }

  /** Flushes the backend; returns 0 or the error to report. */
  private flushError(): number {
    try {
      this.backend.flush();
      return 0;
    } catch (err) {
      return this.errorFor(err, ERROR_ABRT);
    }
  }

  /** Flushes; on failure ends the command with the error and returns false. */
  private flush(): boolean {
    const error = this.flushError();
    if (error !== 0) this.fail(error);
    return error === 0;
  }

  private errorFor(err: unknown, io: number): number {
    this.options.log(
      `ATA ${this.unit ? 'slave' : 'master'}: ${err instanceof Error ? err.message : String(err)}`,
    );
    if (err instanceof BlockError) {
      if (err.kind === 'range') return ERROR_IDNF;
      if (err.kind === 'read-only') return ERROR_ABRT;
    }
    return io;
  }

  /** Sector Count counts down as sectors move, ending at zero. */
  private putRemaining(): void {
    this.regs[SECTOR_COUNT] = this.left & 0xff;
    if (this.ext) this.hob[SECTOR_COUNT] = (this.left >>> 8) & 0xff;
  }

  // ---- PIO --------------------------------------------------------------

  private startPio(ext: boolean, write: boolean, block: number): void {
    if (!this.setup(ext, write)) return;
    this.block = block;
    if (write) this.startPioOut(Math.min(this.left, block) * SECTOR, false);
    else this.nextReadBlock();
  }

  private nextReadBlock(): void {
    const n = Math.min(this.left, this.block);
    if (!this.readSectors(this.lba, n)) return;
    this.startPioIn(n * SECTOR, true);
  }

  protected override pioDone(): void {
    if (this.left === 0) {
      // IDENTIFY DEVICE and other single-block replies.
      super.pioDone();
      return;
    }
    const n = this.end / SECTOR;
    if (this.writing && !this.writeSectors(this.lba, n)) return;
    this.lba += n;
    this.left -= n;
    this.putAddress(this.lba - 1);
    this.putRemaining();
    if (this.left > 0) {
      if (this.writing) this.startPioOut(Math.min(this.left, this.block) * SECTOR, true);
      else this.nextReadBlock();
      return;
    }
    if (this.writing) {
      if (!this.writeCache && !this.flush()) return;
      this.complete();
    } else {
      // A PIO read ends with the last DRQ block: no interrupt of its own.
      this.stopTransfer();
      this.status = STATUS_DRDY | STATUS_DSC;
    }
  }

  private verify(ext: boolean): void {
    if (!this.setup(ext, false)) return;
    this.lba += this.left;
    this.left = 0;
    this.putAddress(this.lba - 1);
    this.putRemaining();
    this.complete();
  }

  // ---- DMA --------------------------------------------------------------

  private startDma(ext: boolean, write: boolean): void {
    if (!this.setup(ext, write)) return;
    this.pio = PIO_NONE;
    this.dmaPending = true;
    this.status = STATUS_DRDY | STATUS_DSC | STATUS_DRQ;
    this.bus.requestDma();
  }

  /**
   * A step of the transfer: chunks of `DMA_CHUNK` sectors until `limit`
   * bytes moved. Each chunk's sectors are read from the disk, or written to
   * it, whole and in order before the next, so a transfer stopped between
   * steps (or cut short) leaves the disk with a prefix of the data.
   */
  override runDma(bm: BusMaster, limit: number): number {
    for (let done = 0; this.left > 0; done += DMA_CHUNK * SECTOR) {
      if (done >= limit) return DMA_MORE;
      const n = Math.min(this.left, DMA_CHUNK);
      const bytes = n * SECTOR;
      let moved: number;
      if (this.writing) {
        moved = bm.transfer(this.buffer, 0, bytes, false);
        if (bm.fault) return this.dmaFault();
        const whole = Math.floor(moved / SECTOR);
        if (whole > 0 && !this.writeSectors(this.lba, whole)) return DMA_DEVICE_ERROR;
      } else {
        if (!this.readSectors(this.lba, n)) return DMA_DEVICE_ERROR;
        moved = bm.transfer(this.buffer, 0, bytes, true);
        if (bm.fault) return this.dmaFault();
      }
      if (moved < bytes) {
        // The PRDs ran out first: the command stops without an interrupt, as on QEMU's PIIX.
        this.stopTransfer();
        this.status = STATUS_DRDY | STATUS_DSC;
        return DMA_SHORT;
      }
      this.lba += n;
      this.left -= n;
    }
    this.putAddress(this.lba - 1);
    this.putRemaining();
    if (this.writing && !this.writeCache && !this.flush()) return DMA_DEVICE_ERROR;
    this.complete();
    return DMA_DONE;
  }

  private dmaFault(): number {
    this.putAddress(this.lba);
    this.fail(ERROR_ABRT);
    return DMA_FAULT;
  }
}
