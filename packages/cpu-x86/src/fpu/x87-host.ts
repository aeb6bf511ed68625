import type { SimdState } from '../simd/state.js';

/**
 * What the x87 unit needs from the integer core. The CPU decodes an escape
 * instruction (D8-DF), resolves its memory operand's segment and offset, and
 * hands the FPU this host for the duration of `X87.execute`. Memory helpers
 * apply segmentation, limit checks and paging, and throw the CPU's own fault
 * object on #GP/#SS/#PF (the only exceptions allowed on a hot path).
 *
 * The FPU reads every memory operand completely before it changes any FPU
 * state, and changes FPU state only after its last memory write, so a fault
 * thrown by these helpers leaves the FPU as it was before the instruction.
 */
export interface X87Host {
  /**
   * Memory operand access at `offset` within the instruction's operand segment.
   * The FPU passes `operandOffset + k` for k = 0 .. 159 (the x87 part of the
   * FXSAVE image; FSAVE's is 108 bytes); the host applies the address-size wrap.
   */
  read8(offset: number): number;
  read16(offset: number): number;
  read32(offset: number): number;
  write8(offset: number, value: number): void;
  write16(offset: number, value: number): void;
  write32(offset: number, value: number): void;
  /** 32-bit operand size (selects the FSTENV/FSAVE layout size). */
  readonly operandSize32: boolean;
  /** Protected mode and not V86: selects the protected-mode environment layout. */
  readonly protectedMode: boolean;
  /** FNSTSW AX. */
  setAX(value: number): void;
  /** FCOMI/FUCOMI: ZF, PF, CF from the comparison; OF, SF, AF cleared. */
  setCompareFlags(zf: boolean, pf: boolean, cf: boolean): void;
  /** FCMOVcc: the current CF, ZF and PF. */
  readonly cf: boolean;
  readonly zf: boolean;
  readonly pf: boolean;
  /**
   * A wait-type instruction found an unmasked exception pending: the host raises
   * #MF when CR0.NE is set, or asserts FERR# (IRQ 13 through the chipset) otherwise.
   * When it returns (the FERR# path), the instruction goes on executing.
   */
  floatingPointError(): void;

  // --- Added by the FPU (additive): the last-instruction pointers and #UD. ---

  /**
   * Effective address (offset within the operand segment) of the memory operand;
   * read only when `execute` is called with `hasMemoryOperand`. It becomes the
   * FPU data pointer (FDP) of non-control instructions and the base of the image
   * for FSTENV/FLDENV/FSAVE/FRSTOR.
   */
  readonly operandOffset: number;
  /** Selector of the memory operand's segment register (FDS). */
  readonly operandSelector: number;
  /**
   * CS selector and offset of the current instruction's first byte, prefixes
   * included (FCS:FIP). Read at the start of every non-control instruction.
   * In real and V86 mode the FPU stores `selector * 16 + offset` in the image.
   */
  readonly instructionSelector: number;
  readonly instructionOffset: number;
  /**
   * The SIMD state that shares this unit's registers (MMX) and its reset;
   * absent where the x87 unit runs alone.
   */
  readonly simd?: SimdState;
}
