import { type CodeSource, decode, Instr } from '../core/instr.js';
import { handlerFor } from '../ops/forms.js';
import type { CpuFeatures } from '../ops/index.js';
import { LAST, OUTSIDE, roleOf } from './roles.js';

/** Instructions in one unit at most. */
export const UNIT_CAP = 64;
export const PAGE = 0x1000;
/** Bytes of the next page an instruction that crosses the page end can reach (its longest is 15). */
export const NEXT_BYTES = 16;

/** Thrown by the page's `tooLong`: the instruction is left to the interpreter, which raises the #GP. */
export const TOO_LONG = new Error('instruction too long');

/**
 * The rest of one code page as a decoder source: bytes past the page end
 * read as zero unless the caller gives the next page's first bytes (`next`),
 * so scanning never touches another page or its mapping itself.
 */
export class PageCode implements CodeSource {
  readonly codeBuf = new Uint8Array(PAGE + NEXT_BYTES);
  private entry = 0;

  load(buf: Uint8Array, start: number, length: number, entry: number, next: Uint8Array | null = null): void {
    this.codeBuf.fill(0);
    this.codeBuf.set(buf.subarray(start, start + length));
    if (next !== null) this.codeBuf.set(next.subarray(0, NEXT_BYTES), length);
    this.entry = entry;
  }

  codeWindow(eip: number): number {
    return eip - this.entry;
  }

  fetch8(eip: number): number {
    return this.codeBuf[eip - this.entry];
  }

  tooLong(): never {
    throw TOO_LONG;
  }
}

/** The scanners' one page buffer (scanning is synchronous and never nested). */
export const page = new PageCode();

/** A straight run of instructions as the scanner found it. */
export interface Scan {
  instrs: Instr[];
  /** Offset of the last instruction from the entry, and bytes from the entry to the end of the run. */
  span: number;
  bytes: number;
}

/**
 * Decodes the straight-line run at CS:`eip` for a JavaScript unit, whose
 * first byte is `buf[index]` at offset `pageOffset` of its page: up to
 * UNIT_CAP instructions, stopping at the page end, at `fetchLimit` (the last
 * offset where a whole instruction fits the CS limit), before a 16-bit
 * offset would wrap, before an instruction that stays OUTSIDE units and
 * after one that is LAST. Handlers are chosen for `model`, as the
 * interpreter chooses them (#UD for a feature it lacks).
 */
export function scan(
  buf: Uint8Array,
  index: number,
  pageOffset: number,
  eip: number,
  code32: boolean,
  fetchLimit: number,
  model: CpuFeatures,
): Scan {
  page.load(buf, index, PAGE - pageOffset, eip);
  const instrs: Instr[] = [];
  let at = eip;
  let off = pageOffset;
  let span = 0;
  while (instrs.length < UNIT_CAP && off < PAGE && at <= fetchLimit) {
    const i = new Instr();
    try {
      decode(page, at, code32, i);
    } catch (e) {
      if (e === TOO_LONG) break;
      throw e;
    }
    if (off + i.len > PAGE || (!code32 && at + i.len > 0xffff)) break;
    const role = roleOf(i);
    if (role === OUTSIDE) break;
    i.fn = handlerFor(i, model);
    instrs.push(i);
    span = at - eip;
    at += i.len;
    off += i.len;
    if (role === LAST) break;
  }
  return { instrs, span, bytes: at - eip };
}
