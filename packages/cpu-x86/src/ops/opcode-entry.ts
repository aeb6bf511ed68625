import { AF, CF, OF, PF, SF, ZF } from '../core/constants.js';
import type { Handler } from './table.js';

/**
 * Operand forms, after the SDM's opcode map (vol. 2, appendix A.2) with its
 * size letters: b byte, w word, d dword, v word or dword by operand size,
 * z the same for immediates (never 64 bits), p a far pointer, q qword.
 *
 * E ModRM r/m (register or memory), G ModRM reg, M ModRM memory only,
 * R ModRM r/m register only, S segment register, C and D control and debug
 * register by ModRM reg, I immediate (`Ibs` sign-extended to the operand
 * size), J relative branch target, A far absolute pointer, O memory offset
 * (moffs), X and Y the string operands DS:(E)SI and ES:(E)DI, Z the register
 * in the opcode's low three bits, `XL` XLAT's DS:[(E)BX], `MwRv` a word in
 * memory or a register of the operand size (MOV Sreg, SLDT, LAR). The x87 forms: ST the stack top, STi the
 * register in ModRM r/m, and memory by the data's type (`Mfs` single, `Mfd`
 * double, `Mft` extended, `Mi16`/`Mi32`/`Mi64` integers, `Mbcd` packed
 * decimal, `Menv` the environment or state image, no size). Named registers
 * (`AL`, `eAX`, `DX`, `CL`, the segment registers) and the constant `1`
 * stand for themselves.
 *
 * The MMX and SSE forms use the SDM's letters too: V an XMM register by
 * ModRM reg, W an XMM register or memory by r/m, U an XMM register by r/m
 * (register form only); P an MMX register by reg, Q an MMX register or
 * memory by r/m, N an MMX register by r/m. Their sizes: `ps` and `pd`
 * packed single and double (16 bytes), `ss` and `sd` scalar (4 and 8),
 * `dq` a double quadword (16), `q` a quadword (8), `d` a doubleword (4).
 * `Gd` a general dword register by reg, `Md` and `Mdq`/`Mps`/`Mpd` memory
 * of those sizes, `RdMw` a dword register or a word in memory (PINSRW).
 */
export type Operand =
  | 'Eb'
  | 'Ew'
  | 'Ed'
  | 'Ev'
  | 'Gb'
  | 'Gw'
  | 'Gv'
  | 'M'
  | 'Mb'
  | 'Mw'
  | 'Mv'
  | 'Mp'
  | 'Ma'
  | 'Mq'
  | 'Rd'
  | 'Rv'
  | 'Rw'
  | 'MwRv'
  | 'Sw'
  | 'Cd'
  | 'Dd'
  | 'Ib'
  | 'Ibs'
  | 'Iw'
  | 'Iz'
  | 'Jb'
  | 'Jz'
  | 'Ap'
  | 'Ob'
  | 'Ov'
  | 'Xb'
  | 'Xv'
  | 'Yb'
  | 'Yv'
  | 'XL'
  | 'Zb'
  | 'Zv'
  | 'AL'
  | 'AX'
  | 'eAX'
  | 'CL'
  | 'DX'
  | '1'
  | 'ES'
  | 'CS'
  | 'SS'
  | 'DS'
  | 'FS'
  | 'GS'
  | 'ST'
  | 'STi'
  | 'Mfs'
  | 'Mfd'
  | 'Mft'
  | 'Mi16'
  | 'Mi32'
  | 'Mi64'
  | 'Mbcd'
  | 'Menv'
  | 'Vps'
  | 'Vpd'
  | 'Vss'
  | 'Vsd'
  | 'Vdq'
  | 'Vq'
  | 'Wps'
  | 'Wpd'
  | 'Wss'
  | 'Wsd'
  | 'Wdq'
  | 'Wq'
  | 'Ups'
  | 'Upd'
  | 'Udq'
  | 'Uq'
  | 'Pq'
  | 'Qq'
  | 'Qd'
  | 'Nq'
  | 'Gd'
  | 'Md'
  | 'Mdq'
  | 'Mps'
  | 'Mpd'
  | 'RdMw';

