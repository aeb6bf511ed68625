import { describe, expect, it } from 'vitest';
import { assemble, bare, probe, runPm } from './harness.js';

const ASM_DIR = new URL('./asm/', import.meta.url).pathname;

const GP = 13;

describe('privilege levels', () => {
  it('calls through a call gate to ring 0 with a stack switch and returns to ring 3', () => {
    const m = runPm(`
      mov eax, gate_target
      mov [GDT_RAM + 0x30], ax
      shr eax, 16
      mov [GDT_RAM + 0x36], ax
      PROBE3 0, call SEL_CGATE:0
      jmp done
    gate_target:
      mov [0x700], cs
      mov [0x704], ss
      mov [0x708], esp
      mov eax, [esp + 8]
      mov [0x70c], eax
      mov eax, [esp + 4]
      mov [0x710], eax
      retf
    done:
    `);
    expect(m.mem32(0x700) & 0xffff).toBe(0x08);
    expect(m.mem32(0x704) & 0xffff).toBe(0x10);
    expect(m.mem32(0x708)).toBe(0x80000 - 16);
    expect(m.mem32(0x70c)).toBe(0x70000);
    expect(m.mem32(0x710)).toBe(0x1b);
    // Back in ring 3 after RETF: the HLT that follows raises #GP(0).
    expect(probe(m, 0)).toMatchObject({ vector: GP, error: 0 });
    expect(m.parts.memory.read8(probe(m, 0).eip)).toBe(0xf4);
  });

  it('traps IOPL-sensitive and privileged instructions in ring 3', () => {
    const m = runPm(`
      PROBE3 0, cli
      PROBE3 1, in al, 0x80
      PROBE3 2, in al, 0x70
      PROBE3 3, int 0x0d
      PROBE3 4, mov ds, [sel0]
      PROBE3 5, mov eax, cr0
      PROBE3 6, out 0x84, eax
      PROBE3 7, out 0x86, eax
      pushfd
      or dword [esp], 3 << 12
      popfd
      PROBE3 8, cli
      PROBE3 9, in al, 0x70
      jmp done
    sel0: dw 0x10
    done:
    `);
    const at = (n: number) => m.parts.memory.read8(probe(m, n).eip);
    expect(probe(m, 0)).toMatchObject({ vector: GP, error: 0 });
    expect(at(0)).toBe(0xfa);
    expect(at(1)).toBe(0xf4);
    expect(probe(m, 2)).toMatchObject({ vector: GP, error: 0 });
    expect(at(2)).toBe(0xe4);
    expect(probe(m, 3)).toMatchObject({ vector: GP, error: 0x0d * 8 + 2 });
    expect(probe(m, 4)).toMatchObject({ vector: GP, error: 0x10 });
    expect(probe(m, 5)).toMatchObject({ vector: GP, error: 0 });
    expect(at(6)).toBe(0xf4);
    // A 4-byte access at 0x86 reaches 0x88, which the bitmap forbids.
    expect(at(7)).toBe(0xe7);
    expect(at(8)).toBe(0xf4);
    expect(at(9)).toBe(0xf4);
  });

  it('traps IN in ring 3 at IOPL 0 also once the code around it is translated', () => {
    // Translated units make IN and OUT themselves (jit/wasm/host.ts): they must leave the #GP to the interpreter.
    // In RAM, where units are WebAssembly.
    const m = bare(
      assemble(`%include "${ASM_DIR}pm.inc"
test_main:
      mov dword [0x7f0], 6
    again:
      PROBE3 0, in al, 0x70
      mov eax, [results]
      add [0x7f4], eax
      mov eax, [results + 12]
      movzx eax, byte [eax]         ; the opcode #GP stopped at: IN's, not the HLT's after it
      add [0x7f8], eax
      dec dword [0x7f0]
      jnz again
      hlt`),
      undefined,
      undefined,
      { codeInRam: true },
    );
    m.run();
    expect(m.cpu.jitStats()?.webAssembly ?? 1).toBeGreaterThan(0);
    expect(probe(m, 0)).toMatchObject({ vector: GP, error: 0 });
    expect(m.mem32(0x7f4)).toBe(6 * GP);
    expect(m.mem32(0x7f8)).toBe(6 * 0xe4);
  });
});

