import { describe, expect, it } from 'vitest';
import { probe, runPm } from './harness.js';

const GP = 13;
const NP = 11;
const SS = 12;
const UD = 6;
const DE = 0;
const BP = 3;
const BR = 5;

describe('protected mode', () => {
  it('enters flat 32-bit ring 0', () => {
    const m = runPm('mov ebx, cr0\nmov ecx, cs\nmov edx, 0x12345678');
    expect(m.cpu.halted).toBe(true);
    expect(m.cpu.regs[3] & 1).toBe(1);
    expect(m.cpu.regs[1]).toBe(0x08);
    expect(m.cpu.regs[2]).toBe(0x12345678);
    expect(m.cpu.code32).toBe(true);
    expect(m.cpu.cpl).toBe(0);
  });

  it('raises segment and instruction faults with their error codes', () => {
    const m = runPm(`
      mov ax, SEL_NP
      PROBE 0, mov ds, ax
      PROBE 1, mov es, [bad_sel]
      mov ax, SEL_SMALL
      mov fs, ax
      PROBE 2, mov eax, [fs:0x1000]
      mov ax, SEL_RO
      mov gs, ax
      PROBE 3, mov [gs:0], eax
      mov ax, SEL_DOWN
      mov fs, ax
      PROBE 4, mov eax, [fs:0x800]
      PROBE 5, mov eax, [fs:0x2000]
      mov ax, SEL_RO
      PROBE 6, mov ss, ax
      mov ax, SEL_NP
      PROBE 7, mov ss, ax
      xor eax, eax
      mov es, ax
      PROBE 8, mov eax, [es:0]
      mov ax, SEL_DATA0
      mov es, ax
      xor eax, eax
      PROBE 9, mov ss, ax
      PROBE 10, ud2
      xor edx, edx
      xor ecx, ecx
      PROBE 11, div ecx
      PROBE 12, int3
      PROBE 13, bound eax, [bounds]
      PROBE 14, jmp SEL_DATA0:0
      mov eax, 1 << 20
      PROBE 15, mov cr4, eax
      PROBE 16, mov eax, [fs:0xffffffff]
      jmp done
    bad_sel: dw 0x1000
    bounds: dd 10, 20
    done:
      mov eax, 5
    `);
    expect(probe(m, 0)).toMatchObject({ vector: NP, error: 0x48 });
    expect(probe(m, 1)).toMatchObject({ vector: GP, error: 0x1000 });
    expect(probe(m, 2)).toMatchObject({ vector: GP, error: 0 });
    expect(probe(m, 3)).toMatchObject({ vector: GP, error: 0 });
    expect(probe(m, 4)).toMatchObject({ vector: GP, error: 0 });
    expect(probe(m, 5).vector).toBe(-1);
    expect(probe(m, 6)).toMatchObject({ vector: GP, error: 0x50 });
    expect(probe(m, 7)).toMatchObject({ vector: SS, error: 0x48 });
    expect(probe(m, 8)).toMatchObject({ vector: GP, error: 0 });
    expect(probe(m, 9)).toMatchObject({ vector: GP, error: 0 });
    expect(probe(m, 10).vector).toBe(UD);
    expect(probe(m, 11).vector).toBe(DE);
    expect(probe(m, 12).vector).toBe(BP);
    expect(probe(m, 13).vector).toBe(BR);
    expect(probe(m, 14)).toMatchObject({ vector: GP, error: 0x10 });
    expect(probe(m, 15)).toMatchObject({ vector: GP, error: 0 });
    expect(probe(m, 16)).toMatchObject({ vector: GP, error: 0 });
    expect(m.cpu.regs[0]).toBe(5);
  });

  it('reports the faulting instruction for faults and the next one for traps', () => {
    const m = runPm(`
      PROBE 0, ud2
      PROBE 1, int3
      jmp over
    over:
      mov eax, 0
    `);
    const ud = probe(m, 0);
    const bp = probe(m, 1);
    // ud2 is 2 bytes; PROBE stores 4 dwords of setup (40 bytes) before each instruction.
    expect(bp.eip - ud.eip).toBeGreaterThan(0);
    const image = m.parts.memory;
    expect(image.read8(ud.eip)).toBe(0x0f);
    expect(image.read8(ud.eip + 1)).toBe(0x0b);
    expect(image.read8(bp.eip - 1)).toBe(0xcc);
  });

  it('runs REP MOVS/STOS as block moves with byte-exact overlap and faults part-way', () => {
    const m = runPm(`
      mov edi, 0x40ffc
      mov ecx, 0x1001
      mov eax, 0x11223344
      rep stosd
      mov byte [0x20000], 0xab
      mov esi, 0x20000
      mov edi, 0x20001
      mov ecx, 100
      rep movsb
      mov esi, 0x40ffe
      mov edi, 0x30ffd
      mov ecx, 0x803
      rep movsw
      std
      mov esi, 0x44ffe
      mov edi, 0x54ffe
      mov ecx, 0x803
      rep movsw
      mov byte [0x60010], 0xcd
      mov esi, 0x60010
      mov edi, 0x6000f
      mov ecx, 0x11
      rep movsb
      cld
      mov ax, SEL_SMALL
      mov es, ax
      mov edi, 0xff0
      mov ecx, 0x40
      mov al, 0x77
      PROBE 0, rep stosb
    `);
    const mem = m.parts.memory;
    expect(mem.read32(0x40ffc)).toBe(0x11223344);
    expect(mem.read32(0x44ffc)).toBe(0x11223344);
    expect(mem.read32(0x45000)).toBe(0);
    for (let a = 0x20000; a <= 0x20064; a++) expect(mem.read8(a)).toBe(0xab);
    expect(mem.read8(0x20065)).toBe(0);
    expect(mem.read32(0x30ffd)).toBe(0x33441122);
    expect(mem.read16(0x30ffd + 0x1004)).toBe(0x1122);
    // Backwards: 0x803 words ending at 0x44ffe land ending at 0x54ffe.
    expect(mem.read32(0x54ffc)).toBe(0x11223344);
    expect(mem.read32(0x53ffc)).toBe(0x11223344);
    expect(mem.read16(0x54ffe - 0x1004)).toBe(0x1122);
    expect(mem.read16(0x54ffe - 0x1006)).toBe(0);
    // Backwards with the destination just below the source: the top byte runs all the way down.
    for (let a = 0x5ffff; a <= 0x60010; a++) expect(mem.read8(a)).toBe(0xcd);
    expect(mem.read8(0x5fffe)).toBe(0);
    expect(probe(m, 0)).toMatchObject({ vector: GP, error: 0 });
    expect(m.cpu.regs[1]).toBe(0x30);
    expect(m.cpu.regs[7]).toBe(0x1000);
    expect(mem.read8(0x10fff)).toBe(0x77);
  });

  it('accepts LOCK only on read-modify-write instructions with a memory destination', () => {
    const m = runPm(`
      PROBE 0, lock add [0x700], eax
      PROBE 1, lock mov [0x700], eax
      PROBE 2, lock add eax, ebx
      PROBE 3, lock bt dword [0x700], 3
      PROBE 4, lock bts dword [0x700], 3
      PROBE 5, lock cmpxchg8b [0x708]
      PROBE 6, lock xchg [0x700], eax
      PROBE 7, lock cmp [0x700], eax
    `);
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((n) => probe(m, n).vector)).toEqual([-1, UD, UD, UD, -1, -1, -1, UD]);
  });
});
