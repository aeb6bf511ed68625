import type { PortBus, PortClaim } from '../io/port-bus.js';
import type { MmioRegion } from '../memory/mmio.js';
import type { PhysicalMemory } from '../memory/physical-memory.js';
import { PAGE_SIZE } from '../memory/physical-memory.js';
import { devfn, formatPciAddress, type PciAddress } from './address.js';
import type { BarMapping, PciFunction, PciFunctionOwner } from './pci-function.js';
import {
  PCI_BASE_ADDRESS_0,
  PCI_COMMAND_IO,
  PCI_COMMAND_MEMORY,
  PCI_HEADER_TYPE,
  PCI_HEADER_TYPE_MULTI_FUNCTION,
  PCI_INTERRUPT_PIN,
  PCI_ROM_ADDRESS,
  PCI_ROM_ADDRESS_ENABLE,
} from './registers.js';

/**
 * The chipset's half of PCI interrupts: it hears the four PIRQ lines the
 * slots' INTx pins are swizzled onto (the PIIX3 steers them to ISA IRQs and
 * the I/O APIC).
 */
export interface PciIntxRouter {
  setPirq(pirq: number, level: boolean): void;
}

interface Mapped {
  fn: PciFunction;
  mapping: BarMapping;
  claim: PortClaim[] | null;
  pages: number[];
  region: MmioRegion | null;
}

/**
 * PCI bus 0: its functions, their BAR decoding, and INTx swizzling.
 *
 * BARs are re-decoded all at once whenever any command register, BAR or ROM
 * BAR changes. Where two decoders overlap, the one already there wins: fixed
 * system devices and RAM always (as on the i440FX, where RAM and the APICs
 * decode before PCI), then functions in slot order. A guest that programs
 * overlapping BARs gets a device that does not answer, never a host error.
 */
export interface PciBusState {
  functions: { devfn: number; name: string; config: Uint8Array; intxLevel: boolean; intxOnBus: boolean }[];
  pirqLevels: Uint8Array;
}

export class PciBus implements PciFunctionOwner {
  private readonly functions: (PciFunction | null)[] = new Array<PciFunction | null>(256).fill(null);
  private readonly pirqLevels = new Uint8Array(4);
  private mapped: Mapped[] = [];
  router: PciIntxRouter | null = null;
  /** The function whose config space is being accessed, null between accesses (see `PortBus.active`). */
  activeFunction: PciFunction | null = null;
  /** Called after every re-decode with the new mappings, for tracing and `info pci`. */
  onRemap: ((mappings: readonly { fn: PciFunction; mapping: BarMapping }[]) => void) | null = null;

  constructor(
    private readonly ports: PortBus,
    private readonly memory: PhysicalMemory,
  ) {}

  add(address: PciAddress, fn: PciFunction): void {
    if (address.bus !== 0)
      throw new Error(`${fn.name}: only PCI bus 0 exists, not ${formatPciAddress(address)}`);
    const slot = devfn(address);
    const other = this.functions[slot];
    if (other)
      throw new Error(`${fn.name}: PCI address ${formatPciAddress(address)} is taken by ${other.name}`);
    this.functions[slot] = fn;
    fn.address = address;
    fn.owner = this;
    // Function 0 announces the others through its header type.
    const first = this.functions[slot & ~7];
    if (address.function !== 0 && first) first.config[PCI_HEADER_TYPE] |= PCI_HEADER_TYPE_MULTI_FUNCTION;
    if (address.function === 0 && this.functions.slice(slot + 1, slot + 8).some((f) => f)) {
      fn.config[PCI_HEADER_TYPE] |= PCI_HEADER_TYPE_MULTI_FUNCTION;
    }
    this.remap();
  }

  get(devfnIndex: number): PciFunction | null {
    return this.functions[devfnIndex & 0xff];
  }

  list(): PciFunction[] {
    return this.functions.filter((f): f is PciFunction => f !== null);
  }