describe('hardware task switching', () => {
  const tss1 = `
      mov dword [TSS1 + 0x20], task1
      mov dword [TSS1 + 0x24], 2
      mov dword [TSS1 + 0x38], 0x60000
      mov dword [TSS1 + 0x48], SEL_DATA0
      mov dword [TSS1 + 0x4c], SEL_CODE0
      mov dword [TSS1 + 0x50], SEL_DATA0
      mov dword [TSS1 + 0x54], SEL_DATA0
      mov dword [TSS1 + 0x58], SEL_DATA0
      mov dword [TSS1 + 0x5c], SEL_DATA0
  `;

  it('switches through a task gate and back with IRET (NT, back link, busy bits)', () => {
    const m = runPm(`
      ${tss1}
      mov ebx, 0x1111
      call SEL_TGATE:0
      str eax
      mov [0x72c], eax
      mov al, [GDT_RAM + 0x28 + 5]
      mov [0x730], al
      mov al, [GDT_RAM + 0x58 + 5]
      mov [0x734], al
      jmp done
    task1:
      str eax
      mov [0x720], eax
      pushfd
      pop eax
      mov [0x724], eax
      mov eax, [TSS1]
      mov [0x728], eax
      mov [0x738], ebx
      mov al, [GDT_RAM + 0x28 + 5]
      mov [0x73c], al
      iretd
    done:
    `);
    expect(m.mem32(0x720) & 0xffff).toBe(0x58);
    expect(m.mem32(0x724) & 0x4000).toBe(0x4000);
    expect(m.mem32(0x728) & 0xffff).toBe(0x28);
    expect(m.mem32(0x738)).toBe(0);
    // Both busy while nested; after IRET only the outer task is.
    expect(m.mem32(0x73c) & 0xff).toBe(0x8b);
    expect(m.mem32(0x72c) & 0xffff).toBe(0x28);
    expect(m.mem32(0x730) & 0xff).toBe(0x8b);
    expect(m.mem32(0x734) & 0xff).toBe(0x89);
    expect(m.cpu.regs[3]).toBe(0x1111);
    expect(m.cpu.cr0 & 8).toBe(8);
  });

  it('raises #TS in the new task for a bad LDT selector in the TSS', () => {
    const m = runPm(`
      ${tss1}
      mov dword [TSS1 + 0x60], 0x0ff8
      PROBE 0, call SEL_TGATE:0
      str eax
      mov [0x750], eax
    task1:
    `);
    expect(probe(m, 0)).toMatchObject({ vector: 10, error: 0x0ff8 });
    expect(m.mem32(0x750) & 0xffff).toBe(0x58);
  });

  it('takes a double fault through a task gate, as Linux does', () => {
    const m = runPm(`
      ${tss1}
      mov dword [IDT + 8 * 8], SEL_TSS1 << 16
      mov dword [IDT + 8 * 8 + 4], 0x8500
      and byte [IDT + 11 * 8 + 5], 0x7f
      mov ax, SEL_NP
      mov ds, ax
    task1:
      str eax
      mov [0x740], eax
      pop eax
      mov [0x744], eax
      mov eax, [TSS0 + 0x20]
      mov [0x748], eax
      hlt
    `);
    expect(m.mem32(0x740) & 0xffff).toBe(0x58);
    expect(m.mem32(0x744)).toBe(0);
    expect(m.resets).toEqual([]);
  });
});

describe('virtual-8086 mode', () => {
  const enterV86 = (eflags: number) => `
      mov esi, v86code
      mov edi, 0x50000
      mov ecx, v86end - v86code
      rep movsb
      mov dword [resume], after
      push dword 0
      push dword 0
      push dword 0
      push dword 0
      push dword 0x5000
      push dword 0x0f00
      push dword ${eflags}
      push dword 0x5000
      push dword 0
      iretd
    bits 16
    v86code:
      mov bx, 0x1234
      mov cx, cs
      cli
      int 0x21
      hlt
    v86end:
    bits 32
    after:
  `;

  it('traps CLI to ring 0 with #GP(0) when IOPL < 3', () => {
    const m = runPm(enterV86(0x20002));
    expect(m.mem32(0x600)).toBe(GP);
    expect(m.mem32(0x604)).toBe(0);
    expect(m.mem32(0x608)).toBe(5);
    expect(m.cpu.regs[3] & 0xffff).toBe(0x1234);
    expect(m.cpu.regs[1] & 0xffff).toBe(0x5000);
    // The ring-0 stack holds GS FS DS ES SS ESP EFLAGS CS (EIP and the error code were popped).
    expect(m.mem32(0x80000 - 4)).toBe(0);
    expect(m.mem32(0x80000 - 20)).toBe(0x5000);
    expect(m.mem32(0x80000 - 24)).toBe(0x0f00);
    expect(m.mem32(0x80000 - 28) & 0x20000).toBe(0x20000);
  });

  it('lets CLI run at IOPL 3 and sends INT n through the protected-mode IDT', () => {
    const m = runPm(enterV86(0x23002));
    expect(m.mem32(0x600)).toBe(GP);
    expect(m.mem32(0x604)).toBe(0x21 * 8 + 2);
    expect(m.mem32(0x608)).toBe(6);
  });
});
