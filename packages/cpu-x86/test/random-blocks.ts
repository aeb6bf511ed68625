import { assemble } from './harness.js';

// What the random-block tests of WebAssembly units share (wasm-forms.test.ts,
// wasm-sse.test.ts): a seeded generator, so a failure names its seed and
// repeats; the registers a block may change; where it runs; and the driver
// that calls it three times, so it runs translated.

export const ASM_DIR = new URL('./asm/', import.meta.url).pathname;
/** Where the block runs (RAM: units are dispatched from RAM pages only), its data, and the state dumps. */
export const BLOCK = 0x20000;
export const DATA = 0x30000;
export const DUMP = 0x700;
/** Where each run's initial EAX, ECX, EDX, EBP and EFLAGS wait for the driver. */
export const INIT = 0x740;

export function rng(seed: number): () => number {
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
export const DST32 = ['eax', 'ecx', 'edx', 'ebp'];
export const SRC32 = [...DST32, 'ebx', 'esi', 'edi'];
export const ALU = ['add', 'or', 'adc', 'sbb', 'and', 'sub', 'xor', 'cmp'];
export const CC = ['o', 'no', 'b', 'ae', 'e', 'ne', 'be', 'a', 's', 'ns', 'p', 'np', 'l', 'ge', 'le', 'g'];

/**
 * The driver: calls the block three times from the state at INIT, `setup`
 * before the calls and `before`/`after` around each, `last` after them.
 */
export function driver({ setup = '', before = '', last = '' } = {}): Uint8Array {
  return assemble(`%include "${ASM_DIR}pm.inc"
test_main:
${setup}
  mov dword [${DUMP}], 3
.again:
${before}
  mov eax, [${INIT}]
  mov ecx, [${INIT + 4}]
  mov edx, [${INIT + 8}]
  mov ebp, [${INIT + 12}]
  mov ebx, ${DATA + 0x400}
  mov esi, ${DATA + 0x800}
  mov edi, ${DATA + 0xc00}
  push dword [${INIT + 16}]
  popfd
  call ${BLOCK}
  pushfd
  pop dword [${DUMP + 4}]
  cld
  dec dword [${DUMP}]
  jnz .again
${last}
  hlt
`);
}

/** One of `xs`. */
export function pickOf(random: () => number): <T>(xs: readonly T[]) => T {
  return (xs) => xs[Math.floor(random() * xs.length)];
}

/** A counted loop (label `.l<k>`) around two of `forms`: the jump back stays inside the unit. */
export function countedLoop(random: () => number, forms: readonly (() => string)[], k: number): string {
  const pick = pickOf(random);
  const body = [pick(forms)(), pick(forms)()].join('\n  ');
  return `push ${1 + Math.floor(random() * 4)}\n.l${k}:\n  ${body}\n  dec dword [esp]\n  jnz .l${k}\n  add esp, 4`;
}

/** `length` of `forms`, some skipped by a random conditional jump, as the block's lines. */
export function blockLines(random: () => number, forms: readonly (() => string)[], length: number): string {
  const pick = pickOf(random);
  const lines: string[] = [];
  for (let k = 0; k < length; k++) {
    if (random() < 0.12) lines.push(`j${pick(CC)} short .s${k}`, `  ${pick(forms)()}`, `.s${k}:`);
    else lines.push(pick(forms)());
  }
  return lines.map((l) => `  ${l}`).join('\n');
}
