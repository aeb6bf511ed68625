import { type BusWatch, UNWATCHED } from '../time/poll-watch.js';
import type { MmioHandler, MmioRegion } from './mmio.js';
import { type WasmMemory, WebAssemblyApi } from './webassembly.js';

export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 1 << PAGE_SHIFT;
const PAGE_MASK = PAGE_SIZE - 1;
/** The most RAM below the PCI hole at 0xE0000000 (3.5 GiB): above it are MMIO and the BIOS. */
export const MAX_RAM_BYTES = 0xe0000000;
const PAGE_COUNT = 1 << (32 - PAGE_SHIFT);
/**
 * Bytes of `wasmMemory` below RAM, kept for the CPU's translated code: the
 * tables and registers a WebAssembly unit reads must share one memory with
 * the RAM it reaches.
 */
export const ARENA_BYTES = 16 << 20;
const WASM_PAGE = 1 << 16;

/** RAM and the arena below it in one WebAssembly memory, or null where the host refuses one that large. */
function wasmMemoryFor(ramSize: number): WasmMemory | null {
  const pages = Math.ceil((ARENA_BYTES + ramSize) / WASM_PAGE);
  try {
    return new WebAssemblyApi.Memory({ initial: pages, maximum: pages });
  } catch {
    return null;
  }
}

/** Reads of a page nothing decodes float high, as on a PC bus. */
const unmapped: MmioHandler = { read8: () => 0xff, write8: () => {} };
const UNMAPPED_REGION: MmioRegion = { name: 'unmapped', base: 0, size: 0, handler: unmapped };

/**
 * The 4 GiB physical address space, routed a 4 KiB page at a time.
 *
 * Each page has a read route and a write route. A route is either a byte
 * array (`readBuf[page]`, at `readOff[page]`) or, when the array slot is null,
 * the MMIO region in `readRegion[page]`. Splitting read and write routes is what
 * the i440FX PAM registers need: a shadowed BIOS page may read from ROM and
 * write to RAM. The CPU's TLB copies these routes, and drops its copies when
 * `generation` changes; code it decoded from a page whose read or write route
 * changed is forgotten at once (`onCodeWrite`), and only that code.
 */
export class PhysicalMemory {
  readonly ram: Uint8Array;
  /** The WebAssembly memory RAM lies in, at `ARENA_BYTES`; null when RAM is a plain array. It never grows. */
  readonly wasmMemory: WasmMemory | null;
  readonly readBuf: (Uint8Array | null)[];
  readonly readOff: Int32Array;
  readonly writeBuf: (Uint8Array | null)[];
  readonly writeOff: Int32Array;
  readonly readRegion: MmioRegion[];
  readonly writeRegion: MmioRegion[];
  /** Bumped whenever any route changes. */
  generation = 0;
  /** Address mask the CPU applies to every physical address: bit 20 clear while A20 is gated. */
  a20Mask = 0xffffffff | 0;
  /**
   * Per page: nonzero while a CPU holds instructions decoded from it. A write
   * to such a page calls `onCodeWrite` first, so self-modifying code and
   * reused pages are decoded afresh.
   */
  readonly codePages = new Uint8Array(PAGE_COUNT);
  /** Sees every MMIO read and write, for the clock's fast-forward; the machine sets it. */
  watch: BusWatch = UNWATCHED;
  /** Set by the CPU: forgets what it decoded from `page` (and clears its `codePages` entry). */
  onCodeWrite: ((page: number) => void) | null = null;
  /** Set by the CPU: called after every change of `generation`. */
  onRemap: (() => void) | null = null;
  /**
   * The MMIO region whose handler is running, null between accesses: when a
   * handler throws it stays set, so the machine knows whom to blame. RAM
   * accesses never touch it.
   */
  activeRegion: MmioRegion | null = null;

