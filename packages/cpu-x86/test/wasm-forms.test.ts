import { describe, expect, it } from 'vitest';
import { Model } from '../src/model.js';
import { assemble, type Bare, bare } from './harness.js';
import {
  ALU,
  ASM_DIR,
  BLOCK,
  blockLines,
  CC,
  countedLoop,
  DATA,
  DST32,
  DUMP,
  driver,
  INIT,
  rng,
  SRC32,
} from './random-blocks.js';

// Random blocks of the forms WebAssembly units hold (jit/wasm/forms.ts),
// run in RAM with the translator and on the interpreter alone: registers,
// flags, memory and instruction counts must agree. A seeded generator, so a
// failure names its seed and repeats.

const DATA_BYTES = 0x1000;

const DST16 = ['ax', 'cx', 'dx', 'bp'];
const SRC16 = [...DST16, 'bx', 'si', 'di'];
const DST8 = ['al', 'cl', 'dl', 'ah', 'ch', 'dh'];
const SRC8 = [...DST8, 'bl', 'bh'];
const SHIFT = ['shl', 'shr', 'sar', 'rol', 'ror', 'sal'];

function block(random: () => number, length: number): string {
  let labels = 0;
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
    () =>
      `${pick(ALU)} ${pick(DST16)}, ${pick([pick(SRC16), `word ${imm8()}`, `byte ${imm8()}`, mem('word')])}`,
    () => `${pick(ALU)} ${mem('word')}, ${pick([pick(SRC16), `word ${imm8()}`, `byte ${imm8()}`])}`,
    () => `${pick(['inc', 'dec', 'neg', 'not'])} ${pick([pick(DST16), mem('word')])}`,
    () =>
      `test ${pick([`${pick(DST16)}, ${pick(SRC16)}`, `${mem('word')}, ${pick(DST16)}`, `ax, ${imm8()}`])}`,
    () =>
      `mov ${pick([`${pick(DST16)}, ${pick([pick(SRC16), mem('word'), `word ${imm8()}`])}`, `${mem('word')}, ${pick(SRC16)}`])}`,
    () => `${pick(['inc', 'dec', 'neg', 'not'])} ${pick([r32(), pick(DST8), mem('dword'), mem('byte')])}`,
    () =>
      `test ${pick([`${r32()}, ${pick(SRC32)}`, `${mem('dword')}, ${r32()}`, `${pick(DST8)}, ${imm8()}`, `eax, ${imm()}`])}`,
    () =>
      `${pick(SHIFT)} ${pick([r32(), pick(DST16), pick(DST8), mem('dword'), mem('word'), mem('byte')])}, ${pick(['1', 'cl', String(Math.floor(random() * 32))])}`,
    () => `imul ${r32()}, ${pick([pick(SRC32), mem('dword')])}${pick(['', `, ${imm8()}`, `, ${imm()}`])}`,
    () =>
      `${pick(['shld', 'shrd'])} ${pick([r32(), mem('dword')])}, ${pick(SRC32)}, ${pick(['cl', String(Math.floor(random() * 34))])}`,
    () => pick(['cld', 'std']),
    () => `set${pick(CC)} ${pick([pick(DST8), mem('byte')])}`,
    () => `cmov${pick(CC)} ${r32()}, ${pick([pick(SRC32), mem('dword')])}`,
    () => `${pick(['movzx', 'movsx'])} ${r32()}, ${pick([pick(SRC8), mem('byte'), mem('word')])}`,
    () => `lea ${r32()}, [${pick(SRC32)} + ${pick(SRC32)}*${pick([1, 2, 4, 8])} + ${imm8()}]`,
    () => `xchg ${r32()}, ${pick([r32(), mem('dword')])}`,
    () =>
      pick(['cdq', 'nop', `bswap ${r32()}`, 'lodsb', 'lodsd', 'stosb', 'stosd', 'movsb', 'movsd', 'scasb']),
    () => pick(['scasd', 'cmpsb', 'cmpsd', 'lodsw', 'stosw', 'movsw', 'scasw', 'cmpsw']),
    () => `${pick(['mul', 'imul'])} ${pick([pick(SRC32), mem('dword')])}`,
    () => `lock ${pick(ALU.slice(0, 7))} ${mem('dword')}, ${pick(SRC32)}`,
    () => `lock ${pick(['inc', 'dec', 'not', 'neg'])} ${mem('dword')}`,
    () => {
      const [size, reg] = pick([
        ['dword', 'ecx'],
        ['word', 'cx'],
        ['byte', 'cl'],
      ]);
      return `${pick(['', 'lock '])}${pick(['cmpxchg', 'xadd'])} ${mem(size)}, ${reg}`;
    },
    // XADD writes its source too: only registers a block may change.
    () => `cmpxchg ${pick(DST32)}, ${pick(SRC32)}`,
    () => `xadd ${pick(DST32)}, ${pick(DST32)}`,
    // Divisors that cannot raise #DE: EDX below an unsigned one, a positive one after CDQ.
    () => {
      const d = pick(['ecx', 'ebp']);
      return `xor edx, edx\n  or ${d}, 1\n  div ${d}`;
    },
    () => 'cdq\n  and ecx, 0x7fff\n  or ecx, 1\n  idiv ecx',
    () => {
      const d = `dword [ebx + ${Math.floor(random() * 0x100) * 4}]`;
      return `or ${d}, 1\n  xor edx, edx\n  div ${d}`;
    },
    () =>
      `mov ${pick([`${r32()}, ${pick([pick(SRC32), imm(), mem('dword')])}`, `${mem('dword')}, ${pick(SRC32)}`])}`,
    () =>
      `mov ${pick([`${pick(DST8)}, ${pick([pick(SRC8), mem('byte')])}`, `${mem('byte')}, ${pick(SRC8)}`])}`,
    () => `mov ${pick(['eax', 'ax', 'al'])}, [${DATA + Math.floor(random() * 0x7f0)}]`,
    () => `mov [${DATA + Math.floor(random() * 0x7f0)}], ${pick(['eax', 'ax', 'al'])}`,
    () => `push ${pick([pick(SRC32), `dword ${imm()}`, `byte ${imm8()}`, mem('dword')])}\n  pop ${r32()}`,
    () => 'push ebp\n  mov ebp, esp\n  push eax\n  leave',
    () =>
      `${pick(['bt', 'bts', 'btr', 'btc'])} ${pick([`${r32()}, ${pick([pick(SRC32), String(Math.floor(random() * 256))])}`, `${mem('dword')}, ${Math.floor(random() * 256)}`])}\n  ${pick(['adc eax, 0', `set${pick(CC)} dl`, 'pushfd\n  pop edx'])}`,
    () => `mov ecx, ${Math.floor(random() * 40)}\n  rep ${pick(['movsb', 'movsd', 'stosb', 'stosd'])}`,
    // The destination a few bytes ahead of the source: element by element, a repeated pattern.
    () =>
      `mov ecx, ${Math.floor(random() * 24)}\n  lea edi, [esi + ${1 + Math.floor(random() * 8)}]\n  rep movsb`,
    () => {
      const k = labels++;
      const target = pick(['ebp', 'dword [ebx + 8]']);
      const load = target === 'ebp' ? `mov ebp, .c${k}` : `mov dword [ebx + 8], .c${k}`;
      return pick([
        `${load}\n  call ${target}\n  jmp short .d${k}\n.c${k}:\n  ret\n.d${k}:`,
        `${load.replace(`.c${k}`, `.d${k}`)}\n  jmp ${target}\n  nop\n.d${k}:`,
      ]);
    },
    // A counted loop: the jump back stays inside the unit.
    () => countedLoop(random, forms, labels++),
  ];
  return blockLines(random, forms, length);
}

