import { describe, expect, it } from 'vitest';
import { type CodeSource, decode, Instr } from '../src/core/instr.js';
import type { ModelServices } from '../src/core/x86.js';
import { Feature } from '../src/cpuid.js';
import { emittable, endsUnit } from '../src/jit/wasm/forms.js';
import { handlerFor } from '../src/ops/forms.js';
import { assemble, type Bare, bare, testModel } from './harness.js';
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

// The SSE2 integer forms and BSF/BSR WebAssembly units hold
// (jit/wasm/lower-sse.ts), as wasm-forms.test.ts checks the others: random
// blocks run in RAM with the translator and on the interpreter alone, XMM
// registers and data with random contents; registers, flags, memory, the
// whole SIMD state (scratch slots included) and instruction counts must
// agree. Then what the interpreter raises for them: #NM, #UD, #GP(0) for a
// misaligned m128, #PF for a 16-byte access reaching an unmapped page.

const DATA_BYTES = 0x2000;
/** XMM0-7 before each call, and after the last. */
const XMM_INIT = 0x10000;
const XMM_DUMP = 0x10100;
const IDT = 0x2000;

const SSE2: ModelServices = {
  ...testModel,
  features: testModel.features | Feature.MMX | Feature.SSE | Feature.SSE2,
  reset: testModel.reset,
};

const PACKED = [
  'pxor',
  'por',
  'pand',
  'pandn',
  'pcmpeqb',
  'pcmpeqw',
  'pcmpeqd',
  'pminub',
  'psubb',
  'paddb',
  'paddw',
  'paddd',
  'punpcklbw',
  'punpcklwd',
  'punpckldq',
];

function block(random: () => number, length: number): string {
  let labels = 0;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
  const n8 = () => Math.floor(random() * 8);
  const x = () => `xmm${n8()}`;
  const base = () => pick(['ebx', 'esi', 'edi']);
  // Any offset (EDI's reach the page end at DATA + 0x1000: those accesses leave the unit), or a multiple of 16.
  const any = (size: string) => `${size} [${base()} + ${Math.floor(random() * 0x7f0) - 0x3f0}]`;
  const aligned = () => `[${base()} + ${(Math.floor(random() * 0x7e) - 0x3f) * 16}]`;
  const modrm = (reg: number, rm: number) => `0x${(0xc0 | (reg << 3) | rm).toString(16)}`;
  const forms: (() => string)[] = [
    () => `movd ${x()}, ${pick([pick(SRC32), any('dword')])}`,
    () => `movd ${pick([pick(DST32), any('dword')])}, ${x()}`,
    () => `movq ${x()}, ${pick([x(), any('qword')])}`,
    () => `movq ${any('qword')}, ${x()}`,
    // 66 0F D6 MOVQ xmm, xmm (the store form between registers).
    () => `db 0x66, 0x0f, 0xd6, ${modrm(n8(), n8())}`,
    () => `${pick(['movdqa', 'movdqu'])} ${x()}, ${x()}`,
    () => pick([`movdqa ${x()}, ${aligned()}`, `movdqu ${x()}, ${any('')}`]),
    () => pick([`movdqa ${aligned()}, ${x()}`, `movdqu ${any('')}, ${x()}`]),
    // 66/F3 0F 7F between registers.
    () => `db ${pick(['0x66', '0xf3'])}, 0x0f, 0x7f, ${modrm(n8(), n8())}`,
    () => `${pick(PACKED)} ${x()}, ${pick([x(), aligned()])}`,
    () => `${pick(PACKED)} ${x()}, ${x()}`,
    () => `pshufd ${x()}, ${pick([x(), aligned()])}, ${Math.floor(random() * 256)}`,
    () => `pmovmskb ${pick(DST32)}, ${x()}`,
    () =>
      `${pick(['bsf', 'bsr'])} ${pick(DST32)}, ${pick([pick(SRC32), any('dword')])}\n  ${pick(['adc eax, 0', `set${pick(CC)} dl`, 'pushfd\n  pop edx', `cmov${pick(CC)} ecx, ebp`])}`,
    () => `${pick(ALU)} ${pick(DST32)}, ${pick([pick(SRC32), any('dword')])}`,
    // What glibc's strlen does with a 16-byte block.
    () =>
      `pxor xmm2, xmm2\n  movdqu xmm0, ${any('')}\n  pcmpeqb xmm0, xmm2\n  pmovmskb edx, xmm0\n  bsf ecx, edx`,
    () => countedLoop(random, forms, labels++),
  ];
  return blockLines(random, forms, length);
}

