import { MAX_ACCESS_BYTES } from '@plugboard/core';
import type { BusMaster } from './bus-master.js';
import { XFER_MWDMA, XFER_UDMA } from './identify.js';
import {
  CMD_CHECK_POWER_MODE,
  CMD_EXECUTE_DEVICE_DIAGNOSTIC,
  CMD_IDLE,
  CMD_IDLE_IMMEDIATE,
  CMD_SET_FEATURES,
  CMD_STANDBY,
  CMD_STANDBY_IMMEDIATE,
  COMMAND_BLOCK_WRITE,
  DEVICE,
  DEVICE_DEV,
  DEVICE_OBSOLETE,
  DIAGNOSTIC_PASSED,
  ERROR_ABRT,
  FEATURES,
  LBA_HIGH,
  LBA_LOW,
  LBA_MID,
  SECTOR_COUNT,
  SETF_DISABLE_READ_LOOK_AHEAD,
  SETF_DISABLE_REVERTING_TO_DEFAULTS,
  SETF_ENABLE_READ_LOOK_AHEAD,
  SETF_ENABLE_REVERTING_TO_DEFAULTS,
  SETF_SET_TRANSFER_MODE,
  STATUS_BSY,
  STATUS_DRDY,
  STATUS_DRQ,
  STATUS_DSC,
  STATUS_ERR,
} from './registers.js';

/** What a device needs from the channel it sits on. */
export interface IdeBus {
  readonly busMaster: BusMaster;
  /** The device asserts INTRQ (the channel masks it with nIEN). */
  raiseIrq(): void;
  /** The device has a DMA command waiting for the bus master. */
  requestDma(): void;
  /** EXECUTE DEVICE DIAGNOSTIC runs on both devices of the channel. */
  diagnose(): void;
}

/** Which way the PIO data buffer flows. */
export const PIO_NONE = 0;
export const PIO_IN = 1;
export const PIO_OUT = 2;

/** How a DMA transfer ended, for the channel's BMISP update. */
export const DMA_DONE = 0;
/** The PRD table described less than the transfer: ACTIVE drops, no interrupt. */
export const DMA_SHORT = 1;
/** A descriptor or buffer lay outside RAM (master abort): ERROR and an aborted command. */
export const DMA_FAULT = 2;
/** The device itself failed the command (medium error, range). */
export const DMA_DEVICE_ERROR = 3;
/** The step's bytes moved and the transfer has more: it goes on in the channel's next step. */
export const DMA_MORE = 4;

/** The task file's touched registers, unused: its writes have no effect until a command runs. */
const TOUCHED = new Int32Array(MAX_ACCESS_BYTES);

/** The data buffer: a 64 KiB ATAPI DRQ block or a 128-sector DMA chunk, whichever is larger. */
export const BUFFER_SIZE = 128 * 512;

/**
 * One ATA device position on a channel: its copy of the task file, status,
 * and the PIO data buffer. Writes to the command block reach both devices of
 * a channel, as on the cable; only the selected one executes a command. This
 * class is also the empty position: it keeps the registers and ignores
 * commands, and its status reads as zero, which is how SeaBIOS and libata
 * tell that nothing is there.
 */
export class IdeDevice {
  /** Features to Device as the host wrote them, at their command block offsets (`COMMAND_BLOCK_WRITE`). */
  readonly regs = COMMAND_BLOCK_WRITE.resetImage.slice();
  /**
   * Each register's previous content (the high-order bytes of a 48-bit
   * command, read with HOB set), the same layout; only Features to LBA High
   * have one.
   */
  readonly hob = COMMAND_BLOCK_WRITE.resetImage.slice();
  /** Status and Error (`COMMAND_BLOCK_READ`): the device's answers, which its protocol sets. */
  status = 0;
  error = 0;

  readonly buffer = new Uint8Array(BUFFER_SIZE);
  pos = 0;
  end = 0;
  pio = PIO_NONE;
  dmaPending = false;
  /** SET FEATURES transfer mode: 0 or XFER_MWDMA|n or XFER_UDMA|n. */
  dmaMode = 0;
  standby = false;

  constructor(
    readonly bus: IdeBus,
    readonly unit: 0 | 1,
  ) {}

  get present(): boolean {
    return false;
  }

  /** What `info` prints for this position. */
  describe(): string {
    return 'empty';
  }