/** The immediate bytes after the ModRM/SIB/displacement, as the decoder reads them. */
export enum Imm {
  None = 0,
  /** One byte. */
  B = 1,
  /** One word. */
  W = 2,
  /** A word or dword by operand size. */
  Z = 3,
  /** A word then a byte (ENTER). */
  WB = 4,
  /** Offset (word or dword by operand size) then selector (far JMP/CALL). */
  Far = 5,
  /** A memory offset, word or dword by address size (moffs). */
  Moffs = 6,
}

/**
 * Why an instruction ends a translation unit: after it, the code that runs
 * next, the mode, the interrupt state or the address translation may differ
 * from what a translator assumed when it started the unit.
 */
export type UnitEnd = 'branch' | 'interrupt' | 'port' | 'segment' | 'system' | 'halt' | 'flags';

/** The six arithmetic flags, as EFLAGS bits. */
export const OSZAPC = OF | SF | ZF | AF | PF | CF;
export const SZAPC = SF | ZF | AF | PF | CF;
export const SZP = SF | ZF | PF;

/**
 * One entry of the opcode table: everything the emulator knows about an
 * opcode (or one ModRM form of it) except how it executes, which its handler says.
 */
export interface OpcodeEntry {
  /**
   * The opcode: 0x000-0x0FF one-byte, 0x100-0x1FF after 0F; 0x200-0x2FF
   * (0F 38) and 0x300-0x3FF (0F 3A) are the three-byte maps.
   */
  op: number;
  /**
   * The mandatory prefix that selects this entry among the forms of an MMX
   * or SSE opcode (`Instr.pfx`: the last F2/F3, else 66); 0 for the form
   * without one. Absent for the integer and x87 opcodes, where 66, F2 and F3
   * are no part of the opcode. An opcode with one entry that names `pfx`
   * has its prefixes read for all: a prefix no entry names is #UD.
   */
  pfx?: 0 | 0x66 | 0xf2 | 0xf3;
  /** ModRM reg (/0-/7) when the opcode is a group; absent when any reg is this entry. */
  reg?: number;
  /** Only the memory form (mod 0-2) or only the register form (mod 3); absent when both. */
  mod?: 'mem' | 'reg';
  /** ModRM r/m, for register forms that are named by the whole ModRM byte (x87 D9 E0 FCHS). */
  rm?: number;
  /**
   * The mnemonic, Intel syntax, as `objdump -M intel` prints it (lower case).
   * Entries whose mnemonic follows the operand size give both, 16-bit first,
   * with the SDM's names (PUSHA/PUSHAD; objdump suffixes only the size that
   * is not the mode's default).
   */
  name: string | readonly [string, string];
  operands: readonly Operand[];
  /** LOCK is allowed on the memory form (SDM vol. 2, LOCK); LOCK anywhere else is #UD. */
  lock?: boolean;
  /** Ends a translation unit. */
  ends?: UnitEnd;
  /** Arithmetic flags (EFLAGS bits) whose values the result depends on. */
  flagsRead?: number;
  /** Arithmetic flags it may change (those it leaves undefined included). */
  flagsWritten?: number;
  /** Of `flagsWritten`, those the SDM leaves undefined. */
  flagsUndefined?: number;
  /**
   * The CPUID leaf 1 EDX feature bits it needs, all of them (`Feature`);
   * absent for the 8086-486 base. A model without one of them raises #UD
   * for this entry, as a processor of that model does (`handlerFor` picks
   * the #UD handler when the instruction is decoded).
   */
  feature?: number;
  /** The same for leaf 1 ECX (`FeatureEcx`: SSE3, SSSE3). */
  featureEcx?: number;
  /** Not in Intel's manuals but executed by every P6 (SALC, INT1, the 82 aliases). */
  undocumented?: boolean;
  handler: Handler;
}
