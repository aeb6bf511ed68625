import type { PortHandler } from '../io/port-bus.js';
import type { MmioHandler } from '../memory/mmio.js';
import type { RegisterTable } from '../registers/register-table.js';
import type { PciAddress } from './address.js';
import {
  PCI_BASE_ADDRESS_0,
  PCI_CAPABILITY_LIST,
  PCI_CLASS_PROG,
  PCI_COMMAND,
  PCI_COMMAND_INTX_DISABLE,
  PCI_DEVICE_ID,
  PCI_HEADER_TYPE,
  PCI_INTERRUPT_LINE,
  PCI_INTERRUPT_PIN,
  PCI_REVISION_ID,
  PCI_ROM_ADDRESS,
  PCI_STATUS,
  PCI_STATUS_CAP_LIST,
  PCI_STATUS_INTERRUPT,
  PCI_SUBSYSTEM_ID,
  PCI_SUBSYSTEM_VENDOR_ID,
  PCI_VENDOR_ID,
} from './registers.js';

export interface PciIdentity {
  vendorId: number;
  deviceId: number;
  /** 24-bit class code: base class, sub-class, programming interface. */
  classCode: number;
  revision: number;
  subsystemVendorId?: number;
  subsystemId?: number;
  headerType?: number;
  /** 1-4 for INTA#-INTD#, 0 for none. */
  interruptPin?: number;
}

export type PciBar =
  | { kind: 'io'; size: number; handler: PortHandler }
  | { kind: 'mem32' | 'mem64'; size: number; prefetchable?: boolean; handler: MmioHandler }
  /** A memory BAR backed by a byte array (a framebuffer): mapped straight into the address space. */
  | { kind: 'mem32'; size: number; prefetchable?: boolean; buffer: Uint8Array };

/** Where a BAR decodes now, as the bus last mapped it. */
export interface BarMapping {
  index: number;
  bar: PciBar;
  base: number;
}

/** Called by the bus when config space changes in a way that moves BARs or interrupts. */
export interface PciFunctionOwner {
  remap(): void;
  setIntx(fn: PciFunction, level: boolean): void;
}

function assertPowerOfTwo(size: number, min: number, what: string): void {
  if (size < min || (size & (size - 1)) !== 0 || size > 2 ** 31) {
    throw new RangeError(`${what} size ${size} must be a power of two of at least ${min}`);
  }
}

/**
 * One PCI function's configuration space (type-0 header) and BARs. A device
 * builds one, declares its BARs and capabilities, and reacts to writes of its
 * own registers through `onConfigWrite`. Which bits the guest may change is
 * data (`wmask`, and `w1cmask` for write-one-to-clear status bits), so BAR
 * sizing, read-only IDs and status clearing need no code of their own.
 */
export class PciFunction {
  readonly config = new Uint8Array(256);
  readonly wmask = new Uint8Array(256);
  readonly w1cmask = new Uint8Array(256);
  readonly bars: (PciBar | null)[] = [null, null, null, null, null, null];
  rom: Uint8Array | null = null;
  owner: PciFunctionOwner | null = null;
  address: PciAddress | null = null;
  /** Device-specific registers: called after the generic handling of any write. */
  onConfigWrite: ((offset: number, size: number, value: number) => void) | null = null;
  /** Device-specific registers that are computed on read. */
  onConfigRead: ((offset: number, size: number, value: number) => number) | null = null;
  private intxLevel = false;
  /** The level the bus last saw from this function's INTx pin (kept here so the bus needs no look-up). */
  intxOnBus = false;
  private lastCapability = 0;
  private nextFree = 0x40;

  constructor(
    readonly name: string,
    id: PciIdentity,
  ) {
    this.set16(PCI_VENDOR_ID, id.vendorId);
    this.set16(PCI_DEVICE_ID, id.deviceId);
    this.config[PCI_REVISION_ID] = id.revision;
    this.config[PCI_CLASS_PROG] = id.classCode & 0xff;
    this.set16(PCI_CLASS_PROG + 1, id.classCode >>> 8);
    this.config[PCI_HEADER_TYPE] = id.headerType ?? 0;
    this.set16(PCI_SUBSYSTEM_VENDOR_ID, id.subsystemVendorId ?? 0);
    this.set16(PCI_SUBSYSTEM_ID, id.subsystemId ?? 0);
    this.config[PCI_INTERRUPT_PIN] = id.interruptPin ?? 0;
    // Command: I/O, memory, bus master, parity, SERR#, INTx disable.
    this.set16(PCI_COMMAND, 0, 0x0547);
    // Status: the error bits are write-one-to-clear.
    this.w1cmask[PCI_STATUS + 1] = 0xf9;
    this.wmask[0x0c] = 0xff; // cache line size
    this.wmask[0x0d] = 0xff; // latency timer
    this.wmask[PCI_INTERRUPT_LINE] = 0xff;
  }