  constructor(readonly ramSize: number) {
    if (ramSize <= 0 || ramSize % PAGE_SIZE !== 0 || ramSize > MAX_RAM_BYTES) {
      throw new RangeError(`RAM size ${ramSize} must be a positive multiple of 4 KiB below 3.5 GiB`);
    }
    this.wasmMemory = wasmMemoryFor(ramSize);
    this.ram =
      this.wasmMemory === null
        ? new Uint8Array(ramSize)
        : new Uint8Array(this.wasmMemory.buffer, ARENA_BYTES, ramSize);
    this.readBuf = new Array<Uint8Array | null>(PAGE_COUNT).fill(null);
    this.writeBuf = new Array<Uint8Array | null>(PAGE_COUNT).fill(null);
    this.readOff = new Int32Array(PAGE_COUNT);
    this.writeOff = new Int32Array(PAGE_COUNT);
    this.readRegion = new Array<MmioRegion>(PAGE_COUNT).fill(UNMAPPED_REGION);
    this.writeRegion = new Array<MmioRegion>(PAGE_COUNT).fill(UNMAPPED_REGION);
    this.mapBuffer(0, this.ram, 0, ramSize, true);
  }

  setA20(enabled: boolean): void {
    const mask = enabled ? 0xffffffff | 0 : ~(1 << 20);
    if (mask !== this.a20Mask) {
      this.a20Mask = mask;
      // Physical pages keep their contents: only the TLB's linear-to-physical copies change.
      this.remapped(0, 0);
    }
  }

  /** Routes [base, base+size) to `buf` starting at `offset`; writes are dropped unless `writable`. */
  mapBuffer(base: number, buf: Uint8Array, offset: number, size: number, writable: boolean): void {
    this.checkRange(base, size);
    if (offset < 0 || offset + size > buf.length) throw new RangeError('buffer too small for mapping');
    const first = base >>> PAGE_SHIFT;
    for (let i = 0; i < size >>> PAGE_SHIFT; i++) {
      this.readBuf[first + i] = buf;
      this.readOff[first + i] = offset + i * PAGE_SIZE;
      this.readRegion[first + i] = UNMAPPED_REGION;
      this.writeBuf[first + i] = writable ? buf : null;
      this.writeOff[first + i] = offset + i * PAGE_SIZE;
      this.writeRegion[first + i] = UNMAPPED_REGION;
    }
    this.remapped(first, size >>> PAGE_SHIFT);
  }

  /** Routes reads and writes of [base, base+size) to `handler`. */
  mapMmio(name: string, base: number, size: number, handler: MmioHandler): MmioRegion {
    const region: MmioRegion = { name, base, size, handler };
    this.setRoute(base, size, 'read', region);
    this.setRoute(base, size, 'write', region);
    return region;
  }

  /** Changes one direction of a range: to a buffer, to an MMIO region, or to nothing. */
  setRoute(
    base: number,
    size: number,
    direction: 'read' | 'write',
    target: MmioRegion | { buf: Uint8Array; offset: number } | null,
  ): void {
    this.checkRange(base, size);
    const bufs = direction === 'read' ? this.readBuf : this.writeBuf;
    const offs = direction === 'read' ? this.readOff : this.writeOff;
    const regions = direction === 'read' ? this.readRegion : this.writeRegion;
    const first = base >>> PAGE_SHIFT;
    for (let i = 0; i < size >>> PAGE_SHIFT; i++) {
      if (target !== null && 'buf' in target) {
        bufs[first + i] = target.buf;
        offs[first + i] = target.offset + i * PAGE_SIZE;
        regions[first + i] = UNMAPPED_REGION;
      } else {
        bufs[first + i] = null;
        regions[first + i] = target ?? UNMAPPED_REGION;
      }
    }
    this.remapped(first, size >>> PAGE_SHIFT);
  }

