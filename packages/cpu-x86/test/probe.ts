import { CR4_OSFXSR, CR4_OSXMMEXCPT } from '../src/core/constants.js';
import type { ModelServices } from '../src/core/x86.js';
import { Feature } from '../src/cpuid.js';
import { Model } from '../src/model.js';
import { assemble, bare, testModel } from './harness.js';

/** Probes per program: each takes about 25 bytes of a 64 KiB ROM. */
const CHUNK = 1200;
const SLOTS = 0x8000;

/**
 * Runs each byte sequence once in real mode on a processor of `model`
 * (a CPUID model's name, or the core tests' model), DS:[BX+SI] pointing at
 * scratch memory (2000:0000), every exception vector 0-31 caught, CR4.OSFXSR
 * and OSXMMEXCPT set where the model has them (so SSE runs); returns the
 * vector each raised, or -1. A probe that raises nothing falls through to the next.
 */
export function probeAll(probes: number[][], model?: ConstructorParameters<typeof Model>[0]): number[] {
  const out: number[] = [];
  for (let k = 0; k < probes.length; k += CHUNK) out.push(...probeChunk(probes.slice(k, k + CHUNK), model));
  return out;
}

function probeChunk(probes: number[][], name?: ConstructorParameters<typeof Model>[0]): number[] {
  const model: ModelServices = name ? new Model(name, 0, null) : testModel;
  const cr4 =
    (model.features & Feature.FXSR ? CR4_OSFXSR : 0) | (model.features & Feature.SSE ? CR4_OSXMMEXCPT : 0);
  const body = probes
    .map((bytes, n) => `  PROBE ${n}, db ${bytes.map((b) => `0x${b.toString(16)}`).join(',')}`)
    .join('\n');
  const m = bare(
    assemble(`bits 16
org 0
  mov eax, ${cr4}
  mov cr4, eax
  xor ax, ax
  mov ss, ax
  mov sp, 0x7000
  mov ds, ax
%assign v 0
%rep 32
  mov word [v * 4], stub %+ v
  mov word [v * 4 + 2], cs
%assign v v + 1
%endrep
  mov ax, 0x2000
  mov ds, ax
  jmp main
%assign v 0
%rep 32
stub %+ v:
  push word v
  jmp fault
%assign v v + 1
%endrep
fault:
  pop ax
  mov bx, [ss:0x5fc]
  mov [ss:bx], ax
  jmp word [ss:0x5fe]

%macro PROBE 2+
  mov sp, 0x7000
  xor bx, bx
  xor si, si
  mov word [ss:0x5fc], ${SLOTS} + 2 * %1
  mov word [ss:0x5fe], %%after
  mov word [ss:${SLOTS} + 2 * %1], 0xffff
  %2
%%after:
%endmacro

main:
${body}
  hlt
`),
    4 << 20,
    model,
  );
  if (model instanceof Model) model.attach(m.cpu);
  m.run(200 * probes.length + 10_000);
  if (!m.cpu.halted) throw new Error('probe program did not reach its HLT');
  return probes.map((_, n) => {
    const v = m.parts.memory.read32(SLOTS + 2 * n) & 0xffff;
    return v === 0xffff ? -1 : v;
  });
}