  get vendorId(): number {
    return this.get16(PCI_VENDOR_ID);
  }

  get deviceId(): number {
    return this.get16(PCI_DEVICE_ID);
  }

  get command(): number {
    return this.get16(PCI_COMMAND);
  }

  get classCode(): number {
    return this.config[0x09] | (this.config[0x0a] << 8) | (this.config[0x0b] << 16);
  }

  /** Declares BAR `index`. A 64-bit BAR also takes `index + 1`. */
  setBar(index: number, bar: PciBar): void {
    if (index < 0 || index > 5 || (bar.kind === 'mem64' && index > 4)) throw new RangeError(`BAR${index}`);
    const offset = PCI_BASE_ADDRESS_0 + index * 4;
    this.bars[index] = bar;
    if (bar.kind === 'io') {
      assertPowerOfTwo(bar.size, 4, 'I/O BAR');
      // All 32 bits size, as on QEMU: SeaBIOS computes the size from the whole dword.
      this.set32(offset, 1, ~(bar.size - 1) & 0xfffffffc);
    } else {
      assertPowerOfTwo(bar.size, 16, 'memory BAR');
      const prefetch = bar.prefetchable ? 0x8 : 0;
      const type = bar.kind === 'mem64' ? 0x4 : 0;
      this.set32(offset, type | prefetch, ~(bar.size - 1) & 0xfffffff0);
      if (bar.kind === 'mem64') this.set32(offset + 4, 0, 0xffffffff);
    }
  }

  /** Sets the expansion ROM the ROM BAR (offset 0x30) exposes; its size rounds up to a power of two. */
  setRom(image: Uint8Array): void {
    let size = 2048;
    while (size < image.length) size *= 2;
    const rom = new Uint8Array(Math.max(size, 4096));
    rom.set(image);
    this.rom = rom;
    this.set32(PCI_ROM_ADDRESS, 0, (~(size - 1) & 0xfffff800) | 1);
  }

  /** Appends a capability of `length` bytes (header included) and returns its offset. */
  addCapability(id: number, length: number): number {
    const offset = this.nextFree;
    if (offset + length > 0x100) throw new RangeError(`${this.name}: no room for capability ${id}`);
    this.config[offset] = id;
    this.config[offset + 1] = 0;
    if (this.lastCapability === 0) this.config[PCI_CAPABILITY_LIST] = offset;
    else this.config[this.lastCapability + 1] = offset;
    this.config[PCI_STATUS] |= PCI_STATUS_CAP_LIST;
    this.lastCapability = offset;
    this.nextFree = (offset + length + 3) & ~3;
    return offset;
  }

  /** The guest address BAR `index` is programmed with (without decode-enable checks). */
  barAddress(index: number): number {
    const offset = PCI_BASE_ADDRESS_0 + index * 4;
    const low = this.get32(offset);
    return this.bars[index]?.kind === 'io' ? (low & 0xfffffffc) >>> 0 : (low & 0xfffffff0) >>> 0;
  }

  readConfig(offset: number, size: 1 | 2 | 4): number {
    if (offset < 0 || offset + size > 256) return size === 4 ? 0xffffffff : (1 << (size * 8)) - 1;
    let value = this.config[offset];
    if (size >= 2) value |= this.config[offset + 1] << 8;
    if (size === 4) value = (value | (this.config[offset + 2] << 16) | (this.config[offset + 3] << 24)) >>> 0;
    return this.onConfigRead ? this.onConfigRead(offset, size, value) : value;
  }

