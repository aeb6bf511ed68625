import { type WasmMemory, WebAssemblyApi } from '@plugboard/core';
import { UnitEmitter } from './emit.js';
import { encodeModule, type WasmFunction } from './encoder.js';
import { condFunction } from './flags.js';
import type { Region } from './region.js';

/** A unit compiled to WebAssembly: `run(e, budget)` runs it from entry EIP `e` and returns the instructions it retired. */
export interface WasmUnit {
  run: (e: number, budget: number) => number;
  /** Segment registers (bits of `CpuState.flatSegs`) that must be flat when it is entered. */
  segs: number;
}

/** Compiles `region`, assuming the segments in `flat` stay flat. */
export function compileWasmUnit(region: Region, flat: number, memory: WasmMemory): WasmUnit {
  let u = emitRegion(region, flat, 0);
  if (u.loops) u = emitRegion(region, flat, u.writes);
  const funcs: WasmFunction[] = [{ params: 2, results: 1, code: u.finish() }];
  for (const pair of u.helpers) funcs.push({ params: 0, results: 1, code: condFunction(pair) });
  const bytes = encodeModule(memory.buffer.byteLength >>> 16, funcs);
  const instance = new WebAssemblyApi.Instance(new WebAssemblyApi.Module(bytes), { m: { mem: memory } });
  return { run: instance.exports.run as (e: number, budget: number) => number, segs: u.segs };
}

function emitRegion(region: Region, flat: number, written: number): UnitEmitter {
  const u = new UnitEmitter(flat, region, written);
  for (const [j, b] of region.blocks.entries()) u.emitBlock(j, b);
  return u;
}
