import { beforeEach, describe, expect, it } from 'vitest';
import { Model } from '../src/model.js';
import { assemble, type Bare, bare } from './harness.js';

const ASM_DIR = new URL('./asm/', import.meta.url).pathname;
const IDT = 0x2000;

/** Points IDT vector `v` (the pm.inc frame's IDT) at label `handler`. */
const gate = (v: number, handler: string) => `
    mov eax, ${handler}
    mov [${IDT + v * 8}], ax
    shr eax, 16
    mov [${IDT + v * 8 + 6}], ax`;

/** The protected-mode program `body`, assembled once. */
function program(body: string): Uint8Array {
  return assemble(`%include "${ASM_DIR}pm.inc"\ntest_main:\n${body}\n    hlt\n`);
}

/** Everything a run leaves that the two modes must agree on. */
function state(m: Bare) {
  const low = Array.from({ length: 0x400 }, (_, k) => m.mem32(0x600 + k * 4));
  const stack = Array.from({ length: 16 }, (_, k) => m.mem32(0x90000 - 64 + k * 4));
  return { registers: m.cpu.registers(), count: m.cpu.instructionCount, low, stack };
}

/**
 * Runs `code` with the translator (every entry translated at its first
 * repeat) and with the interpreter alone, with `setup` wiring devices into
 * each machine and `drive` running it; returns both machines after checking
 * that they agree on registers, flags, instruction count and memory.
 */
function both(code: Uint8Array, setup: (m: Bare) => void = () => {}, drive = (m: Bare) => m.run()) {
  const { codeInRam } = placement;
  const jit = bare(code, undefined, undefined, { jit: true, jitHot: 1, codeInRam });
  const interp = bare(code, undefined, undefined, { jit: false, codeInRam });
  for (const m of [jit, interp]) {
    setup(m);
    drive(m);
    expect(m.cpu.halted).toBe(true);
  }
  expect(state(jit)).toEqual(state(interp));
  const stats = jit.cpu.jitStats()!;
  expect(stats.units).toBeGreaterThan(0);
  expect(stats.retired).toBeGreaterThan(0);
  if (codeInRam) expect(stats.webAssembly).toBeGreaterThan(0);
  expect(interp.cpu.jitStats()).toBeNull();
  return { jit, interp, stats };
}

/**
 * Runs slices as a machine does: each ends where the next timer falls due,
 * the clock moves on and due timers fire between slices.
 */
function driveWithTimers(m: Bare): void {
  const clock = m.parts.clock;
  for (let total = 0; total < 2_000_000 && !m.cpu.halted; ) {
    const budget = Math.min(clock.instructionsUntilDeadline(), 5000);
    const n = budget > 0 ? m.cpu.run(budget) : 0;
    clock.advance(n);
    clock.runDue();
    total += n;
  }
}

/** Where `both` puts the program: ROM runs JavaScript units, RAM WebAssembly ones (dispatched from RAM only). */
const placement = { codeInRam: false };