const xmmLines = (op: string, at: number) =>
  Array.from(
    { length: 8 },
    (_, k) => `  ${op.replace('R', `xmm${k}`).replace('M', `[${at + 16 * k}]`)}`,
  ).join('\n');

/** The driver: CR4.OSFXSR on, then the block three times from the state at INIT and XMM_INIT. */
/** The driver, with CR4.OSFXSR set and XMM0-7 loaded from XMM_INIT before each call and stored at XMM_DUMP after the last. */
const sseDriver = () =>
  driver({
    setup: '  mov eax, cr4\n  or eax, 0x200\n  mov cr4, eax',
    before: xmmLines('movdqu R, M', XMM_INIT),
    last: xmmLines('movdqu M, R', XMM_DUMP),
  });

interface Trial {
  code: Uint8Array;
  init: number[];
  xmm: Uint8Array;
  data: Uint8Array;
}

/** Bytes that are zero half the time: PCMPEQB, PMINUB and BSF then see both cases. */
function bytes(random: () => number, n: number): Uint8Array {
  return Uint8Array.from({ length: n }, () => (random() < 0.5 ? 0 : Math.floor(random() * 256)));
}

function trial(seed: number): Trial {
  const random = rng(seed);
  const init = DST32.map(() => Math.floor(random() * 0x100000000) | 0);
  init.push((Math.floor(random() * 0x10000) & 0x8d5) | 2 | (random() < 0.3 ? 0x400 : 0));
  const xmm = bytes(random, 128);
  const data = bytes(random, DATA_BYTES);
  const code = assemble(`bits 32\norg ${BLOCK}\n${block(random, 24)}\n  ret\n`);
  return { code, init, xmm, data };
}

function runTrial(m: Bare, t: Trial): void {
  const ram = m.parts.memory.ram;
  ram.set(t.code, BLOCK);
  ram.set(t.data, DATA);
  ram.set(t.xmm, XMM_INIT);
  for (let k = 0; k < t.init.length; k++) m.parts.memory.write32(INIT + 4 * k, t.init[k] >>> 0);
  m.cpu.reset();
  m.run(200_000);
}

function state(m: Bare) {
  const words = (at: number, n: number) => Array.from({ length: n }, (_, k) => m.mem32(at + 4 * k));
  return {
    registers: m.cpu.registers(),
    count: m.cpu.instructionCount,
    flags: m.mem32(DUMP + 4),
    data: words(DATA, DATA_BYTES / 4),
    xmm: words(XMM_DUMP, 32),
    simd: Array.from(m.cpu.simd.u32),
    mxcsr: m.cpu.simd.mxcsr,
  };
}

/** Each line's instruction, decoded with `model`'s handler (`ops/forms.ts` `handlerFor`). */
function decoded(lines: string[], model: ModelServices): Instr[] {
  return lines.map((line) => {
    const bytes = new Uint8Array(32);
    bytes.set(assemble(`bits 32\n${line}\n`));
    const src: CodeSource = {
      fetch8: (eip) => bytes[eip],
      tooLong: () => {
        throw new Error('too long');
      },
      codeWindow: (eip) => eip,
      codeBuf: bytes,
    };
    const i = new Instr();
    decode(src, 0, true, i);
    i.fn = handlerFor(i, model);
    return i;
  });
}

