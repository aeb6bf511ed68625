import { ARENA_BYTES, type PhysicalMemory } from '@plugboard/core';

// Where the CPU keeps what translated WebAssembly code reads and writes, in
// the arena below RAM in the machine's WebAssembly memory (byte offsets).
// The interpreter uses the same arrays, so nothing is copied between tiers
// but the few fields of `IO`.

/** EAX..EDI and the zero register. */
export const REGS = 0;
/** Segment bases ES..TR, for operands through FS and GS. */
export const SEG_BASE = 0x80;
/** Int32 slots a unit reads at entry and writes at exit (`IO_*`). */
export const IO = 0x40;
export const IO_EIP = 0;
export const IO_FLAGS = 1;
export const IO_DIRTY = 2;
export const IO_OP = 3;
export const IO_DST = 4;
export const IO_SRC = 5;
export const IO_RES = 6;
export const IO_CIN = 7;
export const IO_BITS = 8;
export const IO_READ_NEED = 9;
export const IO_WRITE_NEED = 10;
/** `CpuState.flatSegs`: the dispatcher enters only units whose segments are flat now. */
export const IO_FLAT = 11;
/**
 * 1 when an XMM instruction raises nothing for CR0 and CR4 (EM and TS clear,
 * OSFXSR set; `ops/simd.ts` `needSse`), else 0: units leave before an XMM
 * form otherwise. CR0 and CR4 change only in the run loop, never in a unit.
 */
export const IO_SSE = 12;
/** The value an IN in a unit read (`X86.unitPort`), for the unit to load into EAX. */
export const IO_PORT = 13;
const IO_SLOTS = 16;
/** XMM0-7 and the SIMD scratch slots (`SimdState`, 11 * 16 bytes), 16-byte aligned. */
export const XMM = 0x100;
export const XMM_BYTES = 11 * 16;
/** The software TLB's flags, one byte per linear page. */
export const TLB_FLAGS = 0x100000;
/**
 * Per linear page, where its bytes lie in the WebAssembly memory when the
 * page reads (writes) RAM at its own physical address, else -1: valid only
 * with the page's flags. (An alias of RAM elsewhere would escape the
 * decode cache's watch on code pages, so it takes the slow path.)
 */
export const TLB_MEM_READ = 0x200000;
export const TLB_MEM_WRITE = 0x600000;
/** The decode cache's stamp of each physical page (`DecodeCache`). */
export const PAGE_STAMP = 0xa00000;
/**
 * The translator's WebAssembly units by slot (`Translator.slot` of the
 * entry's physical address), a record of `UNIT_RECORD` bytes each, so the
 * dispatcher's look-up reads one cache line: the address (-1 for none), its
 * page's stamp then, its length and its segment registers (`flatSegs` bits)
 * that must be flat to enter it, at these offsets. The function itself is
 * in the table at the slot.
 */
export const UNITS = 0xe00000;
export const UNIT_RECORD = 16;
export const UNIT_KEY = 0;
export const UNIT_STAMP = 4;
export const UNIT_LENGTH = 8;
export const UNIT_SEGS = 12;
export const UNIT_SLOTS = 1 << 16;
const TLB_PAGES = 1 << 20;
const END = UNITS + UNIT_RECORD * UNIT_SLOTS;
if (END > ARENA_BYTES) throw new Error('the CPU arena outgrew core ARENA_BYTES');

/** The CPU's views of its arena: in the machine's WebAssembly memory, or in a buffer of its own without one. */
export class Arena {
  readonly buffer: ArrayBuffer;
  /** The machine's WebAssembly memory holds the arena (translated code can use it). */
  readonly shared: boolean;
  readonly regs: Int32Array;
  readonly segBase: Int32Array;
  readonly io: Int32Array;
  readonly tlbFlags: Uint8Array;
  readonly tlbMemRead: Int32Array;
  readonly tlbMemWrite: Int32Array;
  readonly pageStamp: Int32Array;
  /** The unit records, four Int32 fields each. */
  private readonly units: Int32Array;

  constructor(memory: PhysicalMemory) {
    const wasm = memory.wasmMemory;
    this.shared = wasm !== null;
    this.buffer = wasm === null ? new ArrayBuffer(END) : wasm.buffer;
    this.regs = new Int32Array(this.buffer, REGS, 9);
    this.io = new Int32Array(this.buffer, IO, IO_SLOTS);
    this.tlbFlags = new Uint8Array(this.buffer, TLB_FLAGS, TLB_PAGES);
    this.tlbMemRead = new Int32Array(this.buffer, TLB_MEM_READ, TLB_PAGES);
    this.tlbMemWrite = new Int32Array(this.buffer, TLB_MEM_WRITE, TLB_PAGES);
    this.segBase = new Int32Array(this.buffer, SEG_BASE, 8);
    this.pageStamp = new Int32Array(this.buffer, PAGE_STAMP, TLB_PAGES);
    this.units = new Int32Array(this.buffer, UNITS, (UNIT_RECORD / 4) * UNIT_SLOTS);
    this.dropUnits();
  }

  setUnit(slot: number, key: number, stamp: number, length: number, segs: number): void {
    const at = (slot * UNIT_RECORD) / 4;
    this.units[at + UNIT_KEY / 4] = key;
    this.units[at + UNIT_STAMP / 4] = stamp;
    this.units[at + UNIT_LENGTH / 4] = length;
    this.units[at + UNIT_SEGS / 4] = segs;
  }

  /** The dispatcher no longer finds a unit in `slot`. */
  dropUnit(slot: number): void {
    this.units[(slot * UNIT_RECORD + UNIT_KEY) / 4] = -1;
  }

  dropUnits(): void {
    for (let slot = 0; slot < UNIT_SLOTS; slot++) this.dropUnit(slot);
  }
}
