import type { Handler } from '../ops/table.js';
import { EBP, ESP, NOREG } from './constants.js';

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
}

enum Imm {
  None = 0,
  B = 1,
  W = 2,
  Z = 3,
  WB = 4,
  Far = 5,
  Moffs = 6,
}

const MODRM = new Uint8Array(1024);
const IMM = new Uint8Array(1024);

function set(table: Uint8Array, value: number, ...ops: (number | [number, number])[]): void {
  for (const o of ops) {
    if (typeof o === 'number') table[o] = value;
    else for (let x = o[0]; x <= o[1]; x++) table[x] = value;
  }
}

for (let row = 0; row < 0x40; row += 8) {
  set(MODRM, 1, [row, row + 3]);
  IMM[row + 4] = Imm.B;
  IMM[row + 5] = Imm.Z;
}
set(MODRM, 1, 0x62, 0x63, 0x69, 0x6b, [0x80, 0x8f], [0xc0, 0xc1], [0xc4, 0xc7], [0xd0, 0xd3], [0xd8, 0xdf]);
set(MODRM, 1, 0xf6, 0xf7, 0xfe, 0xff);
set(IMM, Imm.B, 0x6a, 0x6b, [0x70, 0x7f], 0x80, 0x82, 0x83, 0xa8, [0xb0, 0xb7], 0xc0, 0xc1, 0xc6, 0xcd);
set(IMM, Imm.B, 0xd4, 0xd5, [0xe0, 0xe7], 0xeb);
set(IMM, Imm.Z, 0x68, 0x69, 0x81, 0xa9, [0xb8, 0xbf], 0xc7, 0xe8, 0xe9);
set(IMM, Imm.W, 0xc2, 0xca);
set(IMM, Imm.WB, 0xc8);
set(IMM, Imm.Far, 0x9a, 0xea);
set(IMM, Imm.Moffs, [0xa0, 0xa3]);
set(MODRM, 1, [0x100, 0x103], 0x10d, [0x118, 0x11f], [0x120, 0x123], [0x140, 0x14f], [0x190, 0x19f]);
set(MODRM, 1, [0x1a3, 0x1a5], [0x1ab, 0x1ae], [0x1af, 0x1b7], [0x1b9, 0x1bf], 0x1c0, 0x1c1, 0x1c7);
set(IMM, Imm.B, 0x1a4, 0x1ac, 0x1ba);
set(IMM, Imm.Z, [0x180, 0x18f]);
// MMX/SSE: 0F 10-17, 28-2F, 50-7F (not 77 EMMS), C2-C6, D0-FF and the two three-byte maps.
set(MODRM, 1, [0x110, 0x117], [0x128, 0x12f], [0x150, 0x176], [0x178, 0x17f], [0x1c2, 0x1c6], [0x1d0, 0x1ff]);
set(MODRM, 1, [0x200, 0x3ff]);
set(IMM, Imm.B, [0x170, 0x173], 0x1c2, [0x1c4, 0x1c6], [0x300, 0x3ff]);

/**
 * Whether a LOCK prefix is allowed (SDM vol. 2, LOCK): read-modify-write
 * instructions with a memory destination; anything else raises #UD.
 */
export function lockable(i: Instr): boolean {
  if (i.mod === 3) return false;
  const op = i.op;
  if (op < 0x40) return (op & 7) < 2 && (op & 0x38) !== 0x38;
  switch (op) {
    case 0x80:
    case 0x81:
    case 0x82:
    case 0x83:
      return i.reg !== 7;
    case 0x86:
    case 0x87:
    case 0x1ab:
    case 0x1b3:
    case 0x1bb:
    case 0x1b0:
    case 0x1b1:
    case 0x1c0:
    case 0x1c1:
      return true;
    case 0xf6:
    case 0xf7:
      return i.reg === 2 || i.reg === 3;
    case 0xfe:
    case 0xff:
      return i.reg < 2;
    case 0x1ba:
      return i.reg >= 5;
    case 0x1c7:
      return i.reg === 1;
    default:
      return false;
  }
}

/** Whether opcode `op` (0x000-0x3FF, as `Instr.op`) takes a ModRM byte; for tools that walk code. */
export function hasModrm(op: number): boolean {
  return MODRM[op] !== 0;
}

/** Where the decoder gets code bytes: the CPU's fetch through CS, limit and paging. */
export interface CodeSource {
  /** Byte at CS:`eip` (applies the CS limit and paging; throws the guest fault). */
  fetch8(eip: number): number;
  /** The maximum instruction length was exceeded. */
  tooLong(): never;
  /**
   * When the 16 bytes at CS:`eip` lie within the CS limit and one mapped RAM
   * or ROM page, returns the index of the first in `codeBuf`; otherwise -1.
   */
  codeWindow(eip: number): number;
  readonly codeBuf: Uint8Array;
}

/** Code bytes gathered one by one where no window exists (page ends, MMIO, the CS limit). */
const scratch = new Uint8Array(16);

function r16(b: Uint8Array, k: number): number {
  return b[k] | (b[k + 1] << 8);
}

function r32(b: Uint8Array, k: number): number {
  return b[k] | (b[k + 1] << 8) | (b[k + 2] << 16) | (b[k + 3] << 24);
}

const BASE16 = [3, 3, 5, 5, 6, 7, 5, 3];
const INDEX16 = [6, 7, 6, 7, NOREG, NOREG, NOREG, NOREG];