  /** Reads config space as mechanism #1 sees it: absent functions read all ones. */
  readConfig(bus: number, devfnIndex: number, offset: number, size: 1 | 2 | 4): number {
    const fn = bus === 0 ? this.functions[devfnIndex] : null;
    if (!fn) return size === 4 ? 0xffffffff : (1 << (size * 8)) - 1;
    this.activeFunction = fn;
    const result = fn.readConfig(offset, size);
    this.activeFunction = null;
    return result;
  }

  writeConfig(bus: number, devfnIndex: number, offset: number, size: 1 | 2 | 4, value: number): void {
    const fn = bus === 0 ? this.functions[devfnIndex] : null;
    if (!fn) return;
    this.activeFunction = fn;
    fn.writeConfig(offset, size, value);
    this.activeFunction = null;
  }

  /**
   * The PIRQ (0-3 for A-D) that `pin` (1-4 for INTA#-INTD#) of device `slot`
   * reaches on the i440FX board: (slot - 1 + INTx) mod 4, the wiring QEMU's pc
   * machine has and the _PRT in SeaBIOS's DSDT describes (slot 3's INTA# is
   * LNKC). A guest routes interrupts by that table, so it must match.
   */
  static pirqOf(slot: number, pin: number): number {
    return (slot - 1 + pin - 1) & 3;
  }

  setIntx(fn: PciFunction, level: boolean): void {
    const pin = fn.config[PCI_INTERRUPT_PIN];
    if (pin < 1 || pin > 4 || !fn.address) return;
    if (fn.intxOnBus === level) return;
    fn.intxOnBus = level;
    const pirq = PciBus.pirqOf(fn.address.device, pin);
    const before = this.pirqLevels[pirq] > 0;
    this.pirqLevels[pirq] += level ? 1 : -1;
    const after = this.pirqLevels[pirq] > 0;
    if (before !== after) this.router?.setPirq(pirq, after);
  }

  pirqLevel(pirq: number): boolean {
    return this.pirqLevels[pirq & 3] > 0;
  }

  mappings(): { fn: PciFunction; mapping: BarMapping }[] {
    return this.mapped.map(({ fn, mapping }) => ({ fn, mapping }));
  }

  /** Every function's config space and the PIRQ lines' counts, for snapshots. */
  saveState(): PciBusState {
    return {
      functions: this.list().map((fn) => ({ devfn: devfn(fn.address!), name: fn.name, ...fn.saveState() })),
      pirqLevels: this.pirqLevels.slice(),
    };
  }

  /** Loads `saveState`'s data into the same functions and maps the BARs it describes. */
  loadState(state: PciBusState): void {
    const here = this.list().map((fn) => fn.name);
    const there = state.functions.map((f) => f.name);
    if (here.join() !== there.join())
      throw new RangeError(
        `the PCI functions differ: snapshot has ${there.join(', ')}; this machine ${here.join(', ')}`,
      );
    for (const f of state.functions) this.functions[f.devfn]!.loadState(f);
    this.pirqLevels.set(state.pirqLevels);
    this.remap();
  }

  remap(): void {
    for (const m of this.mapped) this.undo(m);
    this.mapped = [];
    for (const fn of this.functions) {
      if (!fn) continue;
      const command = fn.command;
      for (let i = 0; i < 6; i++) {
        const bar = fn.bars[i];
        if (!bar) continue;
        const base = fn.barAddress(i);
        if (bar.kind === 'io') {
          if (command & PCI_COMMAND_IO && this.ioDecodable(base, bar.size)) this.mapIo(fn, i, base);
        } else if (command & PCI_COMMAND_MEMORY) {
          const high = bar.kind === 'mem64' ? fn.get32(PCI_BASE_ADDRESS_0 + i * 4 + 4) : 0;
          if (high === 0 && this.memDecodable(base, bar.size)) this.mapMem(fn, i, base);
        }
      }
      const rom = fn.rom;
      const romBar = fn.get32(PCI_ROM_ADDRESS);
      if (rom && command & PCI_COMMAND_MEMORY && romBar & PCI_ROM_ADDRESS_ENABLE) {
        const base = (romBar & ~(rom.length - 1) & 0xfffff800) >>> 0;
        if (this.memDecodable(base, rom.length)) this.mapRom(fn, base, rom);
      }
    }
    this.onRemap?.(this.mappings());
  }

