import type { PageMapping } from '@plugboard/core';
import { CR0_PG, CR4_PAE, CR4_PSE } from './core/constants.js';
import type { CpuState } from './core/cpu.js';

const P = 1 << 0;
const RW = 1 << 1;
const US = 1 << 2;
const PS = 1 << 7;

/** QEMU's `info tlb` letters: NX, global, large page, dirty, accessed, cache disable, write-through, user, writable. */
function flags(low: number, high: number): string {
  const bit = (v: number, b: number, c: string) => ((v >>> b) & 1 ? c : '-');
  return (
    bit(high, 31, 'X') +
    bit(low, 8, 'G') +
    bit(low, 7, 'P') +
    bit(low, 6, 'D') +
    bit(low, 5, 'A') +
    bit(low, 4, 'C') +
    bit(low, 3, 'T') +
    bit(low, 2, 'U') +
    bit(low, 1, 'W')
  );
}

/**
 * The present pages of the current page tables (32-bit or PAE), walked as
 * the debugger's `translate` walks them, without touching accessed bits or
 * the TLB; a table outside RAM or ROM (MMIO) counts as not present, since
 * reading it could disturb a device. At most 2^20 entries are looked at.
 */
export function pageMappings(c: CpuState): PageMapping[] | null {
  if ((c.cr0 & CR0_PG) === 0) return null;
  const mem = c.memory;
  const read32 = (phys: number): number => {
    const addr = (phys & mem.a20Mask) >>> 0;
    const buf = mem.readBuf[addr >>> 12];
    if (buf === null || (addr & 0xfff) > 0xffc) return 0;
    const o = mem.readOff[addr >>> 12] + (addr & 0xfff);
    return (buf[o] | (buf[o + 1] << 8) | (buf[o + 2] << 16) | (buf[o + 3] << 24)) >>> 0;
  };
  const out: PageMapping[] = [];
  const add = (linear: number, low: number, high: number, size: number, allow: number) => {
    const physical = (high & 0xf) * 2 ** 32 + ((low & ~(size - 1)) >>> 0);
    out.push({
      linear: linear >>> 0,
      physical,
      size,
      flags: flags(low, high),
      user: (allow & US) !== 0,
      writable: (allow & RW) !== 0,
    });
  };
  if (c.cr4 & CR4_PAE) {
    for (let i = 0; i < 4; i++) {
      const pdpte = read32(((c.cr3 & ~0x1f) >>> 0) + i * 8);
      if ((pdpte & P) === 0) continue;
      for (let j = 0; j < 512; j++) {
        const at = ((pdpte & ~0xfff) >>> 0) + j * 8;
        const pde = read32(at);
        if ((pde & P) === 0) continue;
        const base = i * 2 ** 30 + j * 2 ** 21;
        if (pde & PS) {
          add(base, pde, read32(at + 4), 1 << 21, pde);
          continue;
        }
        for (let k = 0; k < 512; k++) {
          const pat = ((pde & ~0xfff) >>> 0) + k * 8;
          const pte = read32(pat);
          if (pte & P) add(base + k * 4096, pte & ~PS, read32(pat + 4), 4096, pde & pte);
        }
      }
    }
    return out;
  }
  for (let i = 0; i < 1024; i++) {
    const pde = read32(((c.cr3 & ~0xfff) >>> 0) + i * 4);
    if ((pde & P) === 0) continue;
    if (pde & PS && c.cr4 & CR4_PSE) {
      add(i * 2 ** 22, pde, 0, 1 << 22, pde);
      continue;
    }
    for (let k = 0; k < 1024; k++) {
      const pte = read32(((pde & ~0xfff) >>> 0) + k * 4);
      if (pte & P) add(i * 2 ** 22 + k * 4096, pte & ~PS, 0, 4096, pde & pte);
    }
  }
  return out;
}
