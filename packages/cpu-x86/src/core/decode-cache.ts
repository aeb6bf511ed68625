import type { PhysicalMemory } from '@plugboard/core';
import { Instr } from './instr-record.js';

/** Cache slots (a power of two); a slot holds one instruction, chosen by its physical address. */
const SLOTS = 1 << 16;
const PAGES = 1 << 20;
/** Writes that find decoded code on one page before the page stops being cached (code sharing a page with hot data). */
const THRASH = 64;
/** Invalidations (in stamp steps) after which every page's THRASH count starts again. */
const THRASH_PERIOD = 1 << 16;
/** Page stamps step by 2 (bit 0 of an entry's stamp is CS.D); past this, everything starts again. */
const STAMP_LIMIT = 1 << 30;

/**
 * Decoded instructions keyed by physical address, so an instruction is decoded
 * once and not at every execution. An entry is valid while its page's stamp
 * is unchanged: a write to a page holding decoded code (by the CPU or by a bus
 * master, see `PhysicalMemory.codePages`) bumps the stamp, so self-modifying
 * code and reused pages are decoded afresh. A block translator can hang its
 * blocks on the same per-page stamps.
 */
export class DecodeCache {
  readonly instrs: (Instr | null)[] = new Array<Instr | null>(SLOTS).fill(null);
  /**
   * Per physical page: even, moved on by every invalidation; an entry's
   * stamp adds 1 for 32-bit code. Given by the CPU, whose WebAssembly units
   * read it too.
   */
  private readonly pageStamp: Int32Array;
  /** Per page: writes that invalidated it; at THRASH it is left uncached for a while. */
  private readonly writes = new Uint8Array(PAGES);
  private nextStamp = 0;
  /** Called when every entry is dropped, for what hangs on the stamps (translated units). */
  onFlush: () => void = () => {};

  constructor(
    private readonly memory: PhysicalMemory,
    pageStamp: Int32Array = new Int32Array(PAGES),
  ) {
    this.pageStamp = pageStamp;
  }

  static slot(phys: number): number {
    return (phys ^ (phys >>> 16)) & (SLOTS - 1);
  }

  /** Whether instructions of physical page `page` may be cached. */
  cacheable(page: number): boolean {
    return this.writes[page] < THRASH;
  }

  /** What entries of physical page `page` decoded as `code32` carry while valid. */
  stampOf(page: number, code32: boolean): number {
    return this.pageStamp[page] | (code32 ? 1 : 0);
  }

  /** The slot's instruction object, made on first use and emptied for decoding into. */
  take(slot: number): Instr {
    let e = this.instrs[slot];
    if (e === null) {
      e = new Instr();
      this.instrs[slot] = e;
    }
    e.tag = -1;
    e.next = null;
    e.branch = null;
    return e;
  }

  /** A write reached physical page `page`: its entries become stale. */
  invalidate(page: number): void {
    this.memory.codePages[page] = 0;
    if (this.writes[page] < THRASH) this.writes[page]++;
    this.nextStamp += 2;
    if (this.nextStamp >= STAMP_LIMIT) this.flush();
    else this.pageStamp[page] = this.nextStamp;
    if ((this.nextStamp & (THRASH_PERIOD - 1)) === 0) this.writes.fill(0);
  }

  /** Drops every entry (reset, or the stamps ran out). */
  flush(): void {
    for (const e of this.instrs) if (e !== null) e.tag = -1;
    this.pageStamp.fill(0);
    this.writes.fill(0);
    this.nextStamp = 0;
    this.onFlush();
  }
}
