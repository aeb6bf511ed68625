import { IMM, MODRM } from '../ops/index.js';
import { Imm } from '../ops/opcode-entry.js';
import { EBP, ESP, NOREG } from './constants.js';
import type { Instr } from './instr-record.js';

export { Instr } from './instr-record.js';

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
  const form = MODRM[op];
  if (form !== 0) {
    const m = b[d + p++];
    i.modrm = m;
    const mod = m >> 6;
    const rm = m & 7;
    i.mod = form === 2 ? 3 : mod;
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
  switch (IMM[(op << 3) | i.reg]) {
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
