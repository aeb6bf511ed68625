import type { Dma, FirmwareConfigService, PortHandler } from '@plugboard/core';
import { objectState } from '@plugboard/core';
import {
  FW_CFG_DMA_CTL_ERROR,
  FW_CFG_DMA_CTL_READ,
  FW_CFG_DMA_CTL_SELECT,
  FW_CFG_DMA_CTL_SKIP,
  FW_CFG_DMA_CTL_WRITE,
  FW_CFG_DMA_SIGNATURE,
  FW_CFG_ENTRY_COUNT,
  FW_CFG_MAX_FILE_PATH,
  FwCfgKey,
} from './keys.js';

/** Offsets in the device's port block (0x510 on a PC). */
const SELECTOR = 0;
const DATA = 1;
const DMA_ADDRESS = 4;
export const FW_CFG_PORT_COUNT = 12;

const DESCRIPTOR_SIZE = 16;

function bswap32(x: number): number {
  return (((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24)) >>> 0;
}
const EMPTY = new Uint8Array(0);

/**
 * QEMU's fw_cfg device: a selector, a byte-wide data port and the DMA
 * interface. Items live in two tables (generic and ARCH_LOCAL) indexed by the
 * selector's low 14 bits, so selecting is an array load.
 */
export class FwCfg implements FirmwareConfigService {
  private readonly generic: (Uint8Array | null)[] = new Array(FW_CFG_ENTRY_COUNT).fill(null);
  private readonly arch: (Uint8Array | null)[] = new Array(FW_CFG_ENTRY_COUNT).fill(null);
  private readonly files = new Map<string, Uint8Array>();

  /** The selected item's data (EMPTY when none) and the read position in it. */
  private current: Uint8Array = EMPTY;
  private offset = 0;
  /** High half of the DMA address register; the low half's write starts a transfer. */
  private dmaHigh = 0;
  private readonly descriptor = new Uint8Array(DESCRIPTOR_SIZE);
  private readonly descriptorView = new DataView(this.descriptor.buffer);
  private readonly status = new Uint8Array(4);
  /** The selector and read position; the items are the machine's config, built again the same. */
  readonly vmstate = objectState({ fwcfg: this }, { version: 1, skip: ['generic', 'arch', 'files', 'dma'] });

  readonly ports: PortHandler = {
    read8: (off) => this.readPort(off),
    write8: (off, value) => {
      if (off === SELECTOR) this.select(value);
    },
    write16: (off, value) => {
      if (off === SELECTOR) this.select(value);
    },
    // The address register is big-endian: the byte at the lowest port is the most significant.
    write32: (off, value) => {
      if (off === DMA_ADDRESS) this.dmaHigh = bswap32(value);
      else if (off === DMA_ADDRESS + 4) this.runDma(this.dmaHigh, bswap32(value));
    },
  };

  constructor(
    private readonly dma: Dma,
    private readonly dmaEnabled: boolean,
  ) {
    this.rebuildDirectory();
  }

  reset(): void {
    this.current = EMPTY;
    this.offset = 0;
    this.dmaHigh = 0;
    // Scratch for DMA, but saved with the rest: reset leaves the state a freshly built device has.
    this.descriptor.fill(0);
    this.status.fill(0);
  }

  addItem(key: number, data: Uint8Array): void {
    if (!Number.isInteger(key) || key < 0 || key > 0xffff || (key & FwCfgKey.WRITE_CHANNEL) !== 0) {
      throw new RangeError(`fw_cfg: item key 0x${key.toString(16)} is not a readable item`);
    }
    const index = key & (FW_CFG_ENTRY_COUNT - 1);
    if ((key & FwCfgKey.ARCH_LOCAL) === 0 && index >= FwCfgKey.FILE_DIR) {
      throw new RangeError(`fw_cfg: key 0x${key.toString(16)} belongs to the file directory; use addFile`);
    }
    (key & FwCfgKey.ARCH_LOCAL ? this.arch : this.generic)[index] = data;
  }

  addFile(name: string, data: Uint8Array): void {
    const bytes = new TextEncoder().encode(name);
    if (bytes.length === 0 || bytes.length >= FW_CFG_MAX_FILE_PATH) {
      throw new RangeError(`fw_cfg: file name "${name}" must be 1 to ${FW_CFG_MAX_FILE_PATH - 1} bytes`);
    }
    if (this.files.size >= FW_CFG_ENTRY_COUNT - FwCfgKey.FILE_FIRST && !this.files.has(name)) {
      throw new RangeError('fw_cfg: no file slots left');
    }
    this.files.set(name, data);
    this.rebuildDirectory();
  }

  file(name: string): Uint8Array | undefined {
    return this.files.get(name);
  }

  /** The selector each file has now (it moves as files sort in), for tests and `info`. */
  fileKey(name: string): number | undefined {
    const i = this.sortedNames().indexOf(name);
    return i < 0 ? undefined : FwCfgKey.FILE_FIRST + i;
  }

  info(): string {
    return this.sortedNames()
      .map((n, i) => `0x${(FwCfgKey.FILE_FIRST + i).toString(16)} ${n} (${this.files.get(n)!.length} bytes)`)
      .join('\n');
  }

  private sortedNames(): string[] {
    return [...this.files.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /** FW_CFG_FILE_DIR: u32 count, then { u32 size; u16 select; u16 reserved; char name[56] }, all big-endian. */
  private rebuildDirectory(): void {
    const names = this.sortedNames();
    const dir = new Uint8Array(4 + names.length * 64);
    const view = new DataView(dir.buffer);
    view.setUint32(0, names.length);
    const encoder = new TextEncoder();
    for (let i = 0; i < FW_CFG_ENTRY_COUNT - FwCfgKey.FILE_FIRST; i++)
      this.generic[FwCfgKey.FILE_FIRST + i] = null;
    names.forEach((name, i) => {
      const data = this.files.get(name)!;
      const at = 4 + i * 64;
      view.setUint32(at, data.length);
      view.setUint16(at + 4, FwCfgKey.FILE_FIRST + i);
      dir.set(encoder.encode(name), at + 8);
      this.generic[FwCfgKey.FILE_FIRST + i] = data;
    });
    this.generic[FwCfgKey.FILE_DIR] = dir;
  }

  private select(key: number): void {
    const index = key & (FW_CFG_ENTRY_COUNT - 1);
    // The write channel is not offered: selecting it gives an empty item.
    const data =
      key & FwCfgKey.WRITE_CHANNEL ? null : (key & FwCfgKey.ARCH_LOCAL ? this.arch : this.generic)[index];
    this.current = data ?? EMPTY;
    this.offset = 0;
  }

  private readPort(off: number): number {
    if (off === DATA) return this.offset < this.current.length ? this.current[this.offset++] : 0;
    if (off >= DMA_ADDRESS && off < DMA_ADDRESS + 8)
      return this.dmaEnabled ? FW_CFG_DMA_SIGNATURE[off - DMA_ADDRESS] : 0xff;
    return 0xff;
  }

  /**
   * One FWCfgDmaAccess { u32 control; u32 length; u64 address } (big-endian)
   * at guest address high:low. Only RAM is reachable; any part of a transfer
   * outside it, and any write, sets the error bit instead of the done state.
   */
  private runDma(high: number, low: number): void {
    this.dmaHigh = 0;
    if (!this.dmaEnabled) return;
    if (high !== 0 || !this.dma.read(low, this.descriptor)) {
      if (high === 0) this.writeStatus(low, FW_CFG_DMA_CTL_ERROR);
      return;
    }
    const v = this.descriptorView;
    const control = v.getUint32(0);
    const length = v.getUint32(4);
    const addressHigh = v.getUint32(8);
    let address = v.getUint32(12);
    if (control & FW_CFG_DMA_CTL_SELECT) this.select(control >>> 16);
    let error = false;
    if (control & FW_CFG_DMA_CTL_WRITE) {
      error = true;
    } else if (control & (FW_CFG_DMA_CTL_READ | FW_CFG_DMA_CTL_SKIP)) {
      const read = (control & FW_CFG_DMA_CTL_READ) !== 0;
      const available = Math.max(0, this.current.length - this.offset);
      const fromItem = Math.min(length, available);
      if (read && length > 0) {
        if (addressHigh !== 0) error = true;
        else {
          if (fromItem > 0 && !this.dma.write(address, this.current, this.offset, fromItem)) error = true;
          address += fromItem;
          // Past the item's end a read delivers zeros, as QEMU does.
          if (length > fromItem && !this.dma.fill(address, 0, length - fromItem)) error = true;
        }
      }
      this.offset += fromItem;
    }
    this.writeStatus(low, error ? FW_CFG_DMA_CTL_ERROR : 0);
  }

  private writeStatus(descriptorAddress: number, control: number): void {
    this.status[0] = control >>> 24;
    this.status[1] = control >>> 16;
    this.status[2] = control >>> 8;
    this.status[3] = control;
    this.dma.write(descriptorAddress, this.status);
  }
}
