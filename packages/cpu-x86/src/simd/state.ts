/**
 * The SIMD register state: XMM0-7 and MXCSR, plus the view of the x87
 * register file that MMX uses (MM0-7 are the significands of physical
 * registers R0-R7, SDM vol. 1, 9.5).
 *
 * XMM registers live in one buffer seen through every element width, so an
 * operation reads and writes lanes in place. Three more 16-byte slots follow
 * the eight registers: SRC (a memory or MMX source operand), DST (an MMX
 * destination while it is worked on) and TMP (results built before they
 * replace a register that is also a source, or before a fault check ends).
 * Lanes are little-endian, as on the hosts Node runs on.
 */

/** The x87 unit's register arrays and TOP, as MMX instructions reach them. */
export interface X87Registers {
  readonly signs: Uint8Array;
  readonly exponents: Uint16Array;
  readonly sigHi: Uint32Array;
  readonly sigLo: Uint32Array;
  readonly empty: Uint8Array;
  top: number;
}

/** Byte offsets of the scratch slots. */
export const SRC = 8 * 16;
export const DST = 9 * 16;
export const TMP = 10 * 16;

/** MXCSR fields (SDM vol. 1, 10.2.3). */
export const MXCSR_IE = 1 << 0;
export const MXCSR_DE = 1 << 1;
export const MXCSR_ZE = 1 << 2;
export const MXCSR_OE = 1 << 3;
export const MXCSR_UE = 1 << 4;
export const MXCSR_PE = 1 << 5;
export const MXCSR_DAZ = 1 << 6;
export const MXCSR_FTZ = 1 << 15;
export const MXCSR_RESET = 0x1f80;
/** Bits that can be set (FXSAVE's MXCSR_MASK): DAZ included; the rest raise #GP. */
export const MXCSR_MASK = 0xffff;

/** The bytes of the registers and scratch slots. */
export const SIMD_BYTES = 11 * 16;

export class SimdState {
  readonly u8: Uint8Array;
  readonly i8: Int8Array;
  readonly u16: Uint16Array;
  readonly i16: Int16Array;
  readonly u32: Uint32Array;
  readonly i32: Int32Array;
  readonly f32: Float32Array;
  readonly f64: Float64Array;
  mxcsr = MXCSR_RESET;
  /** The x87 registers MMX aliases; bound by the x87 unit when it is built. */
  x87: X87Registers | null = null;

  /**
   * The registers at byte `offset` (a multiple of 16) of `buf`: the CPU's
   * arena where translated code reaches them (`core/arena.ts` `XMM`), else a
   * buffer of their own.
   */
  constructor(
    readonly buf: ArrayBuffer = new ArrayBuffer(SIMD_BYTES),
    offset = 0,
  ) {
    this.u8 = new Uint8Array(buf, offset, SIMD_BYTES);
    this.i8 = new Int8Array(buf, offset, SIMD_BYTES);
    this.u16 = new Uint16Array(buf, offset, SIMD_BYTES / 2);
    this.i16 = new Int16Array(buf, offset, SIMD_BYTES / 2);
    this.u32 = new Uint32Array(buf, offset, SIMD_BYTES / 4);
    this.i32 = new Int32Array(buf, offset, SIMD_BYTES / 4);
    this.f32 = new Float32Array(buf, offset, SIMD_BYTES / 4);
    this.f64 = new Float64Array(buf, offset, SIMD_BYTES / 8);
  }

  /** RESET# and INIT (SDM vol. 3, table 9-1): XMM registers zero, MXCSR 1F80h. */
  reset(): void {
    this.u32.fill(0);
    this.mxcsr = MXCSR_RESET;
  }

  /**
   * Any MMX instruction but EMMS: TOP becomes 0 and every tag valid (SDM
   * vol. 1, table 9-3), whether or not the instruction writes a register.
   */
  enterMmx(): void {
    const x = this.x87!;
    x.top = 0;
    x.empty.fill(0);
  }

  /** EMMS: every tag empty. */
  emms(): void {
    this.x87!.empty.fill(1);
  }

  /** MMn into the low half of the slot at byte offset `at`. */
  loadMm(r: number, at: number): void {
    const x = this.x87!;
    this.u32[at >> 2] = x.sigLo[r]!;
    this.u32[(at >> 2) + 1] = x.sigHi[r]!;
  }

  /** The low half of the slot at `at` into MMn; an MMX write sets bits 64-79 (sign and exponent) to ones. */
  storeMm(at: number, r: number): void {
    const x = this.x87!;
    x.sigLo[r] = this.u32[at >> 2]!;
    x.sigHi[r] = this.u32[(at >> 2) + 1]!;
    x.signs[r] = 1;
    x.exponents[r] = 0x7fff;
  }

  /** Copies 16 bytes between slots (byte offsets, both multiples of 16). */
  copy(from: number, to: number): void {
    const u = this.u32;
    const f = from >> 2;
    const t = to >> 2;
    u[t] = u[f]!;
    u[t + 1] = u[f + 1]!;
    u[t + 2] = u[f + 2]!;
    u[t + 3] = u[f + 3]!;
  }
}
