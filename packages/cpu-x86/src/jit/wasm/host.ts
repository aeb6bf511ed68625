import type { WasmImport } from './encoder.js';

// The host functions every module of units imports, first in its function
// index space: the condition functions (`flags.ts`) and the units follow.

/**
 * What a unit calls for IN and OUT: `io(op, port, value, left)`, `op` the
 * size in bytes plus `PORT_IN` for IN, `left` the unit's budget less what it
 * retired before the instruction. Returns `IO_ON`, `IO_LEAVE` (done, but the
 * run loop must look at something now: an interrupt, a timer, a remap, code
 * written) or `IO_REFUSED` (not done: the interpreter raises what the
 * instruction raises). An IN's value is in the arena's `IO_PORT` slot.
 */
export type PortIo = (op: number, port: number, value: number, left: number) => number;
export const PORT_IN = 8;
export const IO_ON = 0;
export const IO_LEAVE = 1;
export const IO_REFUSED = 2;
export const PORT_IO_FUNCTION = 0;

export const HOST_FUNCTIONS: readonly WasmImport[] = [{ name: 'io', params: 4, results: 1 }];
/** The first condition function's index. */
export const CONDITION_BASE = HOST_FUNCTIONS.length;
