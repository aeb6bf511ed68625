import { DS, ES, SS } from '../../core/constants.js';
import { hasModrm, type Instr } from '../../core/instr.js';
import { raisesUndefined } from '../../ops/forms.js';
import { BODY, roleOf } from '../roles.js';
import { mandatoryRep, sseSupported } from './lower-sse.js';

// Which instruction forms a WebAssembly unit holds (`supported`), and what
// each reaches memory through; `lower.ts` writes them out.

/** Whether `i` (an emitted form) reads or writes a memory operand through its ModRM byte. LEA only computes one. */
export function memoryOperand(i: Instr): boolean {
  return i.mod !== 3 && hasModrm(i.op) && i.op !== 0x8d;
}

/** PUSH, POP, CALL and RET (emitted forms): their accesses go through SS. */
export function usesStack(i: Instr): boolean {
  const op = i.op;
  return (
    (op >= 0x50 && op < 0x60) ||
    op === 0x68 ||
    op === 0x6a ||
    op === 0xe8 ||
    op === 0xc3 ||
    op === 0xc2 ||
    op === 0xc9 ||
    (op === 0xff && (i.reg === 6 || i.reg === 2))
  );
}

/**
 * Whether a unit can hold `i`: `emitInstr` has its form, and the interpreter
 * has no #UD to raise for it (CMOV on a Pentium, LOCK where the SDM forbids
 * it; an allowed LOCK changes nothing on one processor).
 */
export function emittable(i: Instr, flat: number): boolean {
  return (
    (i.rep === 0 || repBlockForm(i.op) || mandatoryRep(i)) && !raisesUndefined(i.fn) && supported(i, flat)
  );
}

/** The forms `emitInstr` writes out. */
export function supported(i: Instr, flat: number): boolean {
  const op = i.op;
  if (portForm(op)) return true;
  if (stringForm(op)) return stringOk(i, flat);
  if (op >= 0xa0 && op < 0xa4) return i.a32 && (flat & (1 << moffsSeg(i))) !== 0;
  if (memoryOperand(i) && (!i.a32 || (flat & (1 << i.seg)) === 0)) return false;
  if (usesStack(i) && (flat & (1 << SS)) === 0) return false;
  // Near transfers with a 16-bit operand size wrap EIP to 16 bits: left to the interpreter.
  if ((op >= 0x70 && op < 0x80) || (op >= 0x180 && op < 0x190)) return i.o32;
  if (op === 0xeb || op === 0xe9 || op === 0xe8 || op === 0xc3 || op === 0xc2) return i.o32;
  // 16-bit operands (a 66 prefix) go as far as MOV, the ALU, TEST, INC/DEC, NOT and NEG.
  if (op < 0x40) return (op & 7) <= 5;
  if (op >= 0x40 && op < 0x50) return true;
  if (op >= 0x50 && op < 0x60) return i.o32;
  if (op >= 0xb0 && op < 0xb8) return true;
  if (op >= 0xb8 && op < 0xc0) return i.o32;
  switch (op) {
    case 0x68:
    case 0x6a:
      return i.o32;
    case 0x80:
    case 0x84:
    case 0x88:
    case 0x8a:
    case 0xa8:
    case 0xc6:
      return true;
    case 0x81:
    case 0x83:
    case 0x85:
    case 0x89:
    case 0x8b:
    case 0xa9:
    case 0xc7:
      return true;
    case 0x8d:
      return i.o32 && i.mod !== 3 && i.a32;
    case 0xf6:
      return i.reg <= 3 && i.reg !== 1;
    case 0xf7:
      return i.reg !== 1 && (i.o32 || i.reg <= 3);
    case 0xfe:
      return i.reg <= 1;
    case 0xff:
      return i.reg <= 1 || ((i.reg === 6 || i.reg === 2 || i.reg === 4) && i.o32);
    case 0x1a3:
    case 0x1ab:
    case 0x1b3:
    case 0x1bb:
      // A register index reaches memory beyond the operand: left to the interpreter.
      return i.o32 && i.mod === 3;
    case 0x1ba:
      return i.o32 && i.reg >= 4;
    case 0x1a4:
    case 0x1a5:
    case 0x1ac:
    case 0x1ad:
      return i.o32;
    case 0x1b0:
    case 0x1b1:
    case 0x1c0:
    case 0x1c1:
      return true;
    case 0x1b6:
    case 0x1b7:
    case 0x1be:
    case 0x1bf:
    case 0x1af:
    case 0x69:
    case 0x6b:
    case 0x87:
    case 0x99:
      return i.o32;
    case 0x90:
    case 0xfc:
    case 0xfd:
      return true;
    case 0xc0:
    case 0xc1:
    case 0xd0:
    case 0xd1:
    case 0xd2:
    case 0xd3:
      return i.reg !== 2 && i.reg !== 3;
    case 0xc9:
      return i.o32 && (flat & (1 << SS)) !== 0;
    default:
      if (op >= 0x91 && op < 0x98) return i.o32;
      if (op >= 0x140 && op < 0x150) return i.o32;
      if (op >= 0x190 && op < 0x1a0) return true;
      if (op >= 0x1c8 && op < 0x1d0) return i.o32;
      // SSE2 integer forms, BSF and BSR (`lower-sse.ts`).
      return sseSupported(i);
  }
}