/** Seed `seed`'s block, assembled to run at BLOCK, and its initial state. */
function trial(seed: number): { code: Uint8Array; init: number[] } {
  const random = rng(seed);
  const init = DST32.map(() => Math.floor(random() * 0x100000000) | 0);
  init.push((Math.floor(random() * 0x10000) & 0x8d5) | 2 | (random() < 0.3 ? 0x400 : 0));
  const code = assemble(`bits 32\norg ${BLOCK}\n${block(random, 24)}\n  ret\n`);
  return { code, init };
}

/** Runs `t` on `m` from reset: RAM keeps the block, the data starts zeroed. */
function runTrial(m: Bare, t: { code: Uint8Array; init: number[] }): void {
  const ram = m.parts.memory.ram;
  ram.set(t.code, BLOCK);
  ram.fill(0, DATA, DATA + DATA_BYTES);
  for (let k = 0; k < t.init.length; k++) m.parts.memory.write32(INIT + 4 * k, t.init[k] >>> 0);
  m.cpu.reset();
  m.run(200_000);
}

function state(m: Bare) {
  const data = Array.from({ length: DATA_BYTES / 4 }, (_, k) => m.mem32(DATA + k * 4));
  return { registers: m.cpu.registers(), count: m.cpu.instructionCount, flags: m.mem32(DUMP + 4), data };
}

