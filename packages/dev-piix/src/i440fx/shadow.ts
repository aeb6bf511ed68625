import { type MmioRegion, PAGE_SHIFT, PAGE_SIZE, type PhysicalMemory } from '@plugboard/core';

const FIRST_PAGE = 0xa0000 >>> PAGE_SHIFT;
const PAGE_COUNT = (0x100000 - 0xa0000) >>> PAGE_SHIFT;

type Route = MmioRegion | { buf: Uint8Array; offset: number } | null;

/**
 * The 0xA0000-0xFFFFF window's two sides: DRAM, and what the PCI side
 * decodes there (VGA, option and BIOS ROMs, or nothing). The PCI side is
 * the page routes other devices set up, captured once they all exist; a
 * page that was plain RAM counts as decoded by nobody, since on the i440FX
 * this window is DRAM only when the PAM or SMRAM registers say so.
 */
export class ShadowWindow {
  private readonly pciRead: Route[] = new Array<Route>(PAGE_COUNT).fill(null);
  private readonly pciWrite: Route[] = new Array<Route>(PAGE_COUNT).fill(null);

  constructor(private readonly memory: PhysicalMemory) {}

  /** Records every page's present routes as the PCI side. */
  capture(): void {
    const m = this.memory;
    for (let i = 0; i < PAGE_COUNT; i++) {
      const page = FIRST_PAGE + i;
      this.pciRead[i] = this.routeOf(m.readBuf[page], m.readOff[page], m.readRegion[page], page);
      this.pciWrite[i] = this.routeOf(m.writeBuf[page], m.writeOff[page], m.writeRegion[page], page);
    }
  }

  private routeOf(buf: Uint8Array | null, offset: number, region: MmioRegion, page: number): Route {
    if (buf === null) return region.size === 0 ? null : region;
    if (buf === this.memory.ram && offset === page << PAGE_SHIFT) return null;
    return { buf, offset };
  }

  /** Routes one direction of [base, base+size) to DRAM or back to the PCI side. */
  route(base: number, size: number, direction: 'read' | 'write', toDram: boolean): void {
    const m = this.memory;
    const saved = direction === 'read' ? this.pciRead : this.pciWrite;
    for (let addr = base; addr < base + size; addr += PAGE_SIZE) {
      const target: Route =
        toDram && addr < m.ramSize ? { buf: m.ram, offset: addr } : saved[(addr >>> PAGE_SHIFT) - FIRST_PAGE];
      m.setRoute(addr, PAGE_SIZE, direction, target);
    }
  }
}
