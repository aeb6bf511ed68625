import { Machine } from '@plugboard/core';
import { describe, expect, it } from 'vitest';
import { assemble, bare } from './harness.js';

const ASM_DIR = new URL('./asm/', import.meta.url).pathname;

/** A protected-mode program (`asm/pm.inc`) on the bare harness, not yet run. */
function pm(body: string) {
  return bare(assemble(`%include "${ASM_DIR}pm.inc"\ntest_main:\n${body}\n    hlt\n`));
}

// A routine at 0x20000: ADD EAX, imm32 (05 imm32) then RET.
const ROUTINE = `
    mov byte [0x20000], 0x05
    mov dword [0x20001], 1
    mov byte [0x20005], 0xc3
    mov ebx, 0x20000
    xor eax, eax`;

describe('the decode cache', () => {
  it('sees code rewritten by stores, by REP MOVS and by the instruction before it', () => {
    const m = pm(`${ROUTINE}
    call ebx                        ; +1 (decoded, cached)
    call ebx                        ; +1 (from the cache)
    mov dword [0x20001], 0x100      ; a store over cached code
    call ebx                        ; +0x100
    mov byte [0x30000], 0x05
    mov dword [0x30001], 0x10000
    mov esi, 0x30000
    mov edi, 0x20000
    mov ecx, 5
    cld
    rep movsb                       ; a block copy over cached code
    call ebx                        ; +0x10000
    mov [0x40000], eax
    ; At 0x20100: MOV BYTE [0x2010A], imm8; three NOPs; the byte it writes; RET.
    mov dword [0x20100], 0x10a05c6
    mov dword [0x20104], 0x90900002
    mov dword [0x20108], 0xc3909090
    mov ebx, 0x20100
    xor eax, eax
    call ebx                        ; writes NOP over the NOP at 0x2010A
    mov byte [0x20106], 0x40        ; now it writes INC EAX there
    call ebx                        ; the store runs from the cache, then INC EAX runs
    call ebx
    mov [0x40004], eax`);
    m.run();
    expect(m.cpu.halted).toBe(true);
    expect(m.mem32(0x40000)).toBe(0x10102);
    expect(m.mem32(0x40004)).toBe(2);
  });

  it('follows fall-through and branch links only while their page is unchanged', () => {
    // At 0x20200: ADD EAX, imm32; DEC ECX; JNZ back to the ADD; RET. Each call runs the loop from links.
    const m = pm(`
    mov dword [0x20200], 0x00000105
    mov dword [0x20204], 0xf8754900
    mov byte [0x20208], 0xc3
    mov ebx, 0x20200
    xor eax, eax
    mov ecx, 3
    call ebx                        ; +3
    mov ecx, 3
    call ebx                        ; +3, every instruction reached through a link
    mov dword [0x20201], 0x100      ; the ADD's immediate
    mov ecx, 3
    call ebx                        ; +0x300
    mov byte [0x20207], 0xfd        ; JNZ now loops on DEC alone
    mov ecx, 3
    call ebx                        ; +0x100 (the ADD runs once)
    mov [0x40000], eax`);
    m.run();
    expect(m.mem32(0x40000)).toBe(0x406);
  });

  it('sees code a bus master wrote over cached code', () => {
    const m = pm(`${ROUTINE}
    call ebx
    call ebx
    out 0x80, al                    ; the "device" rewrites the immediate by DMA
    call ebx
    mov [0x40000], eax`);
    m.parts.ports.register('dma', 0x80, 1, {
      read8: () => 0xff,
      write8: () => {
        m.parts.dma.write(0x20001, new Uint8Array([0, 0, 1, 0]));
      },
    });
    m.run();
    expect(m.mem32(0x40000)).toBe(0x10002);
  });
});

describe('virtual time', () => {
  it('is exact at a port access in the middle of a run slice', async () => {
    const m = pm(`
    out 0x80, al
    mov ecx, 50000
.loop:
    dec ecx
    jnz .loop
    out 0x80, al`);
    const seen: number[] = [];
    const machine = new Machine(m.parts);
    machine.cpu = m.cpu;
    m.parts.ports.register('time', 0x80, 1, {
      read8: () => 0xff,
      write8: () => {
        seen.push(m.parts.clock.now);
        if (seen.length === 2) machine.requestShutdown('second OUT', 0);
      },
    });
    await machine.run({ maxInstructions: 1_000_000 });
    // MOV ECX, 50000 DEC/JNZ pairs, then the second OUT: 100002 instructions later.
    expect(seen[1] - seen[0]).toBe(100_002 * m.parts.clock.options.nsPerInstruction);
  });
});
