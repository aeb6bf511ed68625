import { describe, expect, it } from 'vitest';
import { probe, runPm } from './harness.js';

const PF = 14;
const GP = 13;
const PT = 0x101000;

describe('paging', () => {
  it('raises #PF with every error-code combination and sets CR2', () => {
    const m = runPm(`
      PAGING_ON
      mov dword [PT + 0x200 * 4], 0
      mov dword [PT + 0x201 * 4], 0x201001
      mov dword [PT + 0x202 * 4], 0x202003
      mov dword [PT + 0x203 * 4], 0x203005
      mov dword [PT + 0x204 * 4], 0x204007
      mov dword [PT + 0x205 * 4], 0x205007
      mov eax, cr4
      or eax, 0x10
      mov cr4, eax
      mov dword [PD + 2 * 4], 0x802083
      mov eax, cr3
      mov cr3, eax
      PROBE 0, mov eax, [0x200000]
      PROBE 1, mov [0x200004], eax
      PROBE 2, mov [0x201000], eax
      mov eax, cr0
      or eax, 1 << 16
      mov cr0, eax
      PROBE 3, mov [0x201000], eax
      PROBE3 4, mov eax, [0x202000]
      PROBE3 5, mov [0x202000], eax
      PROBE3 6, mov [0x203000], eax
      PROBE3 7, mov eax, [0x203000]
      PROBE3 8, mov eax, [0x200008]
      PROBE3 9, mov [0x20000c], eax
      PROBE 10, mov eax, [0x800010]
      PROBE 11, mov [0x800010], eax
      mov dword [0x1ffffc], 0x11223344
      mov eax, 0xaabbccdd
      PROBE 12, mov [0x1ffffe], eax
      mov [0x204000], eax
      mov eax, [0x205000]
      mov eax, [0x206000]
      mov dword [PT + 0x206 * 4], 0
      invlpg [0x206000]
      PROBE 13, mov eax, [0x206000]
    `);
    expect(probe(m, 0)).toMatchObject({ vector: PF, error: 0, cr2: 0x200000 });
    expect(probe(m, 1)).toMatchObject({ vector: PF, error: 2, cr2: 0x200004 });
    expect(probe(m, 2).vector).toBe(-1);
    expect(probe(m, 3)).toMatchObject({ vector: PF, error: 3, cr2: 0x201000 });
    expect(probe(m, 4)).toMatchObject({ vector: PF, error: 5, cr2: 0x202000 });
    expect(probe(m, 5)).toMatchObject({ vector: PF, error: 7, cr2: 0x202000 });
    expect(probe(m, 6)).toMatchObject({ vector: PF, error: 7, cr2: 0x203000 });
    expect(probe(m, 7)).toMatchObject({ vector: GP, error: 0 });
    expect(probe(m, 8)).toMatchObject({ vector: PF, error: 4, cr2: 0x200008 });
    expect(probe(m, 9)).toMatchObject({ vector: PF, error: 6, cr2: 0x20000c });
    expect(probe(m, 10)).toMatchObject({ vector: PF, error: 9, cr2: 0x800010 });
    expect(probe(m, 11)).toMatchObject({ vector: PF, error: 11, cr2: 0x800010 });
    // A write straddling into a missing page faults on the second page and writes nothing.
    expect(probe(m, 12)).toMatchObject({ vector: PF, error: 2, cr2: 0x200000 });
    expect(m.mem32(0x1ffffc)).toBe(0x11223344);
    expect(m.mem32(PT + 0x204 * 4) & 0x60).toBe(0x60);
    expect(m.mem32(PT + 0x205 * 4) & 0x60).toBe(0x20);
    expect(m.mem32(0x100000) & 0x20).toBe(0x20);
    expect(probe(m, 13)).toMatchObject({ vector: PF, error: 0, cr2: 0x206000 });
  });

  it('walks PAE tables with 2 MiB and 4 KiB pages', () => {
    const m = runPm(`
      mov edi, 0x102000
      xor eax, eax
      mov ecx, 0x3000 / 4
      rep stosd
      mov dword [0x102000], 0x103001
      mov dword [0x103000], 0x000087
      mov dword [0x103008], 0x104007
      mov dword [0x104000 + 5 * 8], 0x12345007
      mov dword [0x104000 + 6 * 8], 0x00300007
      mov dword [0x104000 + 7 * 8], 0x00300007
      mov dword [0x104000 + 7 * 8 + 4], 0x80000000
      mov dword [0x300000], 0xcafef00d
      mov eax, cr4
      or eax, 0x20
      mov cr4, eax
      mov eax, 0x102000
      mov cr3, eax
      mov eax, cr0
      or eax, 0x80000000
      mov cr0, eax
      mov ebx, [0x206000]
      PROBE 0, mov eax, [0x204000]
      PROBE 1, mov eax, [0x207000]
      PROBE 2, mov eax, [0x40000000]
    `);
    expect(m.cpu.regs[3] >>> 0).toBe(0xcafef00d);
    expect(probe(m, 0)).toMatchObject({ vector: PF, error: 0, cr2: 0x204000 });
    expect(probe(m, 1)).toMatchObject({ vector: PF, error: 9, cr2: 0x207000 });
    expect(probe(m, 2)).toMatchObject({ vector: PF, error: 0, cr2: 0x40000000 });
  });
});