describe('WebAssembly units', () => {
  it('compute what the interpreter computes over random blocks of every form they hold', () => {
    let retired = 0;
    const code = driver();
    const jit = bare(code, undefined, undefined, { jit: true, jitHot: 1 });
    const interp = bare(code, undefined, undefined, { jit: false });
    for (let seed = 1; seed <= 60; seed++) {
      const t = trial(seed);
      for (const m of [jit, interp]) {
        runTrial(m, t);
        expect(m.cpu.halted, `seed ${seed}`).toBe(true);
      }
      expect(state(jit), `seed ${seed}`).toEqual(state(interp));
    }
    retired = jit.cpu.jitStats()!.retired;
    // The blocks did run translated.
    expect(retired).toBeGreaterThan(60 * 20);
  });

  it('shift, rotate and double-shift each operand size by every kind of count as the interpreter does', () => {
    // The random blocks rarely look at a shift's flags before the next instruction replaces them:
    // here each one's EFLAGS and result are stored at once, for counts around each width.
    const RESULTS = 0x40000;
    const OPERAND = 0x3f000;
    const lines: string[] = [];
    let k = 0;
    /** `instruction` on `target` (EAX or OPERAND holding `value`, EBX 0x7ffe4001, ECX `count`), its flags and result stored. */
    const record = (instruction: string, target: string, value: number, count: number) => {
      lines.push(
        `mov eax, ${value}`,
        `mov [${OPERAND}], eax`,
        'mov ebx, 0x7ffe_4001',
        `cmp eax, ${k * 0x01010101}`,
        `mov ecx, ${count}`,
        instruction,
        'pushfd',
        'pop edx',
        `mov [${RESULTS + 8 * k}], edx`,
        target.includes('[') ? `mov edx, [${OPERAND}]` : 'mov edx, eax',
        `mov [${RESULTS + 8 * k + 4}], edx`,
      );
      k++;
    };
    for (const op of ['rol', 'ror', 'shl', 'shr', 'sar']) {
      for (const target of ['al', 'ah', 'ax', 'eax', `byte [${OPERAND}]`, `word [${OPERAND}]`]) {
        for (const count of [0, 1, 2, 7, 8, 9, 15, 16, 17, 31]) {
          for (const value of [0x8000_8081, 0x7ffe_4001]) {
            const by = count === 1 && k % 2 === 0 ? '1' : k % 3 === 0 ? String(count) : 'cl';
            record(`${op} ${target}, ${by}`, target, value, count);
          }
        }
      }
    }
    for (const op of ['shld', 'shrd']) {
      for (const target of ['eax', `dword [${OPERAND}]`]) {
        for (const count of [0, 1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33]) {
          const by = k % 2 === 0 ? String(count) : 'cl';
          record(`${op} ${target}, ebx, ${by}`, target, 0x8000_8081, count);
        }
      }
    }
    const code = driver();
    const block = assemble(`bits 32\norg ${BLOCK}\n${lines.map((l) => `  ${l}`).join('\n')}\n  ret\n`);
    const results = [true, false].map((jit) => {
      const m = bare(code, undefined, undefined, { jit, jitHot: 1 });
      runTrial(m, { code: block, init: [0, 0, 0, 0, 2] });
      expect(m.cpu.halted).toBe(true);
      if (jit) expect(m.cpu.jitStats()!.retired).toBeGreaterThan(k * 5);
      return Array.from({ length: 2 * k }, (_, x) => m.mem32(RESULTS + 4 * x));
    });
    const differ = results[0].flatMap((v, x) =>
      v === results[1][x]
        ? []
        : [`case ${x >> 1} ${x & 1 ? 'value' : 'flags'}: ${v.toString(16)} vs ${results[1][x].toString(16)}`],
    );
    expect(differ).toEqual([]);
  });

  it('leave a #UD of the model to the interpreter (CMOV on a Pentium, in RAM)', () => {
    // The block runs twice without reaching its CMOV, so it is translated; the third call takes the CMOV.
    const code = assemble(`%include "${ASM_DIR}pm.inc"
test_main:
  mov eax, ud_stop
  mov [IDT + 6 * 8], ax
  shr eax, 16
  mov [IDT + 6 * 8 + 6], ax
  mov esi, block
  mov edi, ${BLOCK}
  mov ecx, block_end - block
  rep movsb
  mov edx, 3
.again:
  call ${BLOCK}
  dec edx
  jnz .again
  hlt
ud_stop:
  hlt
block:
  add eax, edx
  cmp edx, 1
  jne .done
  cmove eax, ecx
.done:
  ret
block_end:
`);
    const runs = [true, false].map((jit) => {
      const m = bare(code, undefined, new Model('pentium', 0, null), { jit, jitHot: 1 });
      m.run(100_000);
      expect(m.cpu.halted).toBe(true);
      return m;
    });
    // The #UD frame's EIP is the CMOV's, 7 bytes into the block.
    expect(runs[0].mem32(runs[0].cpu.registers().ESP)).toBe(BLOCK + 7);
    expect(state(runs[0])).toEqual(state(runs[1]));
    expect(runs[0].cpu.jitStats()!.retired).toBeGreaterThan(0);
  });

  it('are entered only while the segments they use are as flat as when they were translated', () => {
    // Translated while DS is flat, then called with DS based at 0x10000 (SEL_SMALL): every memory form
    // must reach DS:0x100 = linear 0x10100 then, which only the interpreter knows how to do. The run
    // loop enters the block's first unit (a JMP) and the dispatcher chains to the form's.
    const forms = [
      'shl dword [ebx], 1',
      'xchg [ebx], eax',
      'imul eax, [ebx]',
      'sete byte [ebx]',
      'add [ebx], eax',
    ];
    for (const form of forms) {
      const code = assemble(`%include "${ASM_DIR}pm.inc"
test_main:
  mov esi, block
  mov edi, ${BLOCK}
  mov ecx, block_end - block
  rep movsb
  mov dword [0x100], 3
  mov dword [0x10100], 5
  mov ebx, 0x100
  mov edx, 3
.again:
  mov eax, 7
  call ${BLOCK}
  dec edx
  jnz .again
  mov ax, SEL_SMALL
  mov ds, ax
  mov eax, 7
  call ${BLOCK}
  mov cx, SEL_DATA0
  mov ds, cx
  hlt
block:
  jmp short .form                   ; a unit of its own, which uses no data segment
.form:
  ${form}
  ret
block_end:
`);
      const runs = [true, false].map((jit) => {
        const m = bare(code, undefined, undefined, { jit, jitHot: 1 });
        m.run(100_000);
        expect(m.cpu.halted, form).toBe(true);
        return m;
      });
      expect(runs[0].mem32(0x10100), form).toBe(runs[1].mem32(0x10100));
      expect(runs[0].mem32(0x100), form).toBe(runs[1].mem32(0x100));
      expect(state(runs[0]), form).toEqual(state(runs[1]));
      expect(runs[0].cpu.jitStats()!.webAssembly, form).toBeGreaterThan(0);
    }
  });
});