/** Whether a unit ends at or after `i` in flat code: a control transfer or system instruction, or no form for it. */
export function endsUnit(i: Instr): boolean {
  return roleOf(i) !== BODY || (i.rep !== 0 && !mandatoryRep(i)) || !supported(i, ALL_FLAT);
}

const ALL_FLAT = 0x3f;

/** The segment registers (bits) an emitted form reaches memory through. */
export function segmentsOf(i: Instr): number {
  let segs = 0;
  if (memoryOperand(i)) segs |= 1 << i.seg;
  if (usesStack(i)) segs |= 1 << SS;
  if (i.op >= 0xa0 && i.op < 0xa4) segs |= 1 << moffsSeg(i);
  if (stringForm(i.op)) {
    if (readsSource(i.op)) segs |= 1 << stringSource(i);
    if (usesDestination(i.op)) segs |= 1 << ES;
  }
  return segs;
}

/**
 * IN and OUT with an immediate or DX port (not INS/OUTS): units make the
 * access through the host and go on after it unless the run loop must look
 * at something (`host.ts`), so a region runs on past them.
 */
export function portForm(op: number): boolean {
  return (op >= 0xe4 && op <= 0xe7) || (op >= 0xec && op <= 0xef);
}

/** Jcc, short and near. */
export function conditionalBranch(op: number): boolean {
  return (op >= 0x70 && op < 0x80) || (op >= 0x180 && op < 0x190);
}

/** The displacement of a relative JMP or Jcc: the short forms' 8 bits sign-extended. */
export function branchDisplacement(i: Instr): number {
  return i.op === 0xeb || (i.op >= 0x70 && i.op < 0x80) ? (i.imm << 24) >> 24 : i.imm;
}

/** MOVS, CMPS, STOS, LODS, SCAS. With a REP prefix only MOVS and STOS, as one block (`lower.ts` `repBlock`). */
export function stringForm(op: number): boolean {
  return (op >= 0xa4 && op <= 0xa7) || (op >= 0xaa && op <= 0xaf);
}

/** REP MOVS and REP STOS, which units hold when they complete within a page. */
export function repBlockForm(op: number): boolean {
  return op === 0xa4 || op === 0xa5 || op === 0xaa || op === 0xab;
}

/** What a string form reads from its source (DS:ESI) and writes to or reads from its destination (ES:EDI). */
export const readsSource = (op: number): boolean => op !== 0xaa && op !== 0xab && op !== 0xae && op !== 0xaf;
export const usesDestination = (op: number): boolean => op !== 0xac && op !== 0xad;

/** The segment MOVS and LODS read through: the override or DS. */
export function stringSource(i: Instr): number {
  return i.segOverride >= 0 ? i.segOverride : DS;
}

function stringOk(i: Instr, flat: number): boolean {
  // REP MOVS and STOS go by bytes or doublewords (`repBlock`); one step takes words too.
  if (!i.a32 || (i.op & 1 && !i.o32 && i.rep !== 0)) return false;
  return (
    (!readsSource(i.op) || (flat & (1 << stringSource(i))) !== 0) &&
    (!usesDestination(i.op) || (flat & (1 << ES)) !== 0)
  );
}

export function moffsSeg(i: Instr): number {
  return i.segOverride >= 0 ? i.segOverride : DS;
}