  /** Removes every route of [base, base+size); RAM that lay underneath shows through again. */
  unmap(base: number, size: number): void {
    this.checkRange(base, size);
    const first = base >>> PAGE_SHIFT;
    for (let i = 0; i < size >>> PAGE_SHIFT; i++) {
      const page = first + i;
      const addr = page * PAGE_SIZE;
      const inRam = addr < this.ramSize;
      this.readBuf[page] = inRam ? this.ram : null;
      this.writeBuf[page] = inRam ? this.ram : null;
      this.readOff[page] = addr;
      this.writeOff[page] = addr;
      this.readRegion[page] = UNMAPPED_REGION;
      this.writeRegion[page] = UNMAPPED_REGION;
    }
    this.remapped(first, size >>> PAGE_SHIFT);
  }

  /** RAM was loaded from a snapshot: code decoded from any page is stale, and the TLB. */
  ramLoaded(): void {
    this.remapped(0, PAGE_COUNT);
    this.codePages.fill(0);
  }

  /**
   * The routes of `count` pages from `first` changed: what the CPU decoded
   * from them goes (a BAR moved over RAM, a PAM register shadowed the BIOS),
   * code elsewhere stays (Linux's PCI probe remaps BARs some 170 times a boot),
   * and the TLB's copies of every route go.
   */
  private remapped(first: number, count: number): void {
    for (let page = first; page < first + count; page++)
      if (this.codePages[page] !== 0) this.onCodeWrite?.(page);
    this.generation++;
    this.onRemap?.();
  }

  /** For writers that bypass the routes (bus masters): announces a write to [addr, addr+length). */
  written(addr: number, length: number): void {
    if (length <= 0) return;
    const last = ((addr >>> 0) + length - 1) >>> PAGE_SHIFT;
    for (let page = addr >>> PAGE_SHIFT; page <= last && page < PAGE_COUNT; page++)
      if (this.codePages[page] !== 0) this.onCodeWrite?.(page);
  }

  read8(addr: number): number {
    const page = addr >>> PAGE_SHIFT;
    const buf = this.readBuf[page];
    if (buf !== null) return buf[this.readOff[page] + (addr & PAGE_MASK)];
    const r = this.readRegion[page];
    const value = r.handler.read8((addr >>> 0) - r.base) & 0xff;
    this.watch.read(addr >>> 0, value);
    return value;
  }

  read16(addr: number): number {
    const page = addr >>> PAGE_SHIFT;
    const off = addr & PAGE_MASK;
    if (off > PAGE_SIZE - 2) return this.readByte(addr) | (this.readByte(addr + 1) << 8);
    const buf = this.readBuf[page];
    if (buf !== null) {
      const i = this.readOff[page] + off;
      return buf[i] | (buf[i + 1] << 8);
    }
    const r = this.readRegion[page];
    const h = r.handler;
    const o = (addr >>> 0) - r.base;
    this.activeRegion = r;
    const value = h.read16 ? h.read16(o) & 0xffff : (h.read8(o) & 0xff) | ((h.read8(o + 1) & 0xff) << 8);
    this.activeRegion = null;
    this.watch.read(addr >>> 0, value);
    return value;
  }

  read32(addr: number): number {
    const page = addr >>> PAGE_SHIFT;
    const off = addr & PAGE_MASK;
    if (off > PAGE_SIZE - 4) return this.readSplit32(addr);
    const buf = this.readBuf[page];
    if (buf !== null) {
      const i = this.readOff[page] + off;
      return (buf[i] | (buf[i + 1] << 8) | (buf[i + 2] << 16) | (buf[i + 3] << 24)) >>> 0;
    }
    const r = this.readRegion[page];
    const h = r.handler;
    const o = (addr >>> 0) - r.base;
    if (!h.read32 && !h.read16) {
      const split = this.readSplit32(addr);
      this.watch.read(addr >>> 0, split);
      return split;
    }
    this.activeRegion = r;
    const value = (h.read32 ? h.read32(o) : (h.read16!(o) & 0xffff) | (h.read16!(o + 2) << 16)) >>> 0;
    this.activeRegion = null;
    this.watch.read(addr >>> 0, value);
    return value;
  }

