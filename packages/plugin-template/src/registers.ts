/**
 * The copy engine's registers in BAR0 (32 bytes of I/O ports), as a datasheet
 * would list them. Every register is 32 bits wide; narrower accesses see its bytes.
 */
export const Reg = {
  /** Guest-physical address the engine reads from. */
  SRC: 0x00,
  /** Guest-physical address the engine writes to. */
  DST: 0x04,
  /** Bytes to copy, at most MAX_LENGTH. */
  LEN: 0x08,
  /** Write CTRL_START to copy; CTRL_IRQ_EN asks for an interrupt when done. */
  CTRL: 0x0c,
  /** STATUS_DONE and STATUS_ERROR; writing 1 to a bit clears it (and the interrupt). */
  STATUS: 0x10,
} as const;

export const BAR0_SIZE = 0x20;
export const CTRL_START = 1 << 0;
export const CTRL_IRQ_EN = 1 << 1;
export const STATUS_DONE = 1 << 0;
/** The copy was refused (too long, or bus mastering off) or touched memory outside RAM. */
export const STATUS_ERROR = 1 << 1;
/** The most one START copies: bounds the work a guest can ask for in one register write. */
export const MAX_LENGTH = 64 * 1024;
