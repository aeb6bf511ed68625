import { CR0_PG, CR4_PAE, CR4_PSE } from './core/constants.js';
import type { CpuState } from './core/cpu.js';
import { disassemble } from './disasm.js';

/**
 * The physical address of linear `lin` for a debugger: the page tables are
 * walked without touching the TLB, the accessed and dirty bits or CR2, and
 * an unmapped page gives -1 instead of a #PF.
 */
export function debugTranslate(c: CpuState, lin: number): number {
  const mem = c.memory;
  const a20 = mem.a20Mask;
  lin >>>= 0;
  if ((c.cr0 & CR0_PG) === 0) return (lin & a20) >>> 0;
  if (c.cr4 & CR4_PAE) {
    const pdpte = mem.read32(((c.cr3 & ~0x1f) + ((lin >>> 30) << 3)) & a20);
    if ((pdpte & 1) === 0) return -1;
    const pde = mem.read32(((pdpte & ~0xfff) + (((lin >>> 21) & 0x1ff) << 3)) & a20);
    if ((pde & 1) === 0) return -1;
    if (pde & 0x80) return (((pde & 0xffe00000) | (lin & 0x1fffff)) & a20) >>> 0;
    const pte = mem.read32(((pde & ~0xfff) + (((lin >>> 12) & 0x1ff) << 3)) & a20);
    if ((pte & 1) === 0) return -1;
    return (((pte & ~0xfff) | (lin & 0xfff)) & a20) >>> 0;
  }
  const pde = mem.read32(((c.cr3 & ~0xfff) + ((lin >>> 22) << 2)) & a20);
  if ((pde & 1) === 0) return -1;
  if (pde & 0x80 && c.cr4 & CR4_PSE) return (((pde & 0xffc00000) | (lin & 0x3fffff)) & a20) >>> 0;
  const pte = mem.read32(((pde & ~0xfff) + (((lin >>> 12) & 0x3ff) << 2)) & a20);
  if ((pte & 1) === 0) return -1;
  return (((pte & ~0xfff) | (lin & 0xfff)) & a20) >>> 0;
}

/** The byte at linear `lin` from RAM or ROM, or -1 (unmapped, or MMIO, which a read could disturb). */
function debugRead8(c: CpuState, lin: number): number {
  const phys = debugTranslate(c, lin);
  if (phys < 0) return -1;
  const buf = c.memory.readBuf[phys >>> 12];
  return buf === null ? -1 : buf[c.memory.readOff[phys >>> 12] + (phys & 0xfff)];
}

/**
 * `count` instructions from linear address `linear`, one a line as the
 * monitor's `x /Ni` prints them (`0x000ffff0:  jmp 0xf000:0xe05b`), decoded
 * with the current code segment's default size. Relative targets are
 * printed as linear addresses less the CS base (offsets in CS, as EIP is).
 */
export function disassembleLinear(c: CpuState, linear: number, count: number): string {
  const lines: string[] = [];
  const bytes = new Uint8Array(15);
  let lin = linear >>> 0;
  for (let n = 0; n < count; n++) {
    let avail = 0;
    while (avail < 15) {
      const b = debugRead8(c, (lin + avail) >>> 0);
      if (b < 0) break;
      bytes[avail++] = b;
    }
    const address = `0x${lin.toString(16).padStart(8, '0')}:  `;
    if (avail === 0) {
      lines.push(`${address}Cannot access memory`);
      break;
    }
    const d = disassemble(bytes.subarray(0, avail), (lin - c.segBase[1]) | 0, c.code32);
    lines.push(address + d.text);
    lin = (lin + d.len) >>> 0;
  }
  return lines.join('\n');
}
