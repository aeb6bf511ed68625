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

  it('rotates set CF and OF and leave the flags the instruction before computed', () => {
    const m = runReal(`
      mov ax, 0x7fff
      add ax, 1          ; OF SF AF PF, no CF, no ZF
      rol ax, 1          ; 0x0001: CF 1, OF = MSB ^ CF = 1; SF ZF AF PF still the ADD's
      pushf
      pop bx
      mov ax, 0xc000
      add ax, 0          ; SF PF, no OF
      ror ax, 1          ; 0x6000: CF = MSB = 0, OF = bit 15 ^ bit 14 = 1; SF ZF AF PF still the ADD's
      pushf
      pop cx
      hlt`);
    const r = m.cpu.regs;
    const ARITH = 0x8d5;
    expect(r[3] & ARITH).toBe(OF | SF | 0x10 | 4 | CF);
    expect(r[1] & ARITH).toBe(SF | 4 | OF);
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

  it('delivers #DE and INT n through the IVT and returns with IRET', () => {
    const m = runReal(`
      xor ax, ax
      mov ds, ax
      mov ss, ax
      mov sp, 0x7000
      mov word [0 * 4], de_handler
      mov word [0 * 4 + 2], cs
      mov word [0x40 * 4], int40
      mov word [0x40 * 4 + 2], cs
      mov ax, 100
      xor cl, cl
      div cl
      mov si, 0x77
      int 0x40
      hlt
    de_handler:
      mov bx, sp
      mov dx, [bx]            ; faulting IP
      add word [bx], 2        ; skip "div cl"
      iret
    int40:
      pushf
      pop di
      mov bp, 0x5555
      iret`);
    const r = m.cpu.regs;
    expect(m.parts.memory.read8(0xf0000 + (r[2] & 0xffff))).toBe(0xf6);
    expect(r[6] & 0xffff).toBe(0x77);
    expect(r[5] & 0xffff).toBe(0x5555);
    expect(r[7] & 0x200).toBe(0);
    expect(r[4] & 0xffff).toBe(0x7000);
  });

  it('runs far CALL/RETF and string instructions with REP and segment overrides', () => {
    const m = runReal(`
      mov ax, 0x1000
      mov ds, ax
      mov ax, 0x2000
      mov es, ax
      mov ax, 0x3000
      mov fs, ax
      xor ax, ax
      mov ss, ax
      mov sp, 0x7000
      cld
      mov di, 0
      mov cx, 16
      mov al, 0x5a
      rep stosb               ; ES:0..15 = 5a
      mov byte [es:10], 0x99
      mov di, 0
      mov cx, 16
      mov al, 0x99
      repne scasb             ; stops after offset 10
      mov [fs:0], cx
      mov [fs:2], di
      mov si, 0
      mov di, 0x100
      mov cx, 8
      es rep movsw            ; ES:0 -> ES:0x100 (source override)
      mov si, 0
      mov di, 0x100
      mov cx, 16
      repe cmpsb              ; all equal through ES: on both sides? source is DS
      mov [fs:4], cx
      call 0xf000:farproc
      mov [fs:6], bx
      std
      mov si, 0x10f
      mov cx, 4
      lea di, [0x20f]
      es rep movsb
      cld
      hlt
    farproc:
      mov bx, 0xabcd
      retf`);
    const mem = m.parts.memory;
    expect(mem.read16(0x30000)).toBe(5);
    expect(mem.read16(0x30002)).toBe(11);
    for (let n = 0; n < 16; n++) expect(mem.read8(0x20100 + n)).toBe(n === 10 ? 0x99 : 0x5a);
    // DS:0 (zeroes) against ES:0x100: the first byte differs, so REPE stops at once.
    expect(mem.read16(0x30004)).toBe(15);
    expect(mem.read16(0x30006)).toBe(0xabcd);
    expect(mem.read8(0x2020f)).toBe(0x5a);
    expect(mem.read8(0x2020c)).toBe(0x5a);
    expect(m.cpu.regs[1] & 0xffff).toBe(0);
  });

  it('counts the TSC in virtual time, instruction by instruction', () => {
    const m = runReal(`
      rdtsc
      mov ebx, eax
      nop
      nop
      rdtsc
      sub eax, ebx
      hlt`);
    // 1 ns per instruction and a 1 GHz TSC: the second RDTSC runs 4 instructions after the first.
    expect(m.cpu.regs[0]).toBe(4);
  });

  it('builds nested frames with ENTER and unwinds them with LEAVE', () => {
    const m = runReal(`
      xor ax, ax
      mov ss, ax
      mov ds, ax
      mov sp, 0x7000
      mov bp, 0x1234
      enter 8, 0              ; push bp; bp = 0x6ffe; sp -= 8
      mov [0x600], bp
      mov [0x602], sp
      enter 4, 2              ; push bp, push [bp-2], push frame
      mov [0x604], bp
      mov [0x606], sp
      leave
      mov [0x608], bp
      mov [0x60a], sp
      leave
      mov [0x60c], bp
      mov [0x60e], sp
      hlt`);
    const w = (a: number) => m.parts.memory.read16(a);
    expect(w(0x600)).toBe(0x6ffe);
    expect(w(0x602)).toBe(0x6ff6);
    // Level 2: old BP pushed at 0x6ff4, the outer frame's [BP-2] at 0x6ff2, the new frame pointer at 0x6ff0.
    expect(w(0x604)).toBe(0x6ff4);
    expect(w(0x6ff4)).toBe(0x6ffe);
    expect(w(0x6ff2)).toBe(w(0x6ffe - 2));
    expect(w(0x6ff0)).toBe(0x6ff4);
    expect(w(0x606)).toBe(0x6fec);
    expect(w(0x608)).toBe(0x6ffe);
    expect(w(0x60a)).toBe(0x6ff6);
    expect(w(0x60c)).toBe(0x1234);
    expect(w(0x60e)).toBe(0x7000);
  });

  it('multiplies 32-bit extremes exactly', () => {
    const m = runReal(`
      mov eax, 0xffffffff
      mov ecx, eax
      mul ecx
      mov esi, eax
      mov edi, edx
      mov eax, 0x80000000
      mov ecx, eax
      imul ecx
      mov ebp, edx
      mov ebx, eax
      mov eax, 0x12345678
      mov ecx, 0x9abcdef1
      mul ecx
      hlt`);
    const r = m.cpu.regs;
    expect(r[6] >>> 0).toBe(1);
    expect(r[7] >>> 0).toBe(0xfffffffe);
    expect(r[5] >>> 0).toBe(0x40000000);
    expect(r[3] >>> 0).toBe(0);
    const p = 0x12345678n * 0x9abcdef1n;
    expect(r[0] >>> 0).toBe(Number(p & 0xffffffffn));
    expect(r[2] >>> 0).toBe(Number(p >> 32n));
  });
});
