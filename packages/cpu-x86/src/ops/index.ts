import { UD } from '../core/constants.js';
import type { Instr } from '../core/instr-record.js';
import { fpuEscape } from './fpu.js';
import { Imm, type OpcodeEntry, type Operand, type UnitEnd } from './opcode-entry.js';
import { OPCODES } from './opcodes.js';
import { installSimd } from './simd.js';
import type { Handler } from './table.js';

// Everything here is derived from the opcode table (`opcodes.ts`) once, at
// load: typed arrays the decoder, the dispatch and a translator index with
// the opcode (and ModRM reg), so a lookup costs what the hand-written tables cost.

/** Opcode space: one-byte, 0F, 0F 38, 0F 3A. */
export const OPCODE_SPACE = 0x400;

const undefinedOpcode: Handler = (c) => c.raise(UD);

/** The dispatch table. Opcodes without an entry raise #UD. */
export const OPS: Handler[] = new Array<Handler>(OPCODE_SPACE).fill(undefinedOpcode);

/** Per opcode: 0 no ModRM, 1 ModRM, 2 ModRM whose mod is ignored (MOV to/from CR and DR: always registers). */
export const MODRM = new Uint8Array(OPCODE_SPACE);

/** Per opcode and ModRM reg (`op << 3 | reg`; reg 0 without ModRM): the immediate's `Imm` kind. */
export const IMM = new Uint8Array(OPCODE_SPACE * 8);

/** Per `op << 3 | reg`: LOCK is allowed on the memory form. */
export const LOCK = new Uint8Array(OPCODE_SPACE * 8);

/** Per `op << 4 | (memory form ? 8 : 0) | reg`: some entry describes this form. */
export const DEFINED = new Uint8Array(OPCODE_SPACE * 16);

/** Reasons an instruction ends a translation unit; `ENDS_UNIT` holds 1 + the index. */
export const UNIT_ENDS: readonly UnitEnd[] = [
  'branch',
  'interrupt',
  'port',
  'segment',
  'system',
  'halt',
  'flags',
];

/** Per `op << 3 | reg`: 0, or 1 + the index in `UNIT_ENDS` of why it ends a translation unit. */
export const ENDS_UNIT = new Uint8Array(OPCODE_SPACE * 8);

/** Per `op << 3 | reg`: the arithmetic flags (EFLAGS bits) read, written and left undefined. */
export const FLAGS_READ = new Uint16Array(OPCODE_SPACE * 8);
export const FLAGS_WRITTEN = new Uint16Array(OPCODE_SPACE * 8);
export const FLAGS_UNDEFINED = new Uint16Array(OPCODE_SPACE * 8);

/** Entries by `op << 3 | reg`, for the disassembler and `opcodeInfo`. */
const BY_SLOT: OpcodeEntry[][] = Array.from({ length: OPCODE_SPACE * 8 }, () => []);

const IMM_OF: Partial<Record<Operand, Imm>> = {
  Ib: Imm.B,
  Ibs: Imm.B,
  Jb: Imm.B,
  Iw: Imm.W,
  Iz: Imm.Z,
  Jz: Imm.Z,
  Ap: Imm.Far,
  Ob: Imm.Moffs,
  Ov: Imm.Moffs,
};

/** Operands that live in the ModRM byte (register, memory, or the register form named by it). */
const MODRM_OPERAND = /^(?:[EGRSCD][a-z]|M|STi$)/;

function immOf(e: OpcodeEntry): Imm {
  const kinds = e.operands.map((o) => IMM_OF[o] ?? Imm.None).filter((k) => k !== Imm.None);
  if (kinds.length === 2 && kinds[0] === Imm.W && kinds[1] === Imm.B) return Imm.WB;
  if (kinds.length > 1) throw new Error(`opcode ${e.op.toString(16)}: two immediates`);
  return kinds[0] ?? Imm.None;
}

/** A string operand, DS:(E)SI or ES:(E)DI (XLAT's DS:(E)BX is not: REP does not repeat it). */
export function isString(o: Operand): boolean {
  return o === 'Xb' || o === 'Xv' || o === 'Yb' || o === 'Yv';
}

/** Whether entry `e`'s opcode takes a ModRM byte. */
export function entryHasModrm(e: OpcodeEntry): boolean {
  return e.reg !== undefined || e.mod !== undefined || e.operands.some((o) => MODRM_OPERAND.test(o));
}