  private ioDecodable(base: number, size: number): boolean {
    return base !== 0 && base + size <= 0xffff;
  }

  private memDecodable(base: number, size: number): boolean {
    // Writing all ones to size a BAR must not map anything over the top of memory.
    return base !== 0 && base + size < 2 ** 32 && base >= this.memory.ramSize;
  }

  private mapIo(fn: PciFunction, index: number, base: number): void {
    const bar = fn.bars[index];
    if (bar?.kind !== 'io') return;
    const claims: PortClaim[] = [];
    const name = `${fn.name} BAR${index}`;
    // Port by port, so an overlap silences only the overlapping ports.
    for (let p = base; p < base + bar.size; p++) {
      if (this.ports.claimAt(p)) continue;
      const offset = p - base;
      claims.push(
        this.ports.register(name, p, 1, {
          read8: () => bar.handler.read8(offset),
          write8: (_, v) => bar.handler.write8(offset, v),
        }),
      );
    }
    // Whole-width accesses go straight to the handler when the block is intact.
    if (claims.length === bar.size) {
      for (const c of claims) this.ports.unregister(c);
      claims.length = 0;
      claims.push(this.ports.register(name, base, bar.size, bar.handler));
    }
    this.mapped.push({ fn, mapping: { index, bar, base }, claim: claims, pages: [], region: null });
  }

  private freePages(base: number, size: number): number[] {
    const pages: number[] = [];
    for (let a = base; a < base + Math.max(size, PAGE_SIZE); a += PAGE_SIZE) {
      const page = a >>> 12;
      if (this.memory.readBuf[page] === null && this.memory.readRegion[page].size === 0) pages.push(page);
    }
    return pages;
  }

  private mapMem(fn: PciFunction, index: number, base: number): void {
    const bar = fn.bars[index];
    if (!bar || bar.kind === 'io') return;
    const pages = this.freePages(base, bar.size);
    let region: MmioRegion | null = null;
    if ('buffer' in bar) {
      for (const page of pages) {
        const off = page * PAGE_SIZE - base;
        if (off < bar.buffer.length)
          this.memory.mapBuffer(page * PAGE_SIZE, bar.buffer, off, PAGE_SIZE, true);
      }
    } else {
      region = { name: `${fn.name} BAR${index}`, base, size: bar.size, handler: bar.handler };
      for (const page of pages) {
        this.memory.setRoute(page * PAGE_SIZE, PAGE_SIZE, 'read', region);
        this.memory.setRoute(page * PAGE_SIZE, PAGE_SIZE, 'write', region);
      }
    }
    this.mapped.push({ fn, mapping: { index, bar, base }, claim: null, pages, region });
  }

  private mapRom(fn: PciFunction, base: number, rom: Uint8Array): void {
    const pages = this.freePages(base, rom.length);
    for (const page of pages) {
      this.memory.setRoute(page * PAGE_SIZE, PAGE_SIZE, 'read', {
        buf: rom,
        offset: page * PAGE_SIZE - base,
      });
    }
    const bar = { kind: 'mem32' as const, size: rom.length, buffer: rom };
    this.mapped.push({ fn, mapping: { index: 6, bar, base }, claim: null, pages, region: null });
  }

  private undo(m: Mapped): void {
    if (m.claim) for (const c of m.claim) this.ports.unregister(c);
    for (const page of m.pages) this.memory.unmap(page * PAGE_SIZE, PAGE_SIZE);
  }
}