  /** Power-on / hardware reset. */
  reset(): void {
    COMMAND_BLOCK_WRITE.reset(this.regs);
    COMMAND_BLOCK_WRITE.reset(this.hob);
    this.dmaMode = 0;
    this.standby = false;
    this.stopTransfer();
    this.resetProtocol();
  }

  /** SRST asserted: the device is busy until it is released. */
  beginSoftReset(): void {
    this.stopTransfer();
    if (this.present) this.status = STATUS_BSY | STATUS_DSC;
  }

  /** SRST released, DEVICE RESET or EXECUTE DEVICE DIAGNOSTIC: signature and ready state. */
  resetProtocol(): void {
    this.stopTransfer();
    this.setSignature();
    this.error = this.present ? DIAGNOSTIC_PASSED : 0;
    this.status = this.present ? this.readyStatus() : 0;
  }

  /** Status after a reset: DRDY for an ATA device, zero for a packet device. */
  protected readyStatus(): number {
    return STATUS_DRDY | STATUS_DSC;
  }

  /** The reset signature: sector count and LBA low 1, LBA mid/high tell ATA from ATAPI. */
  setSignature(): void {
    const r = this.regs;
    r[SECTOR_COUNT] = 1;
    r[LBA_LOW] = 1;
    r[LBA_MID] = 0;
    r[LBA_HIGH] = 0;
    this.hob[SECTOR_COUNT] = this.hob[LBA_LOW] = this.hob[LBA_MID] = this.hob[LBA_HIGH] = 0;
    r[DEVICE] = DEVICE_OBSOLETE | (r[DEVICE] & DEVICE_DEV);
  }

  stopTransfer(): void {
    this.pio = PIO_NONE;
    this.pos = this.end = 0;
    this.dmaPending = false;
  }

  /** A write of command block register 1-6 (Features to Device): the previous value moves to the HOB byte. */
  writeRegister(offset: number, value: number): void {
    // A device in reset ignores the task file.
    if (this.status & STATUS_BSY) return;
    if (offset !== DEVICE) this.hob[offset] = this.regs[offset];
    COMMAND_BLOCK_WRITE.write(this.regs, offset, 1, value, true, TOUCHED);
  }

  // ---- Data port -------------------------------------------------------

  readData16(): number {
    if (this.pio !== PIO_IN) return 0;
    const b = this.buffer;
    const p = this.pos;
    const value = b[p] | (b[p + 1] << 8);
    this.pos = p + 2;
    if (this.pos >= this.end) this.pioDone();
    return value;
  }

  writeData16(value: number): void {
    if (this.pio !== PIO_OUT) return;
    const p = this.pos;
    this.buffer[p] = value;
    this.buffer[p + 1] = value >>> 8;
    this.pos = p + 2;
    if (this.pos >= this.end) this.pioDone();
  }

  /** Offers `length` bytes of the buffer to the host; interrupts when `irq`. */
  protected startPioIn(length: number, irq: boolean): void {
    this.pio = PIO_IN;
    this.pos = 0;
    this.end = length;
    this.status = STATUS_DRDY | STATUS_DSC | STATUS_DRQ;
    if (irq) this.bus.raiseIrq();
  }

  /** Asks the host for `length` bytes; interrupts when `irq`. */
  protected startPioOut(length: number, irq: boolean): void {
    this.pio = PIO_OUT;
    this.pos = 0;
    this.end = length;
    this.status = STATUS_DRDY | STATUS_DSC | STATUS_DRQ;
    if (irq) this.bus.raiseIrq();
  }

  /** The host has read or written the whole DRQ block. */
  protected pioDone(): void {
    this.stopTransfer();
    this.status = STATUS_DRDY | STATUS_DSC;
  }

  // ---- Command completion ----------------------------------------------

  protected complete(): void {
    this.stopTransfer();
    this.status = STATUS_DRDY | STATUS_DSC;
    this.bus.raiseIrq();
  }

  protected fail(error: number): void {
    this.stopTransfer();
    this.error = error;
    this.status = STATUS_DRDY | STATUS_ERR;
    this.bus.raiseIrq();
  }

  protected abort(): void {
    this.fail(ERROR_ABRT);
  }

  // ---- Commands --------------------------------------------------------

