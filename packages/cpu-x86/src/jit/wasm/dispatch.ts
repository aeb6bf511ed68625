import { type WasmMemory, type WasmTable, WebAssemblyApi } from '@plugboard/core';
import {
  IO,
  IO_EIP,
  IO_FLAT,
  IO_READ_NEED,
  PAGE_STAMP,
  TLB_FLAGS,
  TLB_MEM_READ,
  UNIT_KEY,
  UNIT_LENGTH,
  UNIT_RECORD,
  UNIT_SEGS,
  UNIT_SLOTS,
  UNIT_STAMP,
  UNITS,
} from '../../core/arena.js';
import { Code, encodeModule, UNIT_TYPE, VOID, W } from './encoder.js';

/** `dispatch(eip, budget)`: runs units from `eip` while they fit in `budget` instructions; returns how many retired. */
export type Dispatch = (eip: number, budget: number) => number;

/**
 * The loop that keeps execution in WebAssembly from one unit to the next:
 * it finds the unit at EIP the way the run loop does (the TLB's route of
 * the linear page, the physical address's slot, its page's stamp), calls
 * it through the table, and goes on at the EIP it left while each unit ran
 * to its end and the next fits in what is left of the slice. Anything else
 * (no unit, a stale one, a unit that left early for the slow path) returns
 * to the run loop with EIP in the arena. A unit that ended early at a taken
 * branch is as good as one that ran to its end. Units are entered only in flat
 * 32-bit code (the run loop checks before the first): CS's base is 0, so
 * EIP is the linear address, and nothing a unit does changes that. Each
 * unit's other segments are checked against `flatSegs` as the run loop
 * checks the first's.
 */
export function compileDispatcher(memory: WasmMemory, table: WasmTable, ramBase: number): Dispatch {
  const c = new Code(2);
  const eip = 0;
  const budget = 1;
  const n = c.local();
  const page = c.local();
  const base = c.local();
  const phys = c.local();
  const slot = c.local();
  const at = c.local();
  const len = c.local();
  const k = c.local();
  const need = c.local();
  const flat = c.local();
  const segs = c.local();
  const io = (s: number): number => IO + 4 * s;
  c.i32(0).get(eip).mem(W.store, io(IO_EIP));
  c.i32(0).mem(W.load, io(IO_READ_NEED)).set(need);
  c.i32(0).mem(W.load, io(IO_FLAT)).set(flat);
  c.op(W.block, 0x40, W.loop, 0x40);
  c.get(eip).i32(12).op(W.shrU).set(page);
  c.get(page).mem(W.load8u, TLB_FLAGS).get(need).op(W.and).get(need).op(W.ne, W.brIf, 1);
  c.get(page).i32(2).op(W.shl).mem(W.load, TLB_MEM_READ).tee(base).i32(0).op(W.ltS, W.brIf, 1);
  c.get(base).i32(ramBase).op(W.sub).get(eip).i32(0xfff).op(W.and, W.add).set(phys);
  c.get(phys)
    .get(phys)
    .i32(13)
    .op(W.shrU, W.xor)
    .i32(UNIT_SLOTS - 1)
    .op(W.and)
    .tee(slot);
  c.i32(Math.log2(UNIT_RECORD)).op(W.shl).set(at);
  c.get(at)
    .mem(W.load, UNITS + UNIT_KEY)
    .get(phys)
    .op(W.ne, W.brIf, 1);
  c.get(at).mem(W.load, UNITS + UNIT_STAMP);
  c.get(phys).i32(12).op(W.shrU).i32(2).op(W.shl).mem(W.load, PAGE_STAMP).i32(1).op(W.or);
  c.op(W.ne, W.brIf, 1);
  // A unit assumes the segments it uses flat, as they were when it was translated;
  // its length is the most it retires before it checks the budget itself.
  c.get(at)
    .mem(W.load, UNITS + UNIT_SEGS)
    .tee(segs)
    .get(flat)
    .op(W.and)
    .get(segs)
    .op(W.ne, W.brIf, 1);
  c.get(at)
    .mem(W.load, UNITS + UNIT_LENGTH)
    .set(len);
  c.get(n).get(len).op(W.add).get(budget).op(W.gtS, W.brIf, 1);
  // `~k`: the unit left before an instruction that needs the run loop.
  c.get(eip).get(budget).get(n).op(W.sub).get(slot).callIndirect(UNIT_TYPE).tee(k);
  c.i32(0).op(W.ltS, W.if, VOID);
  c.get(n).get(k).i32(-1).op(W.xor, W.add).set(n);
  c.op(W.br, 2, W.end);
  c.get(n).get(k).op(W.add).set(n);
  c.i32(0).mem(W.load, io(IO_EIP)).set(eip);
  c.op(W.br, 0, W.end, W.end);
  c.get(n);
  const bytes = encodeModule(
    memory.buffer.byteLength >>> 16,
    [{ params: 2, results: 1, code: c }],
    [['run', 0]],
    UNIT_SLOTS,
  );
  const instance = new WebAssemblyApi.Instance(new WebAssemblyApi.Module(bytes), {
    m: { mem: memory, table },
  });
  return instance.exports.run as Dispatch;
}
