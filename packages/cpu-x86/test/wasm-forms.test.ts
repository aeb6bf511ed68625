import { describe, expect, it } from 'vitest';
import { assemble, type Bare, bare } from './harness.js';

// Random blocks of the forms WebAssembly units hold (jit/wasm/forms.ts),
// run in RAM with the translator and on the interpreter alone: registers,
// flags, memory and instruction counts must agree. A seeded generator, so a
// failure names its seed and repeats.

const ASM_DIR = new URL('./asm/', import.meta.url).pathname;
/** Where the block runs (RAM: units are dispatched from RAM pages only), its data, and the state dumps. */
const BLOCK = 0x20000;
const DATA = 0x30000;
const DATA_BYTES = 0x1000;
const DUMP = 0x700;

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Registers a block may change (EBX, ESI, EDI point into the data; ESP is the stack). */
const DST32 = ['eax', 'ecx', 'edx', 'ebp'];
const SRC32 = [...DST32, 'ebx', 'esi', 'edi'];
const DST8 = ['al', 'cl', 'dl', 'ah', 'ch', 'dh'];
const SRC8 = [...DST8, 'bl', 'bh'];
const ALU = ['add', 'or', 'adc', 'sbb', 'and', 'sub', 'xor', 'cmp'];
const SHIFT = ['shl', 'shr', 'sar', 'rol', 'ror', 'sal'];
const CC = ['o', 'no', 'b', 'ae', 'e', 'ne', 'be', 'a', 's', 'ns', 'p', 'np', 'l', 'ge', 'le', 'g'];

function block(random: () => number, length: number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
  const imm = () => `0x${Math.floor(random() * 0x100000000).toString(16)}`;
  const imm8 = () => String(Math.floor(random() * 256) - 128);
  const mem = (size: string) =>
    `${size} [${pick(['ebx', 'esi', 'edi'])} + ${Math.floor(random() * 0x7f0) - 0x3f0}]`;
  const r32 = () => pick(DST32);
  const forms: (() => string)[] = [
    () => `${pick(ALU)} ${r32()}, ${pick([pick(SRC32), imm(), `byte ${imm8()}`, mem('dword')])}`,
    () => `${pick(ALU)} ${mem('dword')}, ${pick([pick(SRC32), `dword ${imm()}`, `byte ${imm8()}`])}`,
    () => `${pick(ALU)} ${pick(DST8)}, ${pick([pick(SRC8), `byte ${imm8()}`, mem('byte')])}`,
    () => `${pick(ALU)} ${mem('byte')}, ${pick([pick(SRC8), `byte ${imm8()}`])}`,
    () => `${pick(ALU)} ${pick(['eax', 'al'])}, ${imm8()}`,
    () => `${pick(['inc', 'dec', 'neg', 'not'])} ${pick([r32(), pick(DST8), mem('dword'), mem('byte')])}`,
    () =>
      `test ${pick([`${r32()}, ${pick(SRC32)}`, `${mem('dword')}, ${r32()}`, `${pick(DST8)}, ${imm8()}`, `eax, ${imm()}`])}`,
    () =>
      `${pick(SHIFT)} ${pick([r32(), mem('dword')])}, ${pick(['1', 'cl', String(Math.floor(random() * 32))])}`,
    () => `imul ${r32()}, ${pick([pick(SRC32), mem('dword')])}`,
    () => `set${pick(CC)} ${pick([pick(DST8), mem('byte')])}`,
    () => `cmov${pick(CC)} ${r32()}, ${pick([pick(SRC32), mem('dword')])}`,
    () => `${pick(['movzx', 'movsx'])} ${r32()}, ${pick([pick(SRC8), mem('byte'), mem('word')])}`,
    () => `lea ${r32()}, [${pick(SRC32)} + ${pick(SRC32)}*${pick([1, 2, 4, 8])} + ${imm8()}]`,
    () => `xchg ${r32()}, ${pick([r32(), mem('dword')])}`,
    () => pick(['cdq', 'nop', `bswap ${r32()}`, 'lodsb', 'lodsd', 'stosb', 'stosd', 'movsb', 'movsd']),
    () =>
      `mov ${pick([`${r32()}, ${pick([pick(SRC32), imm(), mem('dword')])}`, `${mem('dword')}, ${pick(SRC32)}`])}`,
    () =>
      `mov ${pick([`${pick(DST8)}, ${pick([pick(SRC8), mem('byte')])}`, `${mem('byte')}, ${pick(SRC8)}`])}`,
    () => `mov ${pick(['eax', 'al'])}, [${DATA + Math.floor(random() * 0x7f0)}]`,
    () => `mov [${DATA + Math.floor(random() * 0x7f0)}], ${pick(['eax', 'al'])}`,
    () => `push ${pick([pick(SRC32), `dword ${imm()}`, `byte ${imm8()}`, mem('dword')])}\n  pop ${r32()}`,
    () => 'push ebp\n  mov ebp, esp\n  push eax\n  leave',
  ];
  const lines: string[] = [];
  for (let k = 0; k < length; k++) {
    if (random() < 0.12) lines.push(`j${pick(CC)} short .s${k}`, `  ${pick(forms)()}`, `.s${k}:`);
    else lines.push(pick(forms)());
  }
  return lines.map((l) => `  ${l}`).join('\n');
}

/** A program that copies the block to RAM and calls it three times from the same random state. */
function program(seed: number): Uint8Array {
  const random = rng(seed);
  const value = () => `0x${Math.floor(random() * 0x100000000).toString(16)}`;
  const flags = (Math.floor(random() * 0x10000) & 0x8d5) | 2 | (random() < 0.3 ? 0x400 : 0);
  const regs = DST32.map((r) => `  mov ${r}, ${value()}`).join('\n');
  return assemble(`%include "${ASM_DIR}pm.inc"
test_main:
  mov esi, block
  mov edi, ${BLOCK}
  mov ecx, block_end - block
  rep movsb
  mov dword [${DUMP}], 3
.again:
${regs}
  mov ebx, ${DATA + 0x400}
  mov esi, ${DATA + 0x800}
  mov edi, ${DATA + 0xc00}
  push dword ${flags}
  popfd
  call ${BLOCK}
  pushfd
  pop dword [${DUMP + 4}]
  cld
  dec dword [${DUMP}]
  jnz .again
  hlt
block:
${block(random, 24)}
  ret
block_end:
`);
}

function state(m: Bare) {
  const data = Array.from({ length: DATA_BYTES / 4 }, (_, k) => m.mem32(DATA + k * 4));
  return { registers: m.cpu.registers(), count: m.cpu.instructionCount, flags: m.mem32(DUMP + 4), data };
}

describe('WebAssembly units', () => {
  it('compute what the interpreter computes over random blocks of every form they hold', () => {
    let retired = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const code = program(seed);
      const jit = bare(code, undefined, undefined, { jit: true, jitHot: 1 });
      const interp = bare(code, undefined, undefined, { jit: false });
      for (const m of [jit, interp]) {
        m.run(200_000);
        expect(m.cpu.halted, `seed ${seed}`).toBe(true);
      }
      expect(state(jit), `seed ${seed}`).toEqual(state(interp));
      retired += jit.cpu.jitStats()!.retired;
    }
    // The blocks did run translated.
    expect(retired).toBeGreaterThan(60 * 20);
  });
});