describe.each([
  ['ROM (JavaScript units)', false],
  ['RAM (WebAssembly units)', true],
])('the translator, the program in %s', (_, codeInRam) => {
  beforeEach(() => {
    placement.codeInRam = codeInRam;
  });

  it('leaves a unit when it stores over one of its own later instructions', () => {
    // At 0x20000: MOV [0x2000F], CL; nine NOPs; the byte CL writes; RET.
    // The unit is translated while that byte is a NOP, then a call stores INC EAX there.
    const { jit } = both(
      program(`
    mov dword [0x20000], 0x000f0d88
    mov dword [0x20004], 0x90900002
    mov dword [0x20008], 0x90909090
    mov dword [0x2000c], 0x90909090
    mov byte [0x20010], 0xc3
    xor eax, eax
    mov ebx, 0x20000
    mov esi, 6
.again:
    mov cl, 0x90
    call ebx
    dec esi
    jnz .again
    mov cl, 0x40
    call ebx                        ; INC EAX runs once
    call ebx                        ; and again, now translated as it is
    mov [0x700], eax`),
    );
    expect(jit.mem32(0x700)).toBe(2);
    expect(jit.cpu.jitStats()!.invalidations).toBeGreaterThan(0);
  });

  it('raises #UD for an instruction the model lacks, translated as interpreted (CMOV on a Pentium)', () => {
    const code = program(`
    ${gate(6, 'ud_stop')}
    mov dword [0x704], use_cmov
    mov ecx, 50
    xor eax, eax
again:
    add eax, ecx
    dec ecx
    jnz again                       ; hot: translated after its first repeat
    mov ecx, 3
spin:
    add eax, 1
    cmp ecx, 1
    je use_cmov
    dec ecx
    jmp spin                        ; the unit is translated before CMOV is reached
use_cmov:
    cmove eax, ecx
    hlt
ud_stop:
    hlt`);
    const runs = [true, false].map((jit) => {
      const m = bare(code, undefined, new Model('pentium', 0, null), { jit, jitHot: 1 });
      m.run();
      return m;
    });
    for (const m of runs) {
      expect(m.cpu.halted).toBe(true);
      // The #UD frame's EIP is the CMOV's.
      expect(m.mem32(m.cpu.registers().ESP)).toBe(m.mem32(0x704));
    }
    expect(state(runs[0])).toEqual(state(runs[1]));
    expect(runs[0].cpu.jitStats()!.units).toBeGreaterThan(0);
  });

  it('stops at a page fault in the middle of a unit with EIP, registers, flags and count exact', () => {
    const { jit } = both(
      program(`
    PAGING_ON
    mov dword [PT + 0x300 * 4], 0   ; 0x300000 is not present
    ${gate(14, 'pf_stop')}
    mov dword [0x704], fault_here
    mov ecx, 20
    mov ebx, 0x2fffc0
    mov edx, 12345
    xor eax, eax
pass:
    add eax, ecx
    mov [ebx], eax
    add ebx, 16
    sub edx, eax
fault_here:
    mov esi, [ebx]                  ; the fourth pass reads 0x300000
    lea edi, [esi + eax]
    dec ecx
    jnz pass
    hlt
pf_stop:
    hlt`),
    );
    // The #PF frame: error code, then EIP of the faulting MOV, CS, EFLAGS.
    const sp = jit.cpu.registers().ESP;
    expect(jit.mem32(sp + 4)).toBe(jit.mem32(0x704));
    expect(jit.cpu.registers().CR2).toBe(0x300000);
    expect(jit.cpu.registers().ECX).toBe(17);
  });

  it('sees a bus master write over a translated page', () => {
    const code = program(`
    mov byte [0x20000], 0x05        ; ADD EAX, 1; RET
    mov dword [0x20001], 1
    mov byte [0x20005], 0xc3
    mov ebx, 0x20000
    xor eax, eax
    mov ecx, 5
.warm:
    call ebx
    dec ecx
    jnz .warm
    out 0x80, al                    ; the "device" rewrites the immediate by DMA
    call ebx
    call ebx
    mov [0x700], eax`);
    const { jit } = both(code, (m) =>
      m.parts.ports.register('dma', 0x80, 1, {
        read8: () => 0xff,
        write8: () => m.parts.dma.write(0x20001, new Uint8Array([0, 0, 1, 0])),
      }),
    );
    expect(jit.mem32(0x700)).toBe(5 + 0x20000);
  });

  it('runs what a remap put under a translated page and keeps the units of other pages', () => {
    const code = program(`
    mov byte [0x20000], 0x05        ; ADD EAX, 1; RET
    mov dword [0x20001], 1
    mov byte [0x20005], 0xc3
    mov byte [0x21000], 0x05        ; ADD EAX, 0x100; RET
    mov dword [0x21001], 0x100
    mov byte [0x21005], 0xc3
    xor eax, eax
    mov ecx, 5
.warm:
    mov ebx, 0x20000
    call ebx
    mov ebx, 0x21000
    call ebx
    dec ecx
    jnz .warm
    out 0x80, al                    ; the "chipset" maps a ROM page over 0x20000
    mov ebx, 0x20000
    call ebx
    mov ebx, 0x21000
    call ebx
    mov [0x700], eax`);
    // At 0x20000 of the ROM page: ADD EAX, 0x10000; RET.
    const rom = new Uint8Array(0x1000);
    rom.set([0x05, 0, 0, 1, 0, 0xc3]);
    const remap = (m: Bare) =>
      m.parts.ports.register('pam', 0x80, 1, {
        read8: () => 0xff,
        write8: () => m.parts.memory.mapBuffer(0x20000, rom, 0, 0x1000, false),
      });
    const { jit, stats } = both(code, remap);
    expect(jit.mem32(0x700)).toBe(5 * 0x101 + 0x10000 + 0x100);
    // Only the remapped page's unit went: no more flushes than a run without the remap.
    expect(stats.invalidations).toBe(1);
    expect(stats.flushes).toBe(both(code).stats.flushes);
  });

  it('runs an instruction that crosses the page end with the next page as it is now', () => {
    // At 0x20FF8: NOP; ADD EAX, EBX; INC ECX; MOV EDX, imm32 across 0x21000; ADD EAX, EDX; RET.
    // A unit holds the MOV (with the next page's bytes compared when it runs), until the
    // immediate's last byte changes on the next page, which the page's stamp does not see.
    const { jit } = both(
      program(`
    mov dword [0x20ff8], 0x41d80190
    mov dword [0x20ffc], 0x123400ba
    mov dword [0x21000], 0xc3d00100
    xor eax, eax
    mov ebx, 0x10
    mov esi, 5
.warm:
    mov ebp, 0x20ff8
    call ebp
    dec esi
    jnz .warm
    mov byte [0x21000], 0x56        ; the immediate's last byte, on the next page
    call ebp
    mov [0x700], eax
    mov [0x704], edx`),
    );
    expect(jit.mem32(0x704)).toBe(0x56123400 | 0);
    expect(jit.mem32(0x700)).toBe((6 * 0x10 + 5 * 0x123400 + 0x56123400) >>> 0);
  });

  it('takes an interrupt at the same instruction with and without units', () => {
    // A timer set by OUT 0x80 raises INTR a few hundred instructions into a tight loop.
    const code = program(`
    ${gate(30, 'irq')}
    xor eax, eax
    mov ecx, 100000
    sti
    out 0x80, al
.spin:
    add eax, ecx
    xor edx, eax
    dec ecx
    jnz .spin
    hlt
irq:
    hlt`);
    const { jit } = both(
      code,
      (m) => {
        const fire = m.parts.clock.createTimer('irq', () => m.parts.cpuPins.setIntr(true));
        m.parts.cpuPins.intController = { acknowledge: () => 30 };
        m.parts.ports.register('timer', 0x80, 1, {
          read8: () => 0xff,
          write8: () => fire.armIn(333 * m.parts.clock.options.nsPerInstruction),
        });
      },
      driveWithTimers,
    );
    const r = jit.cpu.registers();
    expect(r.ECX).toBeGreaterThan(99_800);
    expect(r.ECX).toBeLessThan(100_000);
  });

  it('leaves a unit where an MMIO store arms a timer or raises an interrupt', () => {
    // The store arms a timer due 3 instructions later (lowering the slice limit) and,
    // at the next store, raises INTR at once (pins.attention).
    const code = program(`
    ${gate(30, 'irq')}
    xor eax, eax
    mov ecx, 50
    sti
.loop:
    inc eax
    mov [0xe0000000], eax
    add edx, eax
    add edx, ecx
    add edx, eax
    add edx, ecx
    dec ecx
    jnz .loop
    hlt
irq:
    add dword [0x708], 1
    iret`);
    const { jit } = both(
      code,
      (m) => {
        const parts = m.parts;
        let writes = 0;
        const late = parts.clock.createTimer('late', () => {
          parts.cpuPins.setIntr(true);
        });
        parts.cpuPins.intController = {
          acknowledge: () => {
            parts.cpuPins.intr = false;
            return 30;
          },
        };
        parts.memory.mapMmio('probe', 0xe0000000, 0x1000, {
          read8: () => 0,
          write8: () => {},
          write32: () => {
            writes++;
            // Every 7th store: a timer 3 instructions on; every 11th: INTR now.
            if (writes % 7 === 0) late.armIn(3 * parts.clock.options.nsPerInstruction);
            if (writes % 11 === 0) parts.cpuPins.setIntr(true);
          },
        });
      },
      driveWithTimers,
    );
    expect(jit.mem32(0x708)).toBe(7 + 4);
  });

  it('does IN and OUT at the interpreter times, and leaves where one arms a timer, raises INTR or writes code', () => {
    // At 0x20000: OUT 0x90, EAX; ADD ESI, 1; RET. Every 13th OUT rewrites the ADD's immediate by DMA.
    const code = program(`
    ${gate(30, 'irq')}
    mov byte [0x20000], 0xe7
    mov byte [0x20001], 0x90
    mov dword [0x20002], 0xc301c683
    mov ebx, 0x20000
    xor esi, esi
    mov ecx, 60
    sti
.loop:
    mov eax, ecx
    call ebx
    in al, 0x91
    add esi, eax
    mov dx, 0x92
    in ax, dx
    add esi, eax
    dec ecx
    jnz .loop
    mov [0x700], esi
    hlt
irq:
    add dword [0x708], 1
    iret`);
    // What each machine's device saw: port, value (OUT) and the instruction count of every access.
    const logs = new Map<Bare, number[]>();
    const probe = (m: Bare) => {
      const parts = m.parts;
      const log: number[] = [];
      logs.set(m, log);
      const now = () => parts.clock.position();
      let outs = 0;
      const late = parts.clock.createTimer('late', () => parts.cpuPins.setIntr(true));
      parts.cpuPins.intController = {
        acknowledge: () => {
          parts.cpuPins.intr = false;
          return 30;
        },
      };
      parts.ports.register('probe', 0x90, 4, {
        read8: (o) => log.push(o, now()) && now() & 0xff,
        read16: (o) => log.push(o, now()) && now() & 0xffff,
        write8: () => {},
        write32: (o, v) => {
          log.push(o, v, now());
          outs++;
          // Every 7th: a timer 3 instructions on; every 11th: INTR now; every 13th: code written.
          if (outs % 7 === 0) late.armIn(3 * parts.clock.options.nsPerInstruction);
          if (outs % 11 === 0) parts.cpuPins.setIntr(true);
          if (outs % 13 === 0) parts.dma.write(0x20004, new Uint8Array([outs]));
        },
      });
    };
    const { jit, interp, stats } = both(code, probe, driveWithTimers);
    expect(logs.get(jit)).toEqual(logs.get(interp));
    expect(logs.get(jit)!.length).toBe(60 * 3 + 2 * 60 * 2);
    expect(jit.mem32(0x708)).toBe(8 + 5);
    expect(stats.invalidations).toBeGreaterThan(0);
  });
});

