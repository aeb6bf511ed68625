/** Segment register indices, in the order the ModRM `reg` field names them; LDTR and TR share the caches. */
export const ES = 0;
export const CS = 1;
export const SS = 2;
export const DS = 3;
export const FS = 4;
export const GS = 5;
export const LDTR = 6;
export const TR = 7;

/** General registers; index 8 is a constant zero so an absent base or index costs no branch. */
export const EAX = 0;
export const ECX = 1;
export const EDX = 2;
export const EBX = 3;
export const ESP = 4;
export const EBP = 5;
export const ESI = 6;
export const EDI = 7;
export const NOREG = 8;

/** EFLAGS bits (SDM vol. 1, 3.4.3). */
export const CF = 1 << 0;
export const PF = 1 << 2;
export const AF = 1 << 4;
export const ZF = 1 << 6;
export const SF = 1 << 7;
export const TF = 1 << 8;
export const IF = 1 << 9;
export const DF = 1 << 10;
export const OF = 1 << 11;
export const IOPL = 3 << 12;
export const NT = 1 << 14;
export const RF = 1 << 16;
export const VM = 1 << 17;
export const AC = 1 << 18;
export const VIF = 1 << 19;
export const VIP = 1 << 20;
export const ID = 1 << 21;
export const ARITH_FLAGS = CF | PF | AF | ZF | SF | OF;
/** Bits software can change at all on a P6 (VIF/VIP only through VME, which is not offered). */
export const FLAGS_WRITABLE = ARITH_FLAGS | TF | IF | DF | IOPL | NT | RF | VM | AC | ID;
/** Bit 1 reads as one. */
export const FLAGS_FIXED = 1 << 1;

/** CR0 bits. */
export const CR0_PE = 1 << 0;
export const CR0_MP = 1 << 1;
export const CR0_EM = 1 << 2;
export const CR0_TS = 1 << 3;
export const CR0_ET = 1 << 4;
export const CR0_NE = 1 << 5;
export const CR0_WP = 1 << 16;
export const CR0_AM = 1 << 18;
export const CR0_NW = 1 << 29;
export const CR0_CD = 1 << 30;
export const CR0_PG = 1 << 31;

/** CR4 bits. */
export const CR4_VME = 1 << 0;
export const CR4_PVI = 1 << 1;
export const CR4_TSD = 1 << 2;
export const CR4_DE = 1 << 3;
export const CR4_PSE = 1 << 4;
export const CR4_PAE = 1 << 5;
export const CR4_MCE = 1 << 6;
export const CR4_PGE = 1 << 7;
export const CR4_PCE = 1 << 8;
export const CR4_OSFXSR = 1 << 9;
export const CR4_OSXMMEXCPT = 1 << 10;
/** CR4 bits a P6 accepts; the rest raise #GP. */
export const CR4_VALID =
  CR4_VME | CR4_PVI | CR4_TSD | CR4_DE | CR4_PSE | CR4_PAE | CR4_MCE | CR4_PGE | CR4_PCE;

/** Exception vectors. */
export const DE = 0;
export const DB = 1;
export const NMI_VECTOR = 2;
export const BP = 3;
export const OF_VECTOR = 4;
export const BR = 5;
export const UD = 6;
export const NM = 7;
export const DF_VECTOR = 8;
export const TS = 10;
export const NP = 11;
export const SS_VECTOR = 12;
export const GP = 13;
export const PF_VECTOR = 14;
export const MF = 16;
export const AC_VECTOR = 17;
/** SIMD floating-point exception (#XM). */
export const XM = 19;

/** Descriptor attribute bits as kept in the segment caches: bits 8-23 of the descriptor's high dword. */
export const ATTR_TYPE = 0x0f;
export const ATTR_A = 0x01;
/** Data: writable; code: readable. */
export const ATTR_RW = 0x02;
/** Data: expand-down; code: conforming. */
export const ATTR_DC = 0x04;
export const ATTR_CODE = 0x08;
export const ATTR_S = 0x10;
export const ATTR_DPL_SHIFT = 5;
export const ATTR_P = 0x80;
export const ATTR_DB = 0x4000;
export const ATTR_G = 0x8000;

/** System descriptor types. */
export const TSS16_AVAIL = 1;
export const LDT_TYPE = 2;
export const TSS16_BUSY = 3;
export const CALL_GATE16 = 4;
export const TASK_GATE = 5;
export const INT_GATE16 = 6;
export const TRAP_GATE16 = 7;
export const TSS32_AVAIL = 9;
export const TSS32_BUSY = 11;
export const CALL_GATE32 = 12;
export const INT_GATE32 = 14;
export const TRAP_GATE32 = 15;
