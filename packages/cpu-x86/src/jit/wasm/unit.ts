import { type WasmMemory, WebAssemblyApi } from '@plugboard/core';
import type { Instr } from '../../core/instr.js';
import { UnitEmitter } from './emit.js';
import { encodeModule, type WasmFunction } from './encoder.js';
import { condFunction } from './flags.js';

/** A unit compiled to WebAssembly: `run(e)` runs it from entry EIP `e` and returns the instructions it retired. */
export interface WasmUnit {
  run: (e: number) => number;
  /** Instructions, offset of the last from the entry, bytes from the entry to the end. */
  length: number;
  span: number;
  bytes: number;
  /** Segment registers (bits of `CpuState.flatSegs`) that must be flat when it is entered. */
  segs: number;
}

/**
 * Compiles the longest prefix of `instrs` the WebAssembly emitter has forms
 * for, assuming the segments in `flat` stay flat; null when it has none.
 */
export function compileWasmUnit(instrs: readonly Instr[], flat: number, memory: WasmMemory): WasmUnit | null {
  const u = new UnitEmitter(flat);
  let at = 0;
  let span = 0;
  let k = 0;
  for (const i of instrs) {
    if (!u.instr(i, at, k)) break;
    span = at;
    at += i.len;
    k++;
  }
  if (k === 0) return null;
  const funcs: WasmFunction[] = [{ params: 1, results: 1, code: u.finish(at, k) }];
  for (const pair of u.helpers) funcs.push({ params: 0, results: 1, code: condFunction(pair) });
  const bytes = encodeModule(memory.buffer.byteLength >>> 16, funcs);
  const instance = new WebAssemblyApi.Instance(new WebAssemblyApi.Module(bytes), { m: { mem: memory } });
  return { run: instance.exports.run as (e: number) => number, length: k, span, bytes: at, segs: u.segs };
}
