import type { Instr } from '../core/instr-record.js';
import { Imm, type OpcodeEntry, type Operand, type UnitEnd } from './opcode-entry.js';
import { OPCODES } from './opcodes.js';
import type { Handler } from './table.js';

// Everything here is derived from the opcode table (`opcodes.ts`) once, at
// load: typed arrays the decoder, the handler choice (`forms.ts`) and a
// translator index with the opcode (and ModRM reg, form and mandatory
// prefix), so a lookup costs what the hand-written tables cost.

/** Opcode space: one-byte, 0F, 0F 38, 0F 3A. */
export const OPCODE_SPACE = 0x400;

/** Per opcode: 0 no ModRM, 1 ModRM, 2 ModRM whose mod is ignored (MOV to/from CR and DR: always registers). */
export const MODRM = new Uint8Array(OPCODE_SPACE);

/** Per opcode and ModRM reg (`op << 3 | reg`; reg 0 without ModRM): the immediate's `Imm` kind. */
export const IMM = new Uint8Array(OPCODE_SPACE * 8);

/** Per `op << 3 | reg`: LOCK is allowed on the memory form. */
export const LOCK = new Uint8Array(OPCODE_SPACE * 8);

/** Per opcode: 1 when its entries are told apart by mandatory prefix (`OpcodeEntry.pfx`). */
export const PREFIXED = new Uint8Array(OPCODE_SPACE);

/**
 * Per form, `formKey`: the index in `OPCODES` of the entry that describes
 * it, or -1. The x87 register forms named by the whole ModRM byte are in `X87_FORM`.
 */
export const FORM = new Int16Array(OPCODE_SPACE << 6).fill(-1);

/** Per D8-DF register form, `(op & 7) << 6 | modrm & 0x3f`: the entry's index, or -1. */
export const X87_FORM = new Int16Array(8 << 6).fill(-1);

/** Per entry: the leaf 1 EDX and ECX feature bits it needs. */
const NEED_EDX = Uint32Array.from(OPCODES, (e) => e.feature ?? 0);
const NEED_ECX = Uint32Array.from(OPCODES, (e) => e.featureEcx ?? 0);

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
const MODRM_OPERAND = /^(?:[EGRSCDVWUPQN][a-z]|M|STi$)/;

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

/** The mandatory-prefix index of a form: 0 none, 1 66, 2 F3, 3 F2. */
function prefixIndex(pfx: number): number {
  return pfx === 0x66 ? 1 : pfx === 0xf3 ? 2 : pfx === 0xf2 ? 3 : 0;
}

/** `FORM`'s index: opcode, memory or register form, mandatory prefix (where the opcode has them), ModRM reg. */
function formKey(op: number, mem: boolean, pfx: number, reg: number): number {
  return (op << 6) | (mem ? 32 : 0) | (PREFIXED[op] ? prefixIndex(pfx) << 3 : 0) | reg;
}

for (const e of OPCODES) if (e.pfx !== undefined) PREFIXED[e.op] = 1;

OPCODES.forEach((e, k) => {
  const op = e.op;
  const modrm = entryHasModrm(e);
  if (modrm) MODRM[op] = e.operands.includes('Rd') ? 2 : 1;
  const regs = e.reg === undefined ? [0, 1, 2, 3, 4, 5, 6, 7] : [e.reg];
  const imm = immOf(e);
  const x87 = op >= 0xd8 && op <= 0xdf;
  for (const reg of regs) {
    const slot = (op << 3) | reg;
    if (IMM[slot] !== Imm.None && IMM[slot] !== imm)
      throw new Error(`opcode ${op.toString(16)}/${reg}: two immediates`);
    IMM[slot] = imm;
    if (e.lock) LOCK[slot] = 1;
    const mems = e.mod === 'mem' ? [true] : e.mod === 'reg' ? [false] : [true, false];
    for (const mem of mems) {
      if (x87 && !mem) {
        for (let rm = 0; rm < 8; rm++) {
          if (e.rm !== undefined && e.rm !== rm) continue;
          const at = ((op & 7) << 6) | (reg << 3) | rm;
          if (X87_FORM[at] >= 0)
            throw new Error(`x87 ${op.toString(16)} ${(0xc0 | (at & 63)).toString(16)}: two entries`);
          X87_FORM[at] = k;
        }
        continue;
      }
      const key = formKey(op, mem, e.pfx ?? 0, reg);
      if (FORM[key] >= 0) throw new Error(`opcode ${op.toString(16)} /${reg}: two entries for one form`);
      FORM[key] = k;
    }
    if (e.ends) ENDS_UNIT[slot] = UNIT_ENDS.indexOf(e.ends) + 1;
    FLAGS_READ[slot] |= e.flagsRead ?? 0;
    FLAGS_WRITTEN[slot] |= e.flagsWritten ?? 0;
    FLAGS_UNDEFINED[slot] |= e.flagsUndefined ?? 0;
    if (!modrm) break;
  }
});

/** The index in `OPCODES` of the entry that describes decoded instruction `i`, or -1. */
export function entryIndex(i: Instr): number {
  const op = i.op;
  if (op >= 0xd8 && op <= 0xdf && i.mod === 3) return X87_FORM[((op & 7) << 6) | (i.modrm & 0x3f)];
  const modrm = MODRM[op] !== 0;
  return FORM[formKey(op, modrm && i.mod !== 3, i.pfx, modrm ? i.reg : 0)];
}

/** The CPUID feature bits a processor reports (`ModelServices`), all that decides which entries it executes. */
export interface CpuFeatures {
  readonly features: number;
  readonly featuresEcx: number;
}

/** Whether a processor with `model`'s features executes entry `k` (else #UD). */
export function entryAvailable(k: number, model: CpuFeatures): boolean {
  const edx = NEED_EDX[k];
  const ecx = NEED_ECX[k];
  return (model.features & edx) === edx && (model.featuresEcx & ecx) === ecx;
}

/**
 * Whether a LOCK prefix is allowed (SDM vol. 2, LOCK): read-modify-write
 * instructions with a memory destination; anything else raises #UD.
 */
export function lockable(i: Instr): boolean {
  return i.mod !== 3 && LOCK[(i.op << 3) | i.reg] !== 0;
}

/** The table entry that describes decoded instruction `i`, or undefined for an undefined opcode. */
export function opcodeInfo(i: Instr): OpcodeEntry | undefined {
  const k = entryIndex(i);
  return k < 0 ? undefined : OPCODES[k];
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