/** The forms as glibc's strlen, strchr, memchr and rawmemchr (i686, SSE2) encode them, and the rest of the list. */
const GLIBC_FORMS = [
  'movd xmm1, [esp + 0xc]',
  'movd xmm0, eax',
  'movd eax, xmm1',
  'movd [esi], xmm1',
  'movq xmm0, [edi]',
  'movq xmm0, xmm1',
  'movq [edi], xmm2',
  'pxor xmm2, xmm2',
  'punpcklbw xmm1, xmm1',
  'punpcklwd xmm1, xmm1',
  'punpckldq xmm1, [eax]',
  'pshufd xmm1, xmm1, 0',
  'movdqa xmm0, [edi]',
  'movdqa [edi], xmm0',
  'movdqu xmm0, [edi + 3]',
  'movdqu [edi + 3], xmm0',
  'pcmpeqb xmm2, xmm0',
  'pcmpeqw xmm2, [edi]',
  'pcmpeqd xmm2, xmm3',
  'por xmm2, xmm3',
  'pand xmm2, xmm3',
  'pandn xmm2, xmm3',
  'pminub xmm0, [edi + 16]',
  'psubb xmm0, xmm1',
  'paddb xmm0, xmm1',
  'paddw xmm0, xmm1',
  'paddd xmm0, xmm1',
  'pmovmskb edx, xmm2',
  'bsf edx, edx',
  'bsr eax, [esi]',
];

describe('WebAssembly units with SSE2 integer forms', () => {
  it('hold every listed form in flat code, where the model has SSE2, without ending there', () => {
    const flat = 0x3f;
    const held = decoded(GLIBC_FORMS, SSE2).map((i, k) => [GLIBC_FORMS[k], emittable(i, flat), endsUnit(i)]);
    expect(held).toEqual(GLIBC_FORMS.map((f) => [f, true, false]));
    // Without SSE2 the handler is #UD's: the interpreter raises it.
    const noSse2 = decoded(GLIBC_FORMS.slice(0, -2), testModel).filter((i) => emittable(i, flat));
    expect(noSse2).toEqual([]);
  });

  it('compute what the interpreter computes over random blocks, XMM registers and scratch slots included', () => {
    const code = sseDriver();
    const jit = bare(code, undefined, SSE2, { jit: true, jitHot: 1 });
    const interp = bare(code, undefined, SSE2, { jit: false });
    for (let seed = 1; seed <= 60; seed++) {
      const t = trial(seed);
      for (const m of [jit, interp]) {
        runTrial(m, t);
        expect(m.cpu.halted, `seed ${seed}`).toBe(true);
      }
      expect(state(jit), `seed ${seed}`).toEqual(state(interp));
    }
    expect(jit.cpu.jitStats()!.retired).toBeGreaterThan(60 * 20);
  });
});

/** Points IDT vector `v` (the pm.inc frame's IDT) at label `handler`. */
const gate = (v: number, handler: string) => `
    mov eax, ${handler}
    mov [${IDT + v * 8}], ax
    shr eax, 16
    mov [${IDT + v * 8 + 6}], ax`;

/**
 * Runs a program in RAM (WebAssembly units) and on the interpreter: the
 * block at `block` is called three times (so it runs translated), then
 * `change` runs and the block is called a fourth time, which must raise
 * vector `vector` at the instruction labelled `fault` (the handler halts).
 * Both runs must agree on registers, count, memory and the SIMD state.
 */
