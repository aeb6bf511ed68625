import { type WasmMemory, WebAssemblyApi } from '@plugboard/core';
import { UnitEmitter } from './emit.js';
import { type Code, encodeModule, type WasmFunction } from './encoder.js';
import { CONDITION_PAIRS, condFunction } from './flags.js';
import { CONDITION_BASE, HOST_FUNCTIONS, type PortIo } from './host.js';
import type { Region } from './region.js';

/** A unit's function: `run(e, budget)` runs it from entry EIP `e` and returns the instructions it retired. */
export type WasmRun = (e: number, budget: number) => number;

/** A unit's function body, not yet in a module. */
export interface WasmUnitCode {
  code: Code;
  /** Segment registers (bits of `CpuState.flatSegs`) that must be flat when it is entered. */
  segs: number;
}

/** Writes `region` as a function, assuming the segments in `flat` stay flat. */
export function emitWasmUnit(region: Region, flat: number): WasmUnitCode {
  let u = emitRegion(region, flat, 0);
  if (u.loops) u = emitRegion(region, flat, u.writes);
  return { code: u.finish(), segs: u.segs };
}

function emitRegion(region: Region, flat: number, written: number): UnitEmitter {
  const u = new UnitEmitter(flat, region, written);
  for (const [j, b] of region.blocks.entries()) u.emitBlock(j, b);
  return u;
}

const CONDITIONS: WasmFunction[] = Array.from({ length: CONDITION_PAIRS }, (_, pair) => ({
  params: 0,
  results: 1,
  code: condFunction(pair),
}));

/**
 * One module for several units: the host functions it imports (`host.ts`),
 * the condition functions, then the units, exported in order. A call between instances costs more the more modules
 * there are (about 95 ns each way with 4,096 one-unit modules, 11 ns with
 * 64 units a module, 3 ns within one instance, Node 20), so units compiled
 * together share one.
 */
export function encodeUnits(units: readonly Code[], memory: WasmMemory): Uint8Array {
  const funcs = [...CONDITIONS, ...units.map((code) => ({ params: 2, results: 1, code }))];
  const exports = units.map((_, k) => [`u${k}`, CONDITION_BASE + CONDITION_PAIRS + k] as const);
  return encodeModule(memory.buffer.byteLength >>> 16, funcs, exports, 0, HOST_FUNCTIONS);
}

/** The units' functions from their compiled module (`encodeUnits`), on the machine's memory. */
export function instantiateUnits(module: object, count: number, memory: WasmMemory, io: PortIo): WasmRun[] {
  const exports = new WebAssemblyApi.Instance(module, { m: { mem: memory, io } }).exports;
  return Array.from({ length: count }, (_, k) => exports[`u${k}`] as WasmRun);
}
