import { type Clock, type CpuPins, type WasmMemory, type WasmTable, WebAssemblyApi } from '@plugboard/core';
import { type Arena, UNIT_SLOTS } from '../core/arena.js';
import type { CpuFeatures } from '../ops/index.js';
import { emit, type UnitCode } from './emit.js';
import { scan } from './scan.js';
import { compileDispatcher } from './wasm/dispatch.js';
import { scanRegion } from './wasm/region.js';
import { compileWasmUnit } from './wasm/unit.js';

/** Unit slots (a power of two): the bound on translated code; a new unit evicts its slot's old one. */
export { UNIT_SLOTS };
/** Executions of an entry before it is translated. */
export const HOT = 1000;

/** A translated run of instructions on one physical page, valid while the page's stamp is unchanged. */
export class Unit {
  constructor(
    /** Physical address of the entry, and the decode cache's stamp of its page (with CS.D) then. */
    readonly tag: number,
    readonly stamp: number,
    /** Instructions; 0 when nothing at this entry can be translated (it is not tried again). */
    readonly length: number,
    /** Offset of the last instruction from the entry, and bytes from the entry to the run's end. */
    readonly span: number,
    readonly bytes: number,
    readonly run: UnitCode,
    /** Segment registers (bits of `CpuState.flatSegs`) that must be flat to enter it: WebAssembly units assume them. */
    readonly segs = 0,
  ) {}
}

/** What the translator did, as data (`X86.jitStats()`). */
export interface JitStats {
  /** Units translated (empty entries not counted), and the instructions in them. */
  units: number;
  /** Of those, units compiled to WebAssembly (the others are JavaScript). */
  webAssembly: number;
  instructions: number;
  /** Instructions retired inside units. */
  retired: number;
  /** Milliseconds spent scanning and generating code (host time, not deterministic). */
  compileMs: number;
  /** Entries found translated from an older version of their page (self-modifying code, reused pages). */
  invalidations: number;
  /** Units dropped from their slot by a newer one. */
  evictions: number;
  /** Times every unit was dropped (memory-map changes, reset). */
  flushes: number;
}

const NOTHING: UnitCode = () => 0;

/**
 * The translated-code cache: units by the physical address of their entry,
 * counted into existence (`HOT` executions of an entry) and hung on the
 * decode cache's per-page stamps, so code written over is never entered again.
 */
export class Translator {
  readonly units: (Unit | null)[] = new Array<Unit | null>(UNIT_SLOTS).fill(null);
  private readonly hits = new Uint16Array(UNIT_SLOTS);
  readonly stats: JitStats = {
    units: 0,
    webAssembly: 0,
    instructions: 0,
    retired: 0,
    compileMs: 0,
    invalidations: 0,
    evictions: 0,
    flushes: 0,
  };

  constructor(
    private readonly clock: Clock,
    private readonly pins: CpuPins,
    /** The CPU model: its features decide which handlers translated code calls (#UD where it lacks one). */
    private readonly model: CpuFeatures,
    private readonly hot = HOT,
    /** The CPU's arena in the machine's WebAssembly memory, or null: units are JavaScript then. */
    private readonly arena: Arena | null = null,
    wasm: WasmMemory | null = null,
    ramBase = 0,
  ) {
    if (arena !== null && wasm !== null) {
      this.wasm = wasm;
      this.table = new WebAssemblyApi.Table({ element: 'anyfunc', initial: UNIT_SLOTS });
      const dispatch = compileDispatcher(wasm, this.table, ramBase);
      this.enter = (c, e, n) => c.runWasm(dispatch, e, this.clock.sliceLimit - n);
    }
  }

  private readonly wasm: WasmMemory | null = null;
  private readonly table: WasmTable | null = null;
  /** What a WebAssembly unit's `run` is: the dispatcher from its entry. */
  private readonly enter: UnitCode = NOTHING;

  static slot(phys: number): number {
    return (phys ^ (phys >>> 13)) & (UNIT_SLOTS - 1);
  }

  /**
   * The unit at physical `phys` (entry offset `eip`, page stamp `stamp`),
   * translating it once the entry is hot; null while it is not (yet) there.
   * `buf[index]` is the entry's first byte, at `pageOffset` of its page.
   * `flat` is `CpuState.flatSegs` now: a WebAssembly unit assumes what it
   * uses of it, and the run loop enters it only while that holds.
   */
  find(
    phys: number,
    stamp: number,
    eip: number,
    buf: Uint8Array,
    index: number,
    code32: boolean,
    fetchLimit: number,
    flat: number,
  ): Unit | null {
    const slot = Translator.slot(phys);
    const u = this.units[slot];
    if (u !== null && u.tag === phys) {
      if (u.stamp === stamp) return u;
      this.stats.invalidations++;
      this.units[slot] = null;
      if (this.arena !== null) this.arena.unitKey[slot] = -1;
    }
    if (++this.hits[slot] < this.hot) return null;
    this.hits[slot] = 0;
    const start = performance.now();
    const region =
      this.wasm !== null && code32
        ? scanRegion(buf, index, phys & 0xfff, eip, fetchLimit, this.model, flat)
        : null;
    let unit: Unit;
    if (this.arena !== null) this.arena.unitKey[slot] = -1;
    if (region !== null && this.arena !== null && this.table !== null) {
      const w = compileWasmUnit(region, flat, this.wasm!);
      this.table.set(slot, w.run);
      this.arena.unitKey[slot] = phys;
      this.arena.unitStamp[slot] = stamp;
      this.arena.unitLength[slot] = region.length;
      this.arena.unitSegs[slot] = w.segs;
      this.stats.webAssembly++;
      unit = new Unit(phys, stamp, region.length, region.span, region.bytes, this.enter, w.segs);
    } else {
      const s = scan(buf, index, phys & 0xfff, eip, code32, fetchLimit, this.model);
      const code = s.instrs.length === 0 ? NOTHING : emit(s.instrs, this.clock, this.pins);
      unit = new Unit(phys, stamp, s.instrs.length, s.span, s.bytes, code);
    }
    const length = unit.length;
    if (this.units[slot] !== null) this.stats.evictions++;
    this.units[slot] = unit;
    if (length > 0) {
      this.stats.units++;
      this.stats.instructions += length;
    }
    this.stats.compileMs += performance.now() - start;
    return unit;
  }

  /** Drops every unit (the decode cache dropped its entries, so their stamps start again). */
  flush(): void {
    this.units.fill(null);
    this.arena?.unitKey.fill(-1);
    this.hits.fill(0);
    this.stats.flushes++;
  }
}

/** The counters as the monitor's `info jit` prints them; `retiredTotal` is every instruction retired. */
export function formatJitStats(s: JitStats, retiredTotal: number): string {
  const perUnit = s.units > 0 ? (s.instructions / s.units).toFixed(1) : '0';
  const share = retiredTotal > 0 ? ((100 * s.retired) / retiredTotal).toFixed(1) : '0';
  return [
    `units translated      ${s.units} (${perUnit} instructions each; ${UNIT_SLOTS} slots), ${s.webAssembly} to WebAssembly`,
    `retired in units      ${s.retired} (${share}% of ${retiredTotal})`,
    `translation time      ${s.compileMs.toFixed(1)} ms`,
    `invalidated entries   ${s.invalidations}`,
    `evicted units         ${s.evictions}`,
    `flushes               ${s.flushes}`,
  ].join('\n');
}
