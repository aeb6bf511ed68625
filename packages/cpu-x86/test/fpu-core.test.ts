import { describe, expect, it } from 'vitest';
import { runReal } from './harness.js';

const CF = 1;
const ZF = 0x40;

/** Real-mode prologue: flat data and stack at 0, and IVT entries for #NM (7) and #MF (16). */
const PROLOGUE = `
  xor ax, ax
  mov ds, ax
  mov ss, ax
  mov sp, 0x7000
  mov word [7 * 4], nm
  mov word [7 * 4 + 2], cs
  mov word [16 * 4], mf
  mov word [16 * 4 + 2], cs
  jmp main
nm:
  inc byte [0x600]
  clts
  iret
mf:
  inc byte [0x601]
  fnclex
  iret
main:
`;

describe('x87 integration with the core', () => {
  it('sets EFLAGS from FCOMI, moves with FCMOVcc and stores the status word in AX', () => {
    const m = runReal(`${PROLOGUE}
      fninit
      fld1
      fldz
      fcomi st0, st1
      pushf
      pop bx
      fcmovb st0, st1
      fistp word [0x610]
      fnstsw ax
      hlt`);
    expect(m.cpu.regs[3] & (CF | ZF)).toBe(CF);
    expect(m.parts.memory.read16(0x610)).toBe(1);
    expect(m.cpu.regs[0] & 0x3800).toBe(0x3800);
  });

  it('raises #NM for an escape while CR0.TS is set, and for FWAIT only with CR0.MP', () => {
    const m = runReal(`${PROLOGUE}
      fninit
      mov eax, cr0
      or al, 8
      mov cr0, eax
      fwait
      fld1
      mov eax, cr0
      or al, 0x0a
      mov cr0, eax
      fwait
      hlt`);
    expect(m.parts.memory.read8(0x600)).toBe(2);
  });

  it('reports an unmasked exception as #MF with CR0.NE and as FERR# (IRQ 13) without', () => {
    const program = (ne: boolean) => `${PROLOGUE}
      mov eax, cr0
      ${ne ? 'or eax, 0x20' : 'and eax, ~0x20'}
      mov cr0, eax
      fninit
      mov word [0x620], 0x037e
      fldcw [0x620]
      fld1
      fchs
      fsqrt
      fwait
      hlt`;
    const withNe = runReal(program(true));
    expect(withNe.parts.memory.read8(0x601)).toBe(1);
    expect(withNe.parts.isaIrqs.level(13)).toBe(false);
    const withoutNe = runReal(program(false));
    expect(withoutNe.parts.memory.read8(0x601)).toBe(0);
    expect(withoutNe.parts.isaIrqs.level(13)).toBe(true);
  });
});