  /** A write of the Command register while this device is selected. */
  execute(command: number): void {
    if (!this.present) return;
    // Only DEVICE RESET may interrupt a command in progress.
    if (this.status & (STATUS_BSY | STATUS_DRQ) && !this.mayInterrupt(command)) return;
    this.error = 0;
    if (!this.executeCommand(command)) this.executeCommon(command);
  }

  protected mayInterrupt(_command: number): boolean {
    return false;
  }

  /** The device type's own commands; returns false for commands it leaves to the common set. */
  protected executeCommand(_command: number): boolean {
    return false;
  }

  /** Commands ATA and ATAPI devices share; anything else is aborted. */
  private executeCommon(command: number): void {
    switch (command) {
      case CMD_EXECUTE_DEVICE_DIAGNOSTIC:
        this.bus.diagnose();
        return;
      case CMD_SET_FEATURES:
        if (this.setFeatures()) this.complete();
        else this.abort();
        return;
      case CMD_STANDBY_IMMEDIATE:
      case CMD_STANDBY:
        this.standby = true;
        this.complete();
        return;
      case CMD_IDLE_IMMEDIATE:
      case CMD_IDLE:
        this.standby = false;
        this.complete();
        return;
      case CMD_CHECK_POWER_MODE:
        this.regs[SECTOR_COUNT] = this.standby ? 0x00 : 0xff;
        this.complete();
        return;
      default:
        this.abort();
    }
  }

  /** SET FEATURES: the subcommands both device types accept. */
  protected setFeatures(): boolean {
    switch (this.regs[FEATURES]) {
      case SETF_SET_TRANSFER_MODE: {
        const mode = this.regs[SECTOR_COUNT];
        const kind = mode & 0xf8;
        const n = mode & 7;
        if (kind === 0x00 || kind === 0x08) {
          // PIO default or flow-control PIO mode n: the DMA selection stays.
          return kind === 0x00 || n <= 4;
        }
        if (kind === XFER_MWDMA && n <= 2) this.dmaMode = mode;
        else if (kind === XFER_UDMA && n <= 5) this.dmaMode = mode;
        else return false;
        return true;
      }
      case SETF_ENABLE_READ_LOOK_AHEAD:
      case SETF_DISABLE_READ_LOOK_AHEAD:
      case SETF_ENABLE_REVERTING_TO_DEFAULTS:
      case SETF_DISABLE_REVERTING_TO_DEFAULTS:
        return true;
      default:
        return false;
    }
  }

  // ---- DMA -------------------------------------------------------------

  /**
   * Moves the pending DMA command's data through `bm`, `limit` bytes at most
   * (whole chunks of the buffer, so a multiple of 64 KiB): DMA_MORE when the
   * command has more, else how it ended (a DMA_* outcome). `dmaPending`
   * stays set until the command ends, so a later step (or, after the engine
   * was stopped, the next start) goes on where this one left off.
   */
  runDma(_bm: BusMaster, _limit: number): number {
    return DMA_DONE;
  }

  // ---- Helpers ---------------------------------------------------------

  /** Sector count of an LBA28/CHS command: zero means 256. */
  protected count28(): number {
    return this.regs[SECTOR_COUNT] === 0 ? 256 : this.regs[SECTOR_COUNT];
  }

  /** Sector count of an LBA48 command: zero means 65536. */
  protected count48(): number {
    const n = (this.hob[SECTOR_COUNT] << 8) | this.regs[SECTOR_COUNT];
    return n === 0 ? 65536 : n;
  }

  protected lba48(): number {
    const { regs: r, hob } = this;
    const high = (hob[LBA_HIGH] << 16) | (hob[LBA_MID] << 8) | hob[LBA_LOW];
    const low = ((r[LBA_HIGH] << 16) | (r[LBA_MID] << 8) | r[LBA_LOW]) >>> 0;
    return high * 0x1000000 + low;
  }

  /** Writes an LBA back into the task file (current and, for 48-bit commands, HOB bytes). */
  protected putLba48(lba: number): void {
    const { regs: r, hob } = this;
    r[LBA_LOW] = lba & 0xff;
    r[LBA_MID] = (lba >>> 8) & 0xff;
    r[LBA_HIGH] = (lba >>> 16) & 0xff;
    const high = Math.floor(lba / 0x1000000);
    hob[LBA_LOW] = high & 0xff;
    hob[LBA_MID] = (high >>> 8) & 0xff;
    hob[LBA_HIGH] = (high >>> 16) & 0xff;
  }
}