  write8(addr: number, value: number): void {
    this.writeByte(addr, value);
  }

  write16(addr: number, value: number): void {
    const page = addr >>> PAGE_SHIFT;
    const off = addr & PAGE_MASK;
    if (this.codePages[page] !== 0) this.onCodeWrite?.(page);
    const buf = this.writeBuf[page];
    if (buf !== null && off <= PAGE_SIZE - 2) {
      const i = this.writeOff[page] + off;
      buf[i] = value;
      buf[i + 1] = value >>> 8;
      return;
    }
    const r = this.writeRegion[page];
    if (buf === null) this.watch.write(addr >>> 0, value & 0xffff);
    if (buf === null && off <= PAGE_SIZE - 2 && r.handler.write16) {
      this.activeRegion = r;
      r.handler.write16((addr >>> 0) - r.base, value & 0xffff);
      this.activeRegion = null;
      return;
    }
    this.writeByte(addr, value);
    this.writeByte(addr + 1, value >>> 8);
  }

  write32(addr: number, value: number): void {
    const page = addr >>> PAGE_SHIFT;
    const off = addr & PAGE_MASK;
    if (this.codePages[page] !== 0) this.onCodeWrite?.(page);
    const buf = this.writeBuf[page];
    if (buf !== null && off <= PAGE_SIZE - 4) {
      const i = this.writeOff[page] + off;
      buf[i] = value;
      buf[i + 1] = value >>> 8;
      buf[i + 2] = value >>> 16;
      buf[i + 3] = value >>> 24;
      return;
    }
    const r = this.writeRegion[page];
    if (buf === null) this.watch.write(addr >>> 0, value >>> 0);
    if (buf === null && off <= PAGE_SIZE - 4 && (r.handler.write32 || r.handler.write16)) {
      const o = (addr >>> 0) - r.base;
      this.activeRegion = r;
      if (r.handler.write32) r.handler.write32(o, value >>> 0);
      else {
        r.handler.write16!(o, value & 0xffff);
        r.handler.write16!(o + 2, value >>> 16);
      }
      this.activeRegion = null;
      return;
    }
    for (let i = 0; i < 4; i++) this.writeByte(addr + i, value >>> (i * 8));
  }

  /** Byte cycles that wider or page-crossing accesses split into; never traced on their own. */
  private readByte(addr: number): number {
    const page = addr >>> PAGE_SHIFT;
    const buf = this.readBuf[page];
    if (buf !== null) return buf[this.readOff[page] + (addr & PAGE_MASK)];
    const r = this.readRegion[page];
    this.activeRegion = r;
    const value = r.handler.read8((addr >>> 0) - r.base) & 0xff;
    this.activeRegion = null;
    return value;
  }

  private readSplit32(addr: number): number {
    return (
      (this.readByte(addr) |
        (this.readByte(addr + 1) << 8) |
        (this.readByte(addr + 2) << 16) |
        (this.readByte(addr + 3) << 24)) >>>
      0
    );
  }

  private writeByte(addr: number, value: number): void {
    const page = addr >>> PAGE_SHIFT;
    if (this.codePages[page] !== 0) this.onCodeWrite?.(page);
    const buf = this.writeBuf[page];
    if (buf !== null) {
      buf[this.writeOff[page] + (addr & PAGE_MASK)] = value;
      return;
    }
    this.watch.write(addr >>> 0, value & 0xff);
    const r = this.writeRegion[page];
    this.activeRegion = r;
    r.handler.write8((addr >>> 0) - r.base, value & 0xff);
    this.activeRegion = null;
  }

  private checkRange(base: number, size: number): void {
    if (base % PAGE_SIZE !== 0 || size % PAGE_SIZE !== 0 || size <= 0 || base < 0 || base + size > 2 ** 32) {
      throw new RangeError(`mapping 0x${base.toString(16)}+0x${size.toString(16)} is not page aligned`);
    }
  }
}
