import type { Clock, CpuPins } from '@plugboard/core';
import type { Instr } from '../core/instr.js';
import type { X86 } from '../core/x86.js';
import { quiet } from './roles.js';

/**
 * A translated unit: `(c, eip, n)` runs it from entry offset `eip` with `n`
 * instructions already retired in the slice, and returns how many it retired.
 */
export type UnitCode = (c: X86, eip: number, n: number) => number;

/**
 * Translates a run of instructions into one JavaScript function (tier 1):
 * each instruction sets what the run loop would set before it (`eipStart`,
 * `eip`, `clock.retired`) and calls its handler through a variable of its
 * own, a call site that sees one target, which V8 can inline. After an
 * instruction that touches memory or devices the unit leaves when the run
 * loop would look at something: `pins.attention` (an interrupt, a remap, a
 * write to code), or a `clock.sliceLimit` lowered (a timer armed by an MMIO
 * access) below the unit's end, so the loop stops exactly at the limit.
 *
 * `span` offsets are from the entry, which the run loop has checked keeps
 * every instruction inside the CS limit without a 16-bit wrap.
 */
export function emit(instrs: Instr[], clock: Clock, pins: CpuPins): UnitCode {
  const names = ['clock', 'pins'];
  const values: unknown[] = [clock, pins];
  const body: string[] = [];
  let at = 0;
  const last = instrs.length - 1;
  instrs.forEach((i, k) => {
    const next = at + i.len;
    names.push(`f${k}`, `i${k}`);
    values.push(i.fn, i);
    body.push(`c.eipStart = e + ${at}; c.eip = e + ${next}; clock.retired = n + ${k}; f${k}(c, i${k});`);
    // A limit lowered below the unit's end is where the run loop stops: leave, it runs the rest.
    if (k < last && !quiet(i)) {
      body.push(`if (pins.attention || n + ${instrs.length} > clock.sliceLimit) return ${k + 1};`);
    }
    at = next;
  });
  body.push(`return ${instrs.length};`);
  const source = `return function unit(c, e, n) {\n${body.join('\n')}\n};`;
  return new Function(...names, source)(...values) as UnitCode;
}
