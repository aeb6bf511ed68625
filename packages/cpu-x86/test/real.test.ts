import { describe, expect, it } from 'vitest';
import { runReal } from './harness.js';

const CF = 1;
const ZF = 0x40;
const SF = 0x80;
const OF = 0x800;

describe('real mode basics', () => {
  it('runs from the reset vector and halts', () => {
    const m = runReal('mov ax, 0x1234\nmov bx, ax\nadd bx, 0x10\nhlt');
    expect(m.cpu.halted).toBe(true);
    expect(m.cpu.regs[3] & 0xffff).toBe(0x1244);
    expect(m.cpu.sel[1]).toBe(0xf000);
  });

  it('computes ADD/SUB/ADC/SBB flags', () => {
    const m = runReal(`
      mov ax, 0xffff
      add ax, 1          ; CF ZF
      pushf
      pop bx
      mov ax, 0x7fff
      add ax, 1          ; OF SF
      pushf
      pop cx
      stc
      mov ax, 5
      sbb ax, 5          ; CF SF (borrow)
      pushf
      pop dx
      mov si, ax
      hlt`);
    const r = m.cpu.regs;
    expect(r[3] & (CF | ZF | SF | OF)).toBe(CF | ZF);
    expect(r[1] & (CF | ZF | SF | OF)).toBe(OF | SF);
    expect(r[2] & (CF | ZF | SF | OF)).toBe(CF | SF);
    expect(r[6] & 0xffff).toBe(0xffff);
  });

  it('uses RAM and the stack', () => {
    const m = runReal(`
      xor ax, ax
      mov ds, ax
      mov ss, ax
      mov sp, 0x8000
      mov word [0x500], 0xbeef
      push word [0x500]
      pop cx
      call sub1
      hlt
    sub1:
      mov dx, 0x4242
      ret`);
    expect(m.cpu.regs[1] & 0xffff).toBe(0xbeef);
    expect(m.cpu.regs[2] & 0xffff).toBe(0x4242);
    expect(m.cpu.regs[4] & 0xffff).toBe(0x8000);
  });
});
