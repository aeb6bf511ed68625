import { type MmioRegion, PAGE_SHIFT, PAGE_SIZE, type PhysicalMemory } from '@plugboard/core';

const FIRST_PAGE = 0xa0000 >>> PAGE_SHIFT;
const PAGE_COUNT = (0x100000 - 0xa0000) >>> PAGE_SHIFT;

type Route = MmioRegion | { buf: Uint8Array; offset: number } | null;

/**
 * The 0xA0000-0xFFFFF window's two sides: DRAM, and what the PCI side
 * decodes there (VGA, option and BIOS ROMs, or nothing). A page's PCI-side
 * route is whatever other devices mapped; it is saved when the page turns to
 * DRAM and put back when it turns away, so a device that maps or remaps its
 * window while the page is on the PCI side needs no help from the bridge.
 */
export class ShadowWindow {
  private readonly saved: [Route[], Route[]] = [
    new Array<Route>(PAGE_COUNT).fill(null),
    new Array<Route>(PAGE_COUNT).fill(null),
  ];
  private readonly inDram: [Uint8Array, Uint8Array] = [
    new Uint8Array(PAGE_COUNT),
    new Uint8Array(PAGE_COUNT),
  ];

  constructor(private readonly memory: PhysicalMemory) {}

  /**
   * Unmaps the pages still routed to plain RAM: core maps RAM everywhere, but
   * on the i440FX this window is DRAM only when the PAM or SMRAM registers
   * say so, and on the PCI side nobody decodes those pages.
   */
  detachRam(): void {
    const m = this.memory;
    for (let i = 0; i < PAGE_COUNT; i++) {
      const page = FIRST_PAGE + i;
      for (const direction of ['read', 'write'] as const) {
        const d = direction === 'read' ? 0 : 1;
        if (this.inDram[d][i]) continue;
        const buf = d === 0 ? m.readBuf[page] : m.writeBuf[page];
        const off = d === 0 ? m.readOff[page] : m.writeOff[page];
        if (buf === m.ram && off === page << PAGE_SHIFT)
          m.setRoute(page << PAGE_SHIFT, PAGE_SIZE, direction, null);
      }
    }
  }

  /** Routes one direction of [base, base+size) to DRAM, or back to the PCI side. */
  setDram(base: number, size: number, direction: 'read' | 'write', toDram: boolean): void {
    const m = this.memory;
    const d = direction === 'read' ? 0 : 1;
    for (let addr = base; addr < base + size; addr += PAGE_SIZE) {
      const page = addr >>> PAGE_SHIFT;
      const i = page - FIRST_PAGE;
      if (toDram === (this.inDram[d][i] === 1) || addr >= m.ramSize) continue;
      if (toDram) {
        this.saved[d][i] = this.currentRoute(page, d);
        m.setRoute(addr, PAGE_SIZE, direction, { buf: m.ram, offset: addr });
      } else {
        m.setRoute(addr, PAGE_SIZE, direction, this.saved[d][i]);
        this.saved[d][i] = null;
      }
      this.inDram[d][i] = toDram ? 1 : 0;
    }
  }

  private currentRoute(page: number, d: number): Route {
    const m = this.memory;
    const buf = d === 0 ? m.readBuf[page] : m.writeBuf[page];
    if (buf !== null) return { buf, offset: d === 0 ? m.readOff[page] : m.writeOff[page] };
    const region = d === 0 ? m.readRegion[page] : m.writeRegion[page];
    return region.size === 0 ? null : region;
  }
}
