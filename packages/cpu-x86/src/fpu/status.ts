/** x87 status word bits (Intel SDM vol. 1, figure 8-4). */
export const SW_IE = 0x0001;
export const SW_DE = 0x0002;
export const SW_ZE = 0x0004;
export const SW_OE = 0x0008;
export const SW_UE = 0x0010;
export const SW_PE = 0x0020;
export const SW_SF = 0x0040;
export const SW_ES = 0x0080;
export const SW_C0 = 0x0100;
export const SW_C1 = 0x0200;
export const SW_C2 = 0x0400;
export const SW_TOP = 0x3800;
export const SW_C3 = 0x4000;
export const SW_B = 0x8000;
/** The six exception flags; the same bit positions are the masks in the control word. */
export const SW_EXCEPTIONS = 0x003f;
export const SW_CC = SW_C0 | SW_C1 | SW_C2 | SW_C3;

/** x87 control word fields (Intel SDM vol. 1, figure 8-6). */
export const CW_PC_SHIFT = 8;
export const CW_RC_SHIFT = 10;
/** Bit 6 is reserved and reads as 1 on P6; bits 13-15 read as 0. */
export const CW_WRITABLE = 0x1f3f;
export const CW_RESERVED_ONES = 0x0040;

export const RC_NEAREST = 0;
export const RC_DOWN = 1;
export const RC_UP = 2;
export const RC_CHOP = 3;

/** Tag values in the full tag word. */
export const TAG_VALID = 0;
export const TAG_ZERO = 1;
export const TAG_SPECIAL = 2;
export const TAG_EMPTY = 3;
