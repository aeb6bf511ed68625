import type { Clock, CpuPins } from '@plugboard/core';
import type { CpuFeatures } from '../ops/index.js';
import { emit, type UnitCode } from './emit.js';
import { scan } from './scan.js';

/** Unit slots (a power of two): the bound on translated code; a new unit evicts its slot's old one. */
export const UNIT_SLOTS = 1 << 14;
/** Executions of an entry before it is translated. */
export const HOT = 5000;

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
  ) {}
}

/** What the translator did, as data (`X86.jitStats()`). */
export interface JitStats {
  /** Units translated (empty entries not counted), and the instructions in them. */
  units: number;
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
  ) {}

  static slot(phys: number): number {
    return (phys ^ (phys >>> 13)) & (UNIT_SLOTS - 1);
  }

  /**
   * The unit at physical `phys` (entry offset `eip`, page stamp `stamp`),
   * translating it once the entry is hot; null while it is not (yet) there.
   * `buf[index]` is the entry's first byte, at `pageOffset` of its page.
   */
  find(
    phys: number,
    stamp: number,
    eip: number,
    buf: Uint8Array,
    index: number,
    code32: boolean,
    fetchLimit: number,
  ): Unit | null {
    const slot = Translator.slot(phys);
    const u = this.units[slot];
    if (u !== null && u.tag === phys) {
      if (u.stamp === stamp) return u;
      this.stats.invalidations++;
      this.units[slot] = null;
    }
    if (++this.hits[slot] < this.hot) return null;
    this.hits[slot] = 0;
    const start = performance.now();
    const s = scan(buf, index, phys & 0xfff, eip, code32, fetchLimit, this.model);
    const length = s.instrs.length;
    const code = length === 0 ? NOTHING : emit(s.instrs, this.clock, this.pins);
    if (this.units[slot] !== null) this.stats.evictions++;
    const unit = new Unit(phys, stamp, length, s.span, s.bytes, code);
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
    this.hits.fill(0);
    this.stats.flushes++;
  }
}

/** The counters as the monitor's `info jit` prints them; `retiredTotal` is every instruction retired. */
export function formatJitStats(s: JitStats, retiredTotal: number): string {
  const perUnit = s.units > 0 ? (s.instructions / s.units).toFixed(1) : '0';
  const share = retiredTotal > 0 ? ((100 * s.retired) / retiredTotal).toFixed(1) : '0';
  return [
    `units translated      ${s.units} (${perUnit} instructions each; ${UNIT_SLOTS} slots)`,
    `retired in units      ${s.retired} (${share}% of ${retiredTotal})`,
    `translation time      ${s.compileMs.toFixed(1)} ms`,
    `invalidated entries   ${s.invalidations}`,
    `evicted units         ${s.evictions}`,
    `flushes               ${s.flushes}`,
  ].join('\n');
}
