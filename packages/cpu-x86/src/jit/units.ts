import { type Clock, type CpuPins, type WasmMemory, type WasmTable, WebAssemblyApi } from '@plugboard/core';
import { type Arena, UNIT_SLOTS } from '../core/arena.js';
import type { CpuFeatures } from '../ops/index.js';
import { emit, type UnitCode } from './emit.js';
import { scan } from './scan.js';
import { compileDispatcher } from './wasm/dispatch.js';
import type { Code } from './wasm/encoder.js';
import { IO_LEAVE, IO_ON, IO_REFUSED, type PortIo } from './wasm/host.js';
import { type Region, scanRegion } from './wasm/region.js';
import { emitWasmUnit, encodeUnits, instantiateUnits, type WasmRun } from './wasm/unit.js';

/** Unit slots (a power of two): the bound on translated code; a new unit evicts its slot's old one. */
export { UNIT_SLOTS };
/** Executions of an entry before it is translated. */
export const HOT = 250;
/** WebAssembly units one module holds at most. */
const BATCH = 64;

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
  /** Milliseconds spent scanning and generating code on the run loop's thread (host time, not deterministic). */
  compileMs: number;
  /** WebAssembly units being compiled in the background (host time decides when each is ready). */
  pending: number;
  /** Entries found translated from an older version of their page (self-modifying code, reused pages). */
  invalidations: number;
  /** Units dropped from their slot by a newer one. */
  evictions: number;
  /** Times every unit was dropped (reset, the decode cache's stamps running out). */
  flushes: number;
}

const NOTHING: UnitCode = () => 0;

/** A WebAssembly unit written, waiting for its module; `waiting` holds its slot meanwhile. */
interface Compiling {
  slot: number;
  waiting: Unit;
  region: Region;
  code: Code;
  segs: number;
}

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
    pending: 0,
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
    /** Compile WebAssembly units in the background (`X86Options.jitBackground`). */
    private readonly background = false,
    /**
     * The first bytes of the page at a linear address as a fetch would read
     * them now, or null (not mapped readable in the TLB, MMIO): what an
     * instruction crossing into that page is translated with.
     */
    private readonly codeAt: (lin: number) => Uint8Array | null = () => null,
    /**
     * IN or OUT (`op` as `PortIo` takes it) for a unit, the `n`th instruction
     * of the slice: `IO_ON`, `IO_LEAVE` or `IO_REFUSED`.
     */
    port: (op: number, port: number, value: number, n: number) => number = () => IO_REFUSED,
  ) {
    // Units were entered on a budget up to `limit`: a slice shortened meanwhile sends them back to the run loop.
    this.portIo = (op, p, value, left) => {
      const status = port(op, p, value, this.limit - left);
      return status === IO_ON && this.clock.sliceLimit !== this.limit ? IO_LEAVE : status;
    };
    if (arena !== null && wasm !== null) {
      this.wasm = wasm;
      this.table = new WebAssemblyApi.Table({ element: 'anyfunc', initial: UNIT_SLOTS });
      const dispatch = compileDispatcher(wasm, this.table, ramBase);
      this.enter = (c, e, n) => {
        this.limit = this.clock.sliceLimit;
        return c.runWasm(dispatch, e, this.limit - n);
      };
    }
  }

  /** `clock.sliceLimit` when the run loop last entered units. */
  private limit = 0;
  private readonly portIo: PortIo;

  private readonly wasm: WasmMemory | null = null;
  private readonly table: WasmTable | null = null;
  /** Units written since the last module was compiled. */
  private batch: Compiling[] = [];
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
      this.arena?.dropUnit(slot);
    }
    if (++this.hits[slot] < this.hot) return null;
    this.hits[slot] = 0;
    const start = performance.now();
    const region =
      this.wasm !== null && code32
        ? scanRegion(
            buf,
            index,
            phys & 0xfff,
            eip,
            fetchLimit,
            this.model,
            flat,
            // Units run in flat code only: EIP is the linear address.
            this.codeAt((eip - (phys & 0xfff) + 0x1000) | 0),
          )
        : null;
    let unit: Unit;
    this.arena?.dropUnit(slot);
    if (this.units[slot] !== null) this.stats.evictions++;
    if (region !== null && this.wasm !== null) {
      // Until its module is ready the entry runs as if nothing there could be translated.
      unit = new Unit(phys, stamp, 0, 0, 0, NOTHING);
      this.units[slot] = unit;
      this.batch.push({ slot, waiting: unit, region, ...emitWasmUnit(region, flat) });
      this.stats.pending++;
      if (!this.background) this.compileBatch(false);
      else if (this.batch.length === 1) queueMicrotask(() => this.compileBatch(true));
      else if (this.batch.length === BATCH) this.compileBatch(true);
    } else {
      const s = scan(buf, index, phys & 0xfff, eip, code32, fetchLimit, this.model);
      const code = s.instrs.length === 0 ? NOTHING : emit(s.instrs, this.clock, this.pins);
      unit = new Unit(phys, stamp, s.instrs.length, s.span, s.bytes, code);
      this.count(unit);
      this.units[slot] = unit;
    }
    this.stats.compileMs += performance.now() - start;
    return this.units[slot];
  }

  /**
   * Compiles the units written since the last time into one module, on the
   * host's background threads when `background` (each is entered from the
   * first slice after it is ready), else at once. A unit whose slot went
   * to another (evicted, invalidated, flushed) meanwhile is dropped.
   */
  private compileBatch(background: boolean): void {
    const batch = this.batch;
    if (batch.length === 0) return;
    this.batch = [];
    const start = performance.now();
    const bytes = encodeUnits(
      batch.map((b) => b.code),
      this.wasm!,
    );
    const install = (module: object): void => {
      this.stats.pending -= batch.length;
      const runs = instantiateUnits(module, batch.length, this.wasm!, this.portIo);
      for (const [k, b] of batch.entries())
        if (this.units[b.slot] === b.waiting) this.units[b.slot] = this.install(b, runs[k]);
    };
    if (background) WebAssemblyApi.compile(bytes).then(install);
    else install(new WebAssemblyApi.Module(bytes));
    this.stats.compileMs += performance.now() - start;
  }

  private count(u: Unit): void {
    if (u.length === 0) return;
    this.stats.units++;
    this.stats.instructions += u.length;
  }

  /** A compiled unit in its slot of the dispatcher's table and arena. */
  private install(b: Compiling, run: WasmRun): Unit {
    const { tag, stamp } = b.waiting;
    const { region, segs } = b;
    this.table!.set(b.slot, run);
    this.arena!.setUnit(b.slot, tag, stamp, region.length, segs);
    this.stats.webAssembly++;
    const unit = new Unit(tag, stamp, region.length, region.span, region.bytes, this.enter, segs);
    this.count(unit);
    return unit;
  }

  /** Drops every unit (the decode cache dropped its entries, so their stamps start again). */
  flush(): void {
    this.units.fill(null);
    this.arena?.dropUnits();
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
    `translation time      ${s.compileMs.toFixed(1)} ms (${s.pending} compiling in the background)`,
    `invalidated entries   ${s.invalidations}`,
    `evicted units         ${s.evictions}`,
    `flushes               ${s.flushes}`,
  ].join('\n');
}