describe('the translator compiling in the background', () => {
  it('enters units once their module is ready, between slices, with the interpreter results', async () => {
    // A loop over calls to two functions: its units are written after a few passes and compiled off
    // the run loop's thread; the slices before they are ready run on the interpreter.
    const code = program(`
    xor eax, eax
    mov ecx, 30000
.loop:
    call .mix
    call .fold
    dec ecx
    jnz .loop
    mov [0x700], eax
    mov [0x704], edx
    hlt
.mix:
    add eax, ecx
    rol eax, 3
    ret
.fold:
    xor edx, eax
    imul edx, edx, 0x9e3779b1
    ret`);
    const jit = bare(code, undefined, undefined, {
      jit: true,
      jitHot: 50,
      codeInRam: true,
      jitBackground: true,
    });
    const interp = bare(code, undefined, undefined, { jit: false, codeInRam: true });
    let slices = 0;
    while (!jit.cpu.halted && slices++ < 10_000) {
      jit.cpu.run(2000);
      // The host's turn, as the machine's run loop yields: compiled modules are installed here.
      await new Promise((resolve) => setImmediate(resolve));
    }
    interp.run();
    expect(jit.cpu.halted).toBe(true);
    expect(state(jit)).toEqual(state(interp));
    // Modules still compiling when the program ended are installed (or dropped) in their turn.
    for (let turns = 0; jit.cpu.jitStats()!.pending > 0 && turns < 1000; turns++)
      await new Promise((resolve) => setTimeout(resolve, 5));
    const stats = jit.cpu.jitStats()!;
    expect(stats.webAssembly).toBeGreaterThan(0);
    expect(stats.pending).toBe(0);
    // Most of the loop ran in units, though none was ready when it was first written.
    expect(stats.retired).toBeGreaterThan(jit.cpu.instructionCount / 2);
  });
});
