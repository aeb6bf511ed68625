import type { Handler } from '../ops/table.js';
import { NOREG } from './constants.js';

/**
 * One decoded instruction: nothing in it depends on where it sits, so the
 * decode cache keeps one per physical address, and a block translator can
 * decode into as many as it likes, since decoding touches nothing but code bytes.
 */
export class Instr {
  /** Total length in bytes, prefixes included. */
  len = 0;
  /** 0x000-0x0FF one-byte opcodes, 0x100-0x1FF the 0F page, 0x200-0x2FF 0F 38 xx, 0x300-0x3FF 0F 3A xx. */
  op = 0;
  mod = 0;
  reg = 0;
  rm = 0;
  /** The raw ModRM byte (the FPU wants it whole). */
  modrm = 0;
  o32 = false;
  a32 = false;
  /** Segment register of the memory operand: the override, or DS/SS by base register. */
  seg = 3;
  /** Segment override prefix, or -1. */
  segOverride = -1;
  /** 0 none, 0xF3 REP/REPE, 0xF2 REPNE. */
  rep = 0;
  /**
   * Mandatory-prefix candidate of MMX/SSE opcodes: the last F2/F3 when there
   * is one (it outranks 66), else 0x66 when 66 appeared, else 0. The 66 is
   * still folded into `o32` too.
   */
  pfx = 0;
  lock = false;
  /** Memory operand: base + (index << scale) + disp, registers from the 9-entry file (8 = zero). */
  base = NOREG;
  index = NOREG;
  scale = 0;
  disp = 0;
  imm = 0;
  /** Second immediate: the selector of a far pointer, ENTER's nesting level. */
  imm2 = 0;
  /** What executes it (`ops/forms.ts` picks it once it is decoded). */
  fn: Handler | null = null;
  /** In the decode cache: the physical address it was decoded from (-1: none) and its page's stamp then. */
  tag = -1;
  stamp = 0;
  /**
   * Successors on the same page, as execution last found them: the
   * instruction it fell through to, and the one it branched to. The run loop
   * checks a link like a cache hit (tag and stamp) but skips the lookup.
   */
  next: Instr | null = null;
  branch: Instr | null = null;
  /**
   * A translated unit cannot run through it (it ends units, or no
   * WebAssembly form holds it): the run loop looks for a unit right after
   * it, as it does where a branch arrives.
   */
  endsUnit = false;
}