  writeConfig(offset: number, size: 1 | 2 | 4, value: number): void {
    if (offset < 0 || offset + size > 256) return;
    for (let i = 0; i < size; i++) {
      const b = (value >>> (i * 8)) & 0xff;
      const at = offset + i;
      this.config[at] =
        ((this.config[at] & ~this.wmask[at]) | (b & this.wmask[at])) & ~(b & this.w1cmask[at]);
    }
    const end = offset + size;
    const touches = (lo: number, hi: number) => offset < hi && end > lo;
    if (touches(PCI_COMMAND, PCI_COMMAND + 2)) this.updateIntx();
    if (
      touches(PCI_COMMAND, PCI_COMMAND + 2) ||
      touches(PCI_BASE_ADDRESS_0, 0x28) ||
      touches(PCI_ROM_ADDRESS, 0x34)
    ) {
      this.owner?.remap();
    }
    this.onConfigWrite?.(offset, size, value);
  }

  /** Drives this function's INTx pin (the one in the Interrupt Pin register). */
  setIrq(level: boolean): void {
    this.intxLevel = level;
    this.updateIntx();
  }

  /** Config space and the INTx pin's level as data (the BAR mappings follow from them: `PciBus.remap`). */
  saveState(): { config: Uint8Array; intxLevel: boolean; intxOnBus: boolean } {
    return { config: this.config.slice(), intxLevel: this.intxLevel, intxOnBus: this.intxOnBus };
  }

  loadState(state: { config: Uint8Array; intxLevel: boolean; intxOnBus: boolean }): void {
    this.config.set(state.config);
    this.intxLevel = state.intxLevel;
    this.intxOnBus = state.intxOnBus;
  }

  /** Puts the generic header back to power-on values: decode off, BARs and ROM cleared. */
  resetConfig(): void {
    this.set16(PCI_COMMAND, 0, 0x0547);
    this.config[PCI_STATUS + 1] = 0;
    this.config[PCI_STATUS] &= ~PCI_STATUS_INTERRUPT;
    for (let o = PCI_BASE_ADDRESS_0; o < 0x28; o++) this.config[o] &= ~this.wmask[o];
    for (let o = PCI_ROM_ADDRESS; o < PCI_ROM_ADDRESS + 4; o++) this.config[o] &= ~this.wmask[o];
    this.config[PCI_INTERRUPT_LINE] = 0;
    this.intxLevel = false;
    this.updateIntx();
    this.owner?.remap();
  }

  get8(offset: number): number {
    return this.config[offset];
  }

  get16(offset: number): number {
    return this.config[offset] | (this.config[offset + 1] << 8);
  }

  get32(offset: number): number {
    return (this.get16(offset) | (this.get16(offset + 2) << 16)) >>> 0;
  }

  /**
   * Loads the registers `table` describes (config space offsets): their reset
   * values, the bits the guest may write and the bits a 1 clears. Bytes the
   * table does not own stay as they are.
   */
  loadRegisters(table: RegisterTable): void {
    for (let at = 0; at < Math.min(table.size, this.config.length); at++) {
      if (table.owner[at] < 0) continue;
      this.config[at] = table.resetImage[at];
      this.wmask[at] = table.writable[at];
      this.w1cmask[at] = table.w1c[at];
    }
  }

  /** Sets a register's value and, when given, which of its bits the guest may write. */
  set8(offset: number, value: number, writable?: number): void {
    this.config[offset] = value;
    if (writable !== undefined) this.wmask[offset] = writable;
  }

  set16(offset: number, value: number, writable?: number): void {
    this.set8(offset, value & 0xff, writable === undefined ? undefined : writable & 0xff);
    this.set8(offset + 1, (value >>> 8) & 0xff, writable === undefined ? undefined : (writable >>> 8) & 0xff);
  }

  set32(offset: number, value: number, writable?: number): void {
    this.set16(offset, value & 0xffff, writable === undefined ? undefined : writable & 0xffff);
    this.set16(offset + 2, value >>> 16, writable === undefined ? undefined : writable >>> 16);
  }

  private updateIntx(): void {
    if (this.intxLevel) this.config[PCI_STATUS] |= PCI_STATUS_INTERRUPT;
    else this.config[PCI_STATUS] &= ~PCI_STATUS_INTERRUPT;
    const asserted = this.intxLevel && (this.command & PCI_COMMAND_INTX_DISABLE) === 0;
    this.owner?.setIntx(this, asserted);
  }
}