for (const e of OPCODES) {
  const op = e.op;
  if (OPS[op] !== undefinedOpcode && OPS[op] !== e.handler) {
    throw new Error(
      `opcode ${op.toString(16)}: one opcode, one handler (its groups dispatch on reg themselves)`,
    );
  }
  OPS[op] = e.handler;
  const modrm = entryHasModrm(e);
  if (modrm) MODRM[op] = e.operands.includes('Rd') ? 2 : 1;
  const regs = e.reg === undefined ? [0, 1, 2, 3, 4, 5, 6, 7] : [e.reg];
  const imm = immOf(e);
  for (const reg of regs) {
    const slot = (op << 3) | reg;
    if (IMM[slot] !== Imm.None && IMM[slot] !== imm)
      throw new Error(`opcode ${op.toString(16)}/${reg}: two immediates`);
    IMM[slot] = imm;
    if (e.lock) LOCK[slot] = 1;
    // The x87 unit checks its reserved encodings itself, after the #NM check every escape makes.
    const x87 = e.handler === fpuEscape;
    if (e.mod !== 'reg' || x87) DEFINED[(op << 4) | 8 | reg] = 1;
    if (e.mod !== 'mem' || x87) DEFINED[(op << 4) | reg] = 1;
    if (e.ends) ENDS_UNIT[slot] = UNIT_ENDS.indexOf(e.ends) + 1;
    FLAGS_READ[slot] |= e.flagsRead ?? 0;
    FLAGS_WRITTEN[slot] |= e.flagsWritten ?? 0;
    FLAGS_UNDEFINED[slot] |= e.flagsUndefined ?? 0;
    BY_SLOT[slot].push(e);
    if (!modrm) break;
  }
}

// Transitional, until the MMX/SSE opcodes have entries in the table (the
// SSE engineer moves them there): `simd.ts` installs its handlers itself and
// each checks its own prefix, ModRM form and CPUID feature, so every form of
// these opcodes is handed to it. The ranges are those the decoder read a
// ModRM byte and an imm8 for before the table.
{
  const before = OPS.slice();
  installSimd(OPS);
  const range = (lo: number, hi: number) => Array.from({ length: hi - lo + 1 }, (_, k) => lo + k);
  const modrm = [
    ...range(0x110, 0x117),
    ...range(0x128, 0x12f),
    ...range(0x150, 0x176),
    ...range(0x178, 0x17f),
    ...range(0x1c2, 0x1c6),
    ...range(0x1d0, 0x1ff),
    ...range(0x200, 0x3ff),
  ];
  const imm8 = [...range(0x170, 0x173), 0x1c2, ...range(0x1c4, 0x1c6), ...range(0x300, 0x3ff)];
  // Lengths for the whole MMX/SSE space (later sets too, which stay #UD).
  for (const op of modrm) MODRM[op] = 1;
  for (const op of imm8) IMM.fill(Imm.B, op << 3, (op + 1) << 3);
  for (let op = 0; op < OPCODE_SPACE; op++) {
    if (OPS[op] === before[op]) continue;
    if (before[op] !== undefinedOpcode)
      throw new Error(`opcode ${op.toString(16)}: in the table and in simd.ts`);
    DEFINED.fill(1, op << 4, (op + 1) << 4);
  }
  // Group 15 (0F AE): FXSAVE/FXRSTOR are in the table, the rest (LDMXCSR, the fences...) is simd.ts'.
  DEFINED.fill(1, 0x1ae << 4, 0x1af << 4);
}

/**
 * Whether a LOCK prefix is allowed (SDM vol. 2, LOCK): read-modify-write
 * instructions with a memory destination; anything else raises #UD.
 */
export function lockable(i: Instr): boolean {
  return i.mod !== 3 && LOCK[(i.op << 3) | i.reg] !== 0;
}

/** Whether the opcode table has an entry for this form of `i` (opcode, ModRM reg, memory or register). */
export function defined(i: Instr): boolean {
  return DEFINED[(i.op << 4) | (i.mod === 3 ? 0 : 8) | i.reg] !== 0;
}

/** The table entry that describes decoded instruction `i`, or undefined for an undefined opcode. */
export function opcodeInfo(i: Instr): OpcodeEntry | undefined {
  const mem = i.mod !== 3;
  const rm = i.modrm & 7;
  for (const e of BY_SLOT[(i.op << 3) | i.reg]) {
    if ((e.mod === 'mem' && !mem) || (e.mod === 'reg' && mem)) continue;
    if (e.rm !== undefined && (mem || e.rm !== rm)) continue;
    return e;
  }
  return undefined;
}

/**
 * Why `i` ends a translation unit, or undefined. A REP string instruction
 * loops on itself (it restarts after a slice of elements, so interrupts are
 * taken between), so it ends one too.
 */
export function unitEnd(i: Instr): UnitEnd | undefined {
  const k = ENDS_UNIT[(i.op << 3) | i.reg];
  if (k !== 0) return UNIT_ENDS[k - 1];
  if (i.rep !== 0 && STRING_OPS.has(i.op)) return 'branch';
  return undefined;
}

/** Opcodes with a string operand (DS:(E)SI or ES:(E)DI), which REP repeats. */
const STRING_OPS = new Set(OPCODES.filter((e) => e.operands.some(isString)).map((e) => e.op));

export type { Handler };
