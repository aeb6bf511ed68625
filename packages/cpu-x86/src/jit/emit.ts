import type { Clock, CpuPins } from '@plugboard/core';
import type { Instr } from '../core/instr.js';
import type { X86 } from '../core/x86.js';
import { alu } from '../ops/alu.js';
import { inline } from './inline.js';
import { quiet } from './roles.js';

/**
 * A translated unit: `(c, eip, n)` runs it from entry offset `eip` with `n`
 * instructions already retired in the slice, and returns how many it retired.
 */
export type UnitCode = (c: X86, eip: number, n: number) => number;

/**
 * Translates a run of instructions into one JavaScript function. Tier 1:
 * an instruction sets what the run loop would set before it (`eipStart`,
 * `eip`, `clock.retired`) and calls its handler through a variable of its
 * own, a call site that sees one target, which V8 can inline. Tier 2: the
 * frequent forms of `inline.ts` are written out; those that reach memory set
 * the same state first, those that cannot fault set nothing. After an
 * instruction that touches memory or devices the unit leaves when the run
 * loop would look at something: `pins.attention` (an interrupt, a remap, a
 * write to code), or a `clock.sliceLimit` lowered (a timer armed by an MMIO
 * access) below the unit's end, so the loop stops exactly at the limit.
 *
 * `span` offsets are from the entry, which the run loop has checked keeps
 * every instruction inside the CS limit without a 16-bit wrap.
 */
export function emit(instrs: Instr[], clock: Clock, pins: CpuPins): UnitCode {
  const names = ['clock', 'pins', 'alu'];
  const values: unknown[] = [clock, pins, alu];
  const body: string[] = ['const r = c.regs;'];
  let at = 0;
  const length = instrs.length;
  // Whether c.eip is current (the last instruction set it or a handler ran since).
  let eipSet = true;
  instrs.forEach((i, k) => {
    const next = at + i.len;
    const state = `c.eipStart = e + ${at}; c.eip = e + ${next}; clock.retired = n + ${k};`;
    const fast = inline(i, next, `c.eipStart = e + ${at}; clock.retired = n + ${k};`);
    let touches: boolean;
    if (fast === null) {
      names.push(`f${k}`, `i${k}`);
      values.push(i.fn, i);
      body.push(`${state} f${k}(c, i${k});`);
      touches = !quiet(i);
      eipSet = true;
    } else if (fast.memory) {
      body.push(`${state} ${fast.code}`);
      touches = true;
      eipSet = true;
    } else {
      body.push(fast.code);
      touches = false;
      eipSet = fast.transfer;
    }
    // A limit lowered below the unit's end is where the run loop stops: leave, it runs the rest.
    if (k < length - 1 && touches) {
      body.push(`if (pins.attention || n + ${length} > clock.sliceLimit) return ${k + 1};`);
    }
    at = next;
  });
  if (!eipSet) body.push(`c.eip = e + ${at};`);
  body.push(`return ${length};`);
  const source = `return function unit(c, e, n) {\n${body.join('\n')}\n};`;
  return new Function(...names, source)(...values) as UnitCode;
}