function raised(vector: number, body: string, change: string, withError: boolean, setup = '') {
  const code = assemble(`%include "${ASM_DIR}pm.inc"
test_main:
  mov eax, cr4
  or eax, 0x200
  mov cr4, eax
  ${gate(vector, 'stop')}
  mov dword [0x5000], 0x01020304
  mov dword [0x5004], 0xf0e0d0c0
  mov dword [0x5008], 0x11
  mov ebx, 0x5000
  ${setup}
  mov edx, 3
.again:
  call block
  dec edx
  jnz .again
  ${change}
  call block
  hlt
stop:
  hlt
block:
${body}
  ret
`);
  const runs = [true, false].map((jit) => {
    const m = bare(code, undefined, SSE2, { jit, jitHot: 1, codeInRam: true });
    m.run(200_000);
    expect(m.cpu.halted).toBe(true);
    return m;
  });
  const [j, i] = runs;
  const low = (m: Bare) => Array.from({ length: 0x400 }, (_, k) => m.mem32(0x5000 + 4 * k));
  const stack = (m: Bare) => Array.from({ length: 8 }, (_, k) => m.mem32(m.cpu.registers().ESP + 4 * k));
  expect({ r: j.cpu.registers(), n: j.cpu.instructionCount, low: low(j), stack: stack(j) }).toEqual({
    r: i.cpu.registers(),
    n: i.cpu.instructionCount,
    low: low(i),
    stack: stack(i),
  });
  expect(Array.from(j.cpu.simd.u32)).toEqual(Array.from(i.cpu.simd.u32));
  expect(j.cpu.jitStats()!.webAssembly).toBeGreaterThan(0);
  // The frame: [error code,] EIP of the faulting instruction.
  const sp = j.cpu.registers().ESP;
  const eip = j.mem32(sp + (withError ? 4 : 0));
  return { jit: j, eip, error: withError ? j.mem32(sp) : -1 };
}

/** The address of label `fault` in the assembled program: the block marks it by storing it first. */
const FAULT_AT = 0x5100;

describe('WebAssembly units leave what SSE2 forms raise to the interpreter', () => {
  const body = (form: string) => `
  mov dword [${FAULT_AT}], .fault
  mov ecx, 7
  add ecx, edx
.fault:
  ${form}
  movd xmm1, ebx
  pcmpeqb xmm2, xmm1
  pmovmskb eax, xmm2
  bsf ecx, eax`;

  it('#NM with CR0.TS set, at the instruction, inside a translated unit', () => {
    const r = raised(7, body('pxor xmm2, xmm2'), 'mov eax, cr0\n  or eax, 8\n  mov cr0, eax', false);
    expect(r.eip).toBe(r.jit.mem32(FAULT_AT));
  });

  it('#UD without CR4.OSFXSR (and with CR0.EM)', () => {
    for (const change of [
      'mov eax, cr4\n  and eax, ~0x200\n  mov cr4, eax',
      'mov eax, cr0\n  or eax, 4\n  mov cr0, eax',
    ]) {
      const r = raised(6, body('movdqu xmm0, [ebx]'), change, false);
      expect(r.eip, change).toBe(r.jit.mem32(FAULT_AT));
    }
  });

  it('#GP(0) for a misaligned m128 of MOVDQA (load and store) and a packed operation', () => {
    for (const form of [
      'movdqa xmm3, [ebx]',
      'movdqa [ebx], xmm2',
      'por xmm2, [ebx]',
      'pshufd xmm0, [ebx], 0x1b',
    ]) {
      const r = raised(13, body(form), 'add ebx, 8', true);
      expect(r.eip, form).toBe(r.jit.mem32(FAULT_AT));
      expect(r.error, form).toBe(0);
    }
  });

  it('#PF for a 16-byte access whose end reaches an unmapped page, with CR2 there', () => {
    // 0x300000 is not present. The first three calls reach the page below it (its TLB entry is
    // filled); the fourth call's operand starts 8 bytes below 0x300000, where the unit must leave.
    for (const form of ['movdqu xmm3, [ebx]', 'movdqu [ebx], xmm3', 'movq xmm3, [ebx + 4]']) {
      const r = raised(
        14,
        body(form),
        'mov ebx, 0x2ffff8',
        true,
        'PAGING_ON\n  mov dword [PT + 0x300 * 4], 0\n  mov ebx, 0x2ff000',
      );
      expect(r.eip, form).toBe(r.jit.mem32(FAULT_AT));
      expect(r.jit.cpu.registers().CR2, form).toBe(0x300000);
    }
  });
});
