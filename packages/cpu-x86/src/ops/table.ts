import type { Instr } from '../core/instr.js';
import type { X86 } from '../core/x86.js';

/** One handler per opcode: 0x000-0x0FF one-byte, 0x100-0x1FF the 0F page, 0x200-0x2FF 0F 38, 0x300-0x3FF 0F 3A. */
export type Handler = (c: X86, i: Instr) => void;
