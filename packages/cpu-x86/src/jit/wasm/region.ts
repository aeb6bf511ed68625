import { decode, Instr } from '../../core/instr.js';
import { handlerFor } from '../../ops/forms.js';
import type { CpuFeatures } from '../../ops/index.js';
import { LAST, OUTSIDE, roleOf } from '../roles.js';
import { PAGE, page, TOO_LONG } from '../scan.js';
import { branchDisplacement, conditionalBranch, emittable, portForm } from './forms.js';

/** A straight run of a region: entered only at its first instruction. Offsets are from the region's entry. */
export interface Block {
  start: number;
  instrs: Instr[];
  /** Each instruction's offset. */
  offsets: number[];
  /** Where execution goes after the last instruction when it does not transfer: the next block, or out. */
  end: number;
  /** The bytes of the last instruction that lie on the next page, when it crosses the page end. */
  tail: Uint8Array | null;
  /** The next block (in order) starts at `end` and the last instruction falls into it. */
  fallsInto: boolean;
}

/** What one WebAssembly unit holds: blocks in address order, among them the entry's. */
export interface Region {
  blocks: Block[];
  entry: number;
  /** Instructions in all blocks: the most a pass through the region without a backward jump retires. */
  length: number;
  /** Offset of the last instruction from the entry, and of the end of the furthest one. */
  span: number;
  bytes: number;
}

/**
 * Instructions in one region at most. 128 against 64 (alternating whole runs of
 * the test guest's bench mode, quiet 2-core VM): the shell loop 2.13, 2.04 and
 * 1.89 s against 2.50 and 1.90 s, gzip 3.5-3.8 s against 5.1-5.6 s, the whole run
 * 28-32 s against 33.5 s.
 */
const REGION_CAP = 128;

const JMP_SHORT = 0xeb;
const JMP_NEAR = 0xe9;

/**
 * The code a WebAssembly unit at CS:`eip` holds: from the entry (`buf[index]`,
 * at `pageOffset` of its page), the straight runs that relative JMPs and
 * conditional branches reach on the same page, up to REGION_CAP instructions
 * in all, each run stopping where the emitter has no form, at a control
 * transfer it cannot follow, at `fetchLimit`, after an instruction that
 * crosses the page end (only with `next`, the next page's first bytes as
 * they are now: the unit compares them before it runs the instruction), and
 * where it meets code already taken. A branch into the middle of a taken
 * instruction leaves the region. Null when the entry itself has no form.
 * Handlers are chosen for `model`, as the interpreter chooses them.
 */
export function scanRegion(
  buf: Uint8Array,
  index: number,
  pageOffset: number,
  eip: number,
  fetchLimit: number,
  model: CpuFeatures,
  flat: number,
  next: Uint8Array | null,
): Region | null {
  const base = eip - pageOffset;
  page.load(buf, index - pageOffset, PAGE, base, next);
  // Per page offset: the instruction starting there, and which bytes instructions cover.
  const at = new Map<number, Instr>();
  const covered = new Uint8Array(PAGE);
  // Offsets where execution arrives other than from the instruction before.
  const leaders = new Set<number>([pageOffset]);
  const pending = [pageOffset];
  let count = 0;
  while (pending.length > 0 && count < REGION_CAP) {
    let off = pending.shift()!;
    while (count < REGION_CAP && off < PAGE && !covered[off] && base + off <= fetchLimit) {
      const i = new Instr();
      try {
        decode(page, base + off, true, i);
      } catch (e) {
        if (e === TOO_LONG) break;
        throw e;
      }
      if ((off + i.len > PAGE && next === null) || covered.subarray(off, off + i.len).some((b) => b !== 0))
        break;
      if (roleOf(i) === OUTSIDE) break;
      i.fn = handlerFor(i, model);
      if (!emittable(i, flat)) break;
      at.set(off, i);
      covered.fill(1, off, off + i.len);
      count++;
      if (conditionalBranch(i.op) || i.op === JMP_SHORT || i.op === JMP_NEAR) {
        // Where it lands, as a page offset (possibly outside the page).
        const t = off + i.len + branchDisplacement(i);
        if (t >= 0 && t < PAGE && !leaders.has(t)) {
          leaders.add(t);
          pending.push(t);
        }
      }
      off += i.len;
      if (!goesOn(i)) break;
      // Running into code already taken: it is entered here too.
      if (at.has(off)) leaders.add(off);
    }
  }
  if (!at.has(pageOffset)) return null;
  const blocks: Block[] = [];
  let block: Block | null = null;
  let span = 0;
  let bytes = 0;
  for (const off of [...at.keys()].sort((a, b) => a - b)) {
    const i = at.get(off)!;
    const rel = off - pageOffset;
    if (block === null || block.end !== rel || leaders.has(off) || !continues(block)) {
      if (block !== null) block.fallsInto = block.end === rel && continues(block);
      block = { start: rel, instrs: [], offsets: [], end: rel, fallsInto: false, tail: null };
      blocks.push(block);
    }
    block.instrs.push(i);
    block.offsets.push(rel);
    block.end = rel + i.len;
    if (off + i.len > PAGE) block.tail = page.codeBuf.slice(PAGE, off + i.len);
    span = Math.max(span, rel);
    bytes = Math.max(bytes, rel + i.len);
  }
  return { blocks, entry: blocks.findIndex((b) => b.start === 0), length: count, span, bytes };
}

/** Whether execution can go on after the block's last instruction. */
function continues(b: Block): boolean {
  return goesOn(b.instrs[b.instrs.length - 1]);
}

/** Whether a region runs on after `i`: it is no unconditional transfer, nor anything else that ends a unit but a Jcc or port I/O. */
function goesOn(i: Instr): boolean {
  return roleOf(i) !== LAST || conditionalBranch(i.op) || portForm(i.op);
}