/**
 * Decodes the instruction at CS:`eip` into `i`. `code32` is the CS default
 * size. Only code bytes are read; nothing executes.
 */
export function decode(src: CodeSource, eip: number, code32: boolean, i: Instr): void {
  const w = src.codeWindow(eip);
  if (w >= 0) {
    decodeBytes(src, src.codeBuf, w - eip, eip, code32, i);
    return;
  }
  // Gather what can be fetched; a fault on a byte the instruction needs is raised again below.
  let avail = 0;
  try {
    for (; avail < 16; avail++) scratch[avail] = src.fetch8(eip + avail);
  } catch {
    scratch.fill(0, avail);
  }
  decodeBytes(src, scratch, -eip, eip, code32, i);
  if (i.len > avail) src.fetch8(eip + avail);
}

/** Decodes from `b`, where the byte at CS:p is `b[p + d]`. */
function decodeBytes(
  src: CodeSource,
  b: Uint8Array,
  d: number,
  eip: number,
  code32: boolean,
  i: Instr,
): void {
  let p = eip;
  let o32 = code32;
  let a32 = code32;
  let seg = -1;
  let rep = 0;
  let opsize = false;
  let lock = false;
  let x = b[d + p++];
  for (;;) {
    if (x === 0x66) {
      o32 = !code32;
      opsize = true;
    } else if (x === 0x67) a32 = !code32;
    else if (x === 0x26 || x === 0x2e || x === 0x36 || x === 0x3e) seg = (x >> 3) & 3;
    else if (x === 0x64 || x === 0x65) seg = x - 0x60;
    else if (x === 0xf3 || x === 0xf2) rep = x;
    else if (x === 0xf0) lock = true;
    else break;
    if (p - eip >= 15) src.tooLong();
    x = b[d + p++];
  }
  let op = x;
  if (op === 0x0f) {
    op = 0x100 | b[d + p++];
    if (op === 0x138) op = 0x200 | b[d + p++];
    else if (op === 0x13a) op = 0x300 | b[d + p++];
  }
  i.op = op;
  i.pfx = rep !== 0 ? rep : opsize ? 0x66 : 0;
  i.o32 = o32;
  i.a32 = a32;
  i.segOverride = seg;
  i.rep = rep;
  i.lock = lock;
  i.base = NOREG;
  i.index = NOREG;
  i.scale = 0;
  i.disp = 0;
  let defSeg = 3;
  if (MODRM[op] !== 0) {
    const m = b[d + p++];
    i.modrm = m;
    const mod = m >> 6;
    const rm = m & 7;
    i.mod = (op & 0x3fc) === 0x120 ? 3 : mod;
    i.reg = (m >> 3) & 7;
    i.rm = rm;
    if (i.mod !== 3) {
      if (!a32) {
        if (mod === 0 && rm === 6) {
          i.disp = r16(b, p + d);
          p += 2;
        } else {
          i.base = BASE16[rm];
          i.index = INDEX16[rm];
          if (rm === 2 || rm === 3 || rm === 6) defSeg = 2;
          if (mod === 1) i.disp = (b[d + p++] << 24) >> 24;
          else if (mod === 2) {
            i.disp = r16(b, p + d);
            p += 2;
          }
        }
      } else {
        let base = rm;
        if (rm === 4) {
          const sib = b[d + p++];
          base = sib & 7;
          const index = (sib >> 3) & 7;
          if (index !== ESP) {
            i.index = index;
            i.scale = sib >> 6;
          }
        }
        if (mod === 0 && base === EBP) {
          i.disp = r32(b, p + d);
          p += 4;
        } else {
          i.base = base;
          if (base === ESP || base === EBP) defSeg = 2;
          if (mod === 1) i.disp = (b[d + p++] << 24) >> 24;
          else if (mod === 2) {
            i.disp = r32(b, p + d);
            p += 4;
          }
        }
      }
    }
  } else {
    i.modrm = 0;
    i.mod = 3;
    i.reg = 0;
    i.rm = op & 7;
  }
  i.seg = seg >= 0 ? seg : defSeg;
  let kind = IMM[op];
  if ((op === 0xf6 || op === 0xf7) && i.reg < 2) kind = op === 0xf6 ? Imm.B : Imm.Z;
  switch (kind) {
    case Imm.B:
      i.imm = b[d + p++];
      break;
    case Imm.W:
      i.imm = r16(b, p + d);
      p += 2;
      break;
    case Imm.Z:
      if (o32) {
        i.imm = r32(b, p + d);
        p += 4;
      } else {
        i.imm = r16(b, p + d);
        p += 2;
      }
      break;
    case Imm.WB:
      i.imm = r16(b, p + d);
      i.imm2 = b[p + 2 + d];
      p += 3;
      break;
    case Imm.Far:
      if (o32) {
        i.imm = r32(b, p + d);
        p += 4;
      } else {
        i.imm = r16(b, p + d);
        p += 2;
      }
      i.imm2 = r16(b, p + d);
      p += 2;
      break;
    case Imm.Moffs:
      if (a32) {
        i.disp = r32(b, p + d);
        p += 4;
      } else {
        i.disp = r16(b, p + d);
        p += 2;
      }
      break;
  }
  if (p - eip > 15) src.tooLong();
  i.len = p - eip;
}
