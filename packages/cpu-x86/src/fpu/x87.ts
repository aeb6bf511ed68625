import { BCD_LIMIT_HI, BCD_LIMIT_LO, bcdBytes, bcdToBinary, bcdValue, binaryToBcd } from './bcd.js';
import {
  BIAS,
  CLS_FINITE,
  CLS_INF,
  CLS_QNAN,
  CLS_SNAN,
  CLS_UNSUPPORTED,
  CLS_ZERO,
  Float80,
} from './float80.js';
import {
  CW_PC_SHIFT,
  CW_RC_SHIFT,
  CW_RESERVED_ONES,
  CW_WRITABLE,
  RC_CHOP,
  RC_NEAREST,
  RC_UP,
  SW_B,
  SW_C0,
  SW_C1,
  SW_C2,
  SW_C3,
  SW_CC,
  SW_DE,
  SW_ES,
  SW_EXCEPTIONS,
  SW_IE,
  SW_PE,
  SW_SF,
  SW_TOP,
  SW_ZE,
  TAG_EMPTY,
  TAG_SPECIAL,
  TAG_VALID,
  TAG_ZERO,
} from './status.js';
import { f2xm1, fcos, fpatan, fptan, fsin, fyl2x, fyl2xp1 } from './transcendental.js';
import {
  loadEnvironment,
  loadFxImage,
  restoreState,
  saveState,
  storeEnvironment,
  storeFxImage,
} from './x87-env.js';
import type { X87Host } from './x87-host.js';

/** Comparison outcomes. */
const CMP_GREATER = 0;
const CMP_LESS = 1;
const CMP_EQUAL = 2;
const CMP_UNORDERED = 3;
/** C3, C2, C0 for each comparison outcome (FCOM, FTST, FICOM). */
const CMP_CC = [0, SW_C0, SW_C3, SW_C3 | SW_C2 | SW_C0];

/** Low word of the integer indefinite (the most negative integer) for each width. */
function integerIndefiniteLow(bits: number): number {
  return bits === 16 ? 0x8000 : bits === 32 ? 0x80000000 : 0;
}

/** Memory operand formats of the arithmetic groups. */
const MEM_F32 = 0;
const MEM_F64 = 1;
const MEM_I32 = 2;
const MEM_I16 = 3;

/**
 * FLDL2T, FLDL2E, FLDPI, FLDLG2, FLDLN2: exponent, the significand rounded to
 * nearest, and whether that rounding went up (the constants are irrational, so
 * RC up/down/chop pick the neighbouring 64-bit values, SDM vol. 1, 8.3.8).
 */
const CONSTANTS = new Uint32Array([
  0x4000, 0xd49a784b, 0xcd1b8afe, 0, 0x3fff, 0xb8aa3b29, 0x5c17f0bc, 1, 0x4000, 0xc90fdaa2, 0x2168c235, 1,
  0x3ffd, 0x9a209a84, 0xfbcff799, 1, 0x3ffe, 0xb17217f7, 0xd1cf79ac, 1,
]);

/**
 * The x87 FPU of a P6-class processor. Registers are kept exactly as 80-bit
 * values (sign, 15-bit exponent, 64-bit significand in two 32-bit halves);
 * arithmetic goes through `Float80`, which rounds exactly per PC and RC.
 */
export class X87 {
  readonly signs = new Uint8Array(8);
  readonly exponents = new Uint16Array(8);
  readonly sigHi = new Uint32Array(8);
  readonly sigLo = new Uint32Array(8);
  /** Per physical register: 1 when the tag is empty (11b). The full tag is computed on FSTENV/FSAVE. */
  readonly empty = new Uint8Array(8);
  top = 0;
  controlWord = 0;
  /** Status word bits other than TOP. */
  status = 0;
  /** Last non-control instruction: FCS:FIP, opcode (11 bits), FDS:FDP. */
  fip = 0;
  fcs = 0;
  fop = 0;
  fdp = 0;
  fds = 0;

  readonly f = new Float80();
  private readonly opSqrt = (f: Float80): boolean => f.sqrt(this.precision());
  private readonly opRoundInt = (f: Float80): boolean => f.roundInt();

  constructor(readonly host: X87Host) {
    this.f.bindRegisters(this.signs, this.exponents, this.sigHi, this.sigLo);
    if (host.simd) host.simd.x87 = this;
    this.reset();
  }

  /** Power-on and RESET state (SDM vol. 3, table 9-1): FCW 0040h, registers +0.0 tagged valid. */
  reset(): void {
    this.fninit();
    this.controlWord = CW_RESERVED_ONES;
    this.signs.fill(0);
    this.exponents.fill(0);
    this.sigHi.fill(0);
    this.sigLo.fill(0);
    this.empty.fill(0);
    this.host.simd?.reset();
  }

  /** FNINIT: FCW 037Fh, FSW 0, all tags empty, pointers 0; register contents kept. */
  fninit(): void {
    this.controlWord = 0x037f;
    this.status = 0;
    this.top = 0;
    this.empty.fill(1);
    this.fip = 0;
    this.fcs = 0;
    this.fop = 0;
    this.fdp = 0;
    this.fds = 0;
  }

  get statusWord(): number {
    return (this.status & ~SW_TOP) | (this.top << 11);
  }

  set statusWord(value: number) {
    this.top = (value >>> 11) & 7;
    this.status = value & ~SW_TOP & 0xffff;
  }

  /** Full tag word, two bits per physical register (SDM vol. 1, figure 8-7). */
  get tagWord(): number {
    let tw = 0;
    for (let p = 0; p < 8; p++) {
      let tag: number;
      const e = this.exponents[p]!;
      const hi = this.sigHi[p]!;
      if (this.empty[p]) tag = TAG_EMPTY;
      else if (e === 0x7fff) tag = TAG_SPECIAL;
      else if (e === 0) tag = hi === 0 && this.sigLo[p] === 0 ? TAG_ZERO : TAG_SPECIAL;
      else tag = (hi & 0x80000000) === 0 ? TAG_SPECIAL : TAG_VALID;
      tw |= tag << (2 * p);
    }
    return tw;
  }

  set tagWord(value: number) {
    for (let p = 0; p < 8; p++) this.empty[p] = ((value >>> (2 * p)) & 3) === TAG_EMPTY ? 1 : 0;
  }

  /** Loads a control word: reserved bits fixed, ES/B follow the newly unmasked flags. */
  setControlWord(value: number): void {
    this.controlWord = (value & CW_WRITABLE) | CW_RESERVED_ONES;
    this.updateSummary();
  }

  /** ES and B are set exactly when an exception flag is set whose mask is clear. */
  updateSummary(): void {
    if ((this.status & ~this.controlWord & SW_EXCEPTIONS) !== 0) this.status |= SW_ES | SW_B;
    else this.status &= ~(SW_ES | SW_B);
  }

  /** FXSAVE: the image leaves the state as it is (unlike FSAVE) and checks no pending exception. */
  fxsave(): void {
    storeFxImage(this, this.host);
  }

  /** FXRSTOR: a pending exception it restores waits for the next wait-type instruction. */
  fxrstor(): void {
    loadFxImage(this, this.host);
  }

  /** FWAIT and every wait-type instruction: deliver a pending unmasked exception. */
  checkPendingException(): void {
    if ((this.status & SW_ES) !== 0) this.host.floatingPointError();
  }

  /**
   * Executes one escape instruction. Wait-type instructions check for a pending
   * exception first (the core only calls `checkPendingException` itself for FWAIT).
   * Only the encodings the opcode table defines come here: the core gives
   * the others, and those of features the model lacks, #UD (`ops/forms.ts`).
   */
  execute(opcode: number, modrm: number, hasMemoryOperand: boolean): void {
    const reg = (modrm >>> 3) & 7;
    if (hasMemoryOperand) {
      if (opcode === 0xd9 && reg >= 6) {
        if (reg === 6) {
          storeEnvironment(this, this.host);
          // FNSTENV then masks all exceptions, which also ends the pending state.
          this.controlWord |= SW_EXCEPTIONS;
          this.updateSummary();
        } else {
          this.host.write16(this.host.operandOffset, this.controlWord);
        }
        return;
      }
      if (opcode === 0xdd && reg >= 6) {
        if (reg === 6) {
          saveState(this, this.host);
          this.fninit();
        } else {
          this.host.write16(this.host.operandOffset, this.statusWord);
        }
        return;
      }
    } else if (opcode === 0xdb && modrm >= 0xe0 && modrm <= 0xe4) {
      // FNENI, FNDISI and FNSETPM do nothing on the 387 and later.
      if (modrm === 0xe2) this.status &= ~(SW_EXCEPTIONS | SW_SF | SW_ES | SW_B);
      else if (modrm === 0xe3) this.fninit();
      return;
    } else if (opcode === 0xdf && modrm === 0xe0) {
      this.host.setAX(this.statusWord);
      return;
    }
    this.checkPendingException();
    if (hasMemoryOperand) {
      if (opcode === 0xd9 && reg === 4) {
        loadEnvironment(this, this.host);
        return;
      }
      if (opcode === 0xd9 && reg === 5) {
        this.setControlWord(this.host.read16(this.host.operandOffset));
        return;
      }
      if (opcode === 0xdd && reg === 4) {
        restoreState(this, this.host);
        return;
      }
    }
    const f = this.f;
    f.flags = 0;
    f.roundedUp = false;
    f.rc = (this.controlWord >>> CW_RC_SHIFT) & 3;
    f.masks = this.controlWord & SW_EXCEPTIONS;
    if (hasMemoryOperand) this.executeMemory(opcode, reg);
    else this.executeRegister(opcode, reg, modrm & 7, modrm);
    // Recorded last, so an instruction that faults on memory leaves the pointers alone.
    this.recordPointers(opcode, modrm, hasMemoryOperand);
  }

  /** Records FCS:FIP and FOP (and FDS:FDP for memory forms) of a non-control instruction. */
  private recordPointers(opcode: number, modrm: number, mem: boolean): void {
    const host = this.host;
    this.fip = host.instructionOffset;
    this.fcs = host.instructionSelector;
    this.fop = ((opcode & 7) << 8) | modrm;
    if (mem) {
      this.fdp = host.operandOffset;
      this.fds = host.operandSelector;
    }
  }

  // --- register file -------------------------------------------------------

  /** Physical index of ST(i). */
  phys(i: number): number {
    return (this.top + i) & 7;
  }

  isEmpty(i: number): boolean {
    return this.empty[(this.top + i) & 7] !== 0;
  }

  private loadA(i: number): void {
    this.f.loadA((this.top + i) & 7);
  }

  private loadB(i: number): void {
    this.f.loadB((this.top + i) & 7);
  }

  /** Writes a raw 80-bit value to ST(i) and tags it non-empty. */
  setReg(i: number, sign: number, expField: number, hi: number, lo: number): void {
    const p = (this.top + i) & 7;
    this.signs[p] = sign;
    this.exponents[p] = expField;
    this.sigHi[p] = hi;
    this.sigLo[p] = lo;
    this.empty[p] = 0;
  }

  private writeResult(i: number): void {
    const f = this.f;
    const p = (this.top + i) & 7;
    this.signs[p] = f.rSign;
    this.exponents[p] = f.rExp;
    this.sigHi[p] = f.rHi;
    this.sigLo[p] = f.rLo;
    this.empty[p] = 0;
  }

  private setIndefinite(i: number): void {
    this.setReg(i, 1, 0x7fff, 0xc0000000, 0);
  }

  private push(): void {
    this.top = (this.top - 1) & 7;
  }

  private pop(): void {
    this.empty[this.top] = 1;
    this.top = (this.top + 1) & 7;
  }

  private setC1(on: boolean): void {
    if (on) this.status |= SW_C1;
    else this.status &= ~SW_C1;
  }

  /** Folds the operation's exception flags into FSW; an unmasked one sets ES and B. */
  private raise(flags: number): void {
    this.status |= flags;
    if ((flags & ~this.controlWord & SW_EXCEPTIONS) !== 0) this.status |= SW_ES | SW_B;
  }

  /**
   * Stack overflow (`overflow`) or underflow: IE and SF, C1 tells which.
   * Returns true when IE is masked (the caller applies the masked response).
   */
  private stackFault(overflow: boolean): boolean {
    this.setC1(overflow);
    this.raise(SW_IE | SW_SF);
    return (this.controlWord & SW_IE) !== 0;
  }

  /** Commits an arithmetic result: ST(dest) and C1 when delivered, flags always, then optional pops. */
  private commit(ok: boolean, dest: number, pops: number): void {
    const f = this.f;
    if (ok) {
      this.writeResult(dest);
      this.setC1(f.roundedUp);
    }
    this.raise(f.flags);
    if (ok) for (let n = 0; n < pops; n++) this.pop();
  }

  private precision(): number {
    const pc = (this.controlWord >>> CW_PC_SHIFT) & 3;
    return pc === 0 ? 24 : pc === 2 ? 53 : 64;
  }

  // --- memory forms ----------------------------------------------------------

  private executeMemory(opcode: number, reg: number): void {
    const host = this.host;
    const ea = host.operandOffset;
    switch (opcode) {
      case 0xd8:
        this.arithMemory(reg, MEM_F32);
        return;
      case 0xdc:
        this.arithMemory(reg, MEM_F64);
        return;
      case 0xda:
        this.arithMemory(reg, MEM_I32);
        return;
      case 0xde:
        this.arithMemory(reg, MEM_I16);
        return;
      case 0xd9:
        if (reg === 0) this.fldFloat(host.read32(ea), 0, false);
        else this.fstFloat(false, reg === 3);
        return;
      case 0xdd:
        if (reg === 0) this.fldFloat(host.read32(ea + 4), host.read32(ea), true);
        else if (reg === 1) this.fisttp(64);
        else this.fstFloat(true, reg === 3);
        return;
      case 0xdb:
        if (reg === 0) this.fildValue(host.read32(ea) | 0);
        else if (reg === 5) this.fld80(host.read32(ea), host.read32(ea + 4), host.read16(ea + 8));
        else if (reg === 7) this.fstp80();
        else if (reg === 1) this.fisttp(32);
        else this.fist(32, reg === 3);
        return;
      default:
        // 0xdf
        switch (reg) {
          case 0:
            this.fildValue((host.read16(ea) << 16) >> 16);
            return;
          case 1:
            this.fisttp(16);
            return;
          case 2:
          case 3:
            this.fist(16, reg === 3);
            return;
          case 4:
            this.fbld(host.read32(ea), host.read32(ea + 4), host.read16(ea + 8));
            return;
          case 5:
            this.fild64(host.read32(ea + 4), host.read32(ea));
            return;
          case 6:
            this.fbstp();
            return;
          default:
            this.fist(64, true);
        }
    }
  }

  /** Converts the memory operand of an arithmetic group into operand B (or A when reversed). */
  private arithMemory(reg: number, format: number): void {
    const host = this.host;
    const ea = host.operandOffset;
    const f = this.f;
    let denormal = false;
    switch (format) {
      case MEM_F32:
        denormal = f.fromF32(host.read32(ea));
        break;
      case MEM_F64: {
        const lo = host.read32(ea);
        denormal = f.fromF64(host.read32(ea + 4), lo);
        break;
      }
      case MEM_I32:
        this.integerToResult(host.read32(ea) | 0);
        break;
      default:
        this.integerToResult((host.read16(ea) << 16) >> 16);
    }
    if (this.isEmpty(0)) {
      if (this.stackFault(false)) {
        if (reg === 2 || reg === 3) this.setCompareCC(CMP_UNORDERED, reg === 3 ? 1 : 0);
        else this.setIndefinite(0);
      }
      return;
    }
    const reversed = reg === 5 || reg === 7;
    if (reversed) {
      f.resultToA();
      f.aDenormal = denormal;
      this.loadB(0);
    } else {
      f.resultToB();
      f.bDenormal = denormal;
      this.loadA(0);
    }
    if (reg === 2 || reg === 3) {
      this.finishCompare(this.compare(false), reg === 3 ? 1 : 0);
      return;
    }
    this.commit(this.operate(reg), 0, 0);
  }

  private integerToResult(v: number): void {
    const neg = v < 0 ? 1 : 0;
    this.f.fromInteger(neg, 0, neg ? -v : v);
  }

  /** Runs the arithmetic operation of an escape group's reg field on A and B. */
  private operate(reg: number): boolean {
    const f = this.f;
    switch (reg) {
      case 0:
        return f.add(false, this.precision());
      case 1:
        return f.mul(this.precision());
      case 4:
      case 5:
        return f.add(true, this.precision());
      default:
        return f.div(this.precision());
    }
  }

  // --- register forms ----------------------------------------------------------

  private executeRegister(opcode: number, reg: number, i: number, modrm: number): void {
    switch (opcode) {
      case 0xd8:
        if (reg === 2 || reg === 3) this.fcomRegister(i, reg === 3 ? 1 : 0, false);
        else this.arithRegister(reg, i, 0, 0);
        return;
      case 0xdc:
        if (reg === 2 || reg === 3) this.fcomRegister(i, reg === 3 ? 1 : 0, false);
        else this.arithRegister(reg, i, i, 0);
        return;
      case 0xde:
        if (reg === 2) this.fcomRegister(i, 1, false);
        else if (reg === 3) this.fcomRegister(1, 2, false);
        else this.arithRegister(reg, i, i, 1);
        return;
      case 0xd9:
        this.executeD9(reg, i, modrm);
        return;
      case 0xda:
        if (modrm === 0xe9) this.fcomRegister(1, 2, true);
        else this.fcmov(reg, i, false);
        return;
      case 0xdb:
        if (reg < 4) this.fcmov(reg, i, true);
        else this.fcomi(i, reg === 5, false);
        return;
      case 0xdd:
        switch (reg) {
          case 0:
            this.empty[this.phys(i)] = 1;
            return;
          case 1:
            this.fxch(i);
            return;
          case 2:
          case 3:
            this.fstRegister(i, reg === 3);
            return;
          default:
            this.fcomRegister(i, reg === 5 ? 1 : 0, true);
        }
        return;
      default:
        // 0xdf
        switch (reg) {
          case 0:
            // FFREEP
            this.empty[this.phys(i)] = 1;
            this.top = (this.top + 1) & 7;
            return;
          case 1:
            this.fxch(i);
            return;
          case 2:
          case 3:
            this.fstRegister(i, true);
            return;
          default:
            this.fcomi(i, reg === 5, true);
        }
    }
  }

  /** FADD..FDIVR with ST(0) and ST(i); reg 4/6 compute ST(0) op ST(i), reg 5/7 the reverse. */
  private arithRegister(reg: number, i: number, dest: number, pops: number): void {
    if (this.isEmpty(0) || this.isEmpty(i)) {
      if (this.stackFault(false)) {
        this.setIndefinite(dest);
        for (let n = 0; n < pops; n++) this.pop();
      }
      return;
    }
    if (reg === 5 || reg === 7) {
      this.loadA(i);
      this.loadB(0);
    } else {
      this.loadA(0);
      this.loadB(i);
    }
    this.commit(this.operate(reg), dest, pops);
  }

  private executeD9(reg: number, i: number, modrm: number): void {
    switch (reg) {
      case 0:
        this.fldRegister(i);
        return;
      case 1:
        this.fxch(i);
        return;
      case 2:
        // FNOP
        return;
      case 3:
        this.fstRegister(i, true);
        return;
    }
    switch (modrm) {
      case 0xe0:
      case 0xe1:
        this.fchsFabs(modrm === 0xe0);
        return;
      case 0xe4:
        this.ftst();
        return;
      case 0xe5:
        this.fxam();
        return;
      case 0xe8:
        this.pushRaw(0, BIAS, 0x80000000, 0);
        return;
      case 0xee:
        this.pushRaw(0, 0, 0, 0);
        return;
      case 0xe9:
      case 0xea:
      case 0xeb:
      case 0xec:
      case 0xed:
        this.fldConstant(modrm - 0xe9);
        return;
      case 0xf0:
        this.unary(f2xm1);
        return;
      case 0xf1:
        this.binaryToST1(fyl2x);
        return;
      case 0xf2:
        this.fptan();
        return;
      case 0xf3:
        this.binaryToST1(fpatan);
        return;
      case 0xf4:
        this.fxtract();
        return;
      case 0xf5:
      case 0xf8:
        this.fprem(modrm === 0xf5);
        return;
      case 0xf6:
        this.top = (this.top - 1) & 7;
        this.setC1(false);
        return;
      case 0xf7:
        this.top = (this.top + 1) & 7;
        this.setC1(false);
        return;
      case 0xf9:
        this.binaryToST1(fyl2xp1);
        return;
      case 0xfa:
        this.unary(this.opSqrt);
        return;
      case 0xfb:
        this.fsincos();
        return;
      case 0xfc:
        this.unary(this.opRoundInt);
        return;
      case 0xfd:
        this.fscale();
        return;
      case 0xfe:
        this.trig(fsin);
        return;
      default:
        // 0xff
        this.trig(fcos);
    }
  }

  // --- loads and stores --------------------------------------------------------

  /** Pushes a value from the engine result, or applies the stack-overflow response. */
  private pushResult(): void {
    if (!this.isEmpty(7)) {
      if (this.stackFault(true)) {
        this.push();
        this.setIndefinite(0);
      }
      return;
    }
    this.push();
    this.writeResult(0);
    this.setC1(false);
  }

  private pushRaw(sign: number, expField: number, hi: number, lo: number): void {
    this.f.setResult(sign, expField, hi, lo);
    this.pushResult();
  }

  private fldRegister(i: number): void {
    if (this.isEmpty(i) && this.isEmpty(7)) {
      if (this.stackFault(false)) {
        this.push();
        this.setIndefinite(0);
      }
      return;
    }
    const p = this.phys(i);
    this.pushRaw(this.signs[p]!, this.exponents[p]!, this.sigHi[p]!, this.sigLo[p]!);
  }

  /** FLD m32fp / m64fp: exact widening; SNaN raises IE (quieted when masked), denormals raise DE. */
  private fldFloat(whi: number, wlo: number, double: boolean): void {
    const f = this.f;
    const denormal = double ? f.fromF64(whi, wlo) : f.fromF32(whi);
    if (!this.isEmpty(7)) {
      this.pushResult();
      return;
    }
    let flags = denormal ? SW_DE : 0;
    if (f.rExp === 0x7fff && (f.rHi & 0x40000000) === 0 && (f.rHi & 0x3fffffff) + f.rLo !== 0) {
      flags = SW_IE;
      f.rHi = (f.rHi | 0x40000000) >>> 0;
    }
    this.raise(flags);
    if ((flags & ~this.controlWord & SW_EXCEPTIONS) !== 0) return;
    this.pushResult();
  }

  private fld80(lo: number, hi: number, se: number): void {
    this.pushRaw(se >>> 15, se & 0x7fff, hi >>> 0, lo >>> 0);
  }

  private fildValue(v: number): void {
    if (!this.isEmpty(7)) {
      this.pushResult();
      return;
    }
    this.integerToResult(v);
    this.pushResult();
  }

  private fild64(whi: number, wlo: number): void {
    if (!this.isEmpty(7)) {
      this.pushResult();
      return;
    }
    let hi = whi >>> 0;
    let lo = wlo >>> 0;
    const neg = hi >>> 31;
    if (neg) {
      lo = (~lo + 1) >>> 0;
      hi = (~hi + (lo === 0 ? 1 : 0)) >>> 0;
    }
    this.f.fromInteger(neg, hi, lo);
    this.pushResult();
  }

  private fbld(w0: number, w1: number, top16: number): void {
    if (!this.isEmpty(7)) {
      this.pushResult();
      return;
    }
    bcdToBinary(w0 >>> 0, w1 >>> 0, top16 & 0xff);
    this.f.fromInteger((top16 >>> 15) & 1, bcdValue.hi, bcdValue.lo);
    this.pushResult();
  }

  /** FST/FSTP ST(i). */
  private fstRegister(i: number, pop: boolean): void {
    if (this.isEmpty(0)) {
      if (this.stackFault(false)) {
        this.setIndefinite(i);
        if (pop) this.pop();
      }
      return;
    }
    const p = this.phys(0);
    this.setReg(i, this.signs[p]!, this.exponents[p]!, this.sigHi[p]!, this.sigLo[p]!);
    this.setC1(false);
    if (pop) this.pop();
  }

  /** FST/FSTP m32fp and m64fp. Memory is written before any FPU state changes. */
  private fstFloat(double: boolean, pop: boolean): void {
    const host = this.host;
    const ea = host.operandOffset;
    const f = this.f;
    let whi: number;
    let wlo = 0;
    if (this.isEmpty(0)) {
      if ((this.controlWord & SW_IE) !== 0) {
        if (double) {
          host.write32(ea, 0);
          host.write32(ea + 4, 0xfff80000);
        } else {
          host.write32(ea, 0xffc00000);
        }
      }
      if (this.stackFault(false) && pop) this.pop();
      return;
    }
    this.loadA(0);
    const cls = f.aCls;
    const sign = f.aSign;
    if (cls === CLS_UNSUPPORTED || cls === CLS_SNAN) {
      f.flags |= SW_IE;
      if ((this.controlWord & SW_IE) === 0) {
        this.raise(f.flags);
        return;
      }
    }
    if (cls === CLS_UNSUPPORTED) {
      whi = double ? 0xfff80000 : 0xffc00000;
    } else if (cls === CLS_QNAN || cls === CLS_SNAN) {
      const hi = f.aHi | 0x40000000;
      if (double) {
        whi = (sign << 31) | 0x7ff00000 | ((hi >>> 11) & 0xfffff);
        wlo = (hi << 21) | (f.aLo >>> 11);
      } else {
        whi = (sign << 31) | 0x7f800000 | ((hi >>> 8) & 0x7fffff);
      }
    } else if (cls === CLS_INF) {
      whi = (sign << 31) | (double ? 0x7ff00000 : 0x7f800000);
    } else if (cls === CLS_ZERO) {
      whi = sign << 31;
    } else {
      if (!f.toMemoryFormat(double ? 53 : 24)) {
        this.raise(f.flags);
        return;
      }
      if (double) {
        whi = (f.rSign << 31) | (f.rExp << 20) | ((f.rHi >>> 11) & 0xfffff);
        wlo = (f.rHi << 21) | (f.rLo >>> 11);
      } else {
        whi = (f.rSign << 31) | (f.rExp << 23) | ((f.rHi >>> 8) & 0x7fffff);
      }
    }
    if (double) {
      host.write32(ea, wlo >>> 0);
      host.write32(ea + 4, whi >>> 0);
    } else {
      host.write32(ea, whi >>> 0);
    }
    this.setC1(f.roundedUp);
    this.raise(f.flags);
    if (pop) this.pop();
  }

  /** FSTP m80fp: an exact copy of the register bits (no exception but stack underflow). */
  private fstp80(): void {
    const host = this.host;
    const ea = host.operandOffset;
    if (this.isEmpty(0)) {
      if ((this.controlWord & SW_IE) !== 0) {
        host.write32(ea, 0);
        host.write32(ea + 4, 0xc0000000);
        host.write16(ea + 8, 0xffff);
      }
      if (this.stackFault(false)) this.pop();
      return;
    }
    const p = this.phys(0);
    host.write32(ea, this.sigLo[p]!);
    host.write32(ea + 4, this.sigHi[p]!);
    host.write16(ea + 8, (this.signs[p]! << 15) | this.exponents[p]!);
    this.setC1(false);
    this.pop();
  }

  /**
   * Rounds ST(0) to an integer per RC and checks it against `limitHi:limitLo`
   * (the largest positive magnitude; negatives may be one more). Returns false
   * with IE raised when out of range or not a number.
   */
  private roundForInteger(bits: number): boolean {
    const f = this.f;
    this.loadA(0);
    const cls = f.aCls;
    if (cls !== CLS_FINITE && cls !== CLS_ZERO) {
      f.flags |= SW_IE;
      return false;
    }
    const fits = f.roundToInteger();
    const hi = f.hi;
    const lo = f.lo;
    const neg = f.sign !== 0;
    let ok: boolean;
    if (!fits) ok = false;
    else if (bits === 64) ok = hi < 0x80000000 || (neg && hi === 0x80000000 && lo === 0);
    else if (bits === 32) ok = hi === 0 && (lo < 0x80000000 || (neg && lo === 0x80000000));
    else ok = hi === 0 && (lo < 0x8000 || (neg && lo === 0x8000));
    if (!ok) {
      f.flags = (f.flags & ~SW_PE) | SW_IE;
      f.roundedUp = false;
    }
    return ok;
  }

  /** FISTTP m16int, m32int, m64int (SSE3): FISTP that truncates whatever RC says. */
  private fisttp(bits: number): void {
    this.f.rc = RC_CHOP;
    this.fist(bits, true);
  }

  /** FIST/FISTP m16int, m32int, m64int. */
  private fist(bits: number, pop: boolean): void {
    const host = this.host;
    const ea = host.operandOffset;
    const f = this.f;
    let hi = 0;
    let lo = 0;
    if (this.isEmpty(0)) {
      if ((this.controlWord & SW_IE) !== 0)
        this.writeInteger(bits, ea, 0x80000000, integerIndefiniteLow(bits));
      if (this.stackFault(false) && pop) this.pop();
      return;
    }
    if (this.roundForInteger(bits)) {
      hi = f.hi;
      lo = f.lo;
      if (f.sign !== 0) {
        lo = (~lo + 1) >>> 0;
        hi = (~hi + (lo === 0 ? 1 : 0)) >>> 0;
      }
    } else {
      if ((this.controlWord & SW_IE) === 0) {
        this.raise(f.flags);
        return;
      }
      hi = 0x80000000;
      lo = integerIndefiniteLow(bits);
    }
    this.writeInteger(bits, ea, hi, lo);
    this.setC1(f.roundedUp);
    this.raise(f.flags);
    if (pop) this.pop();
  }

  private writeInteger(bits: number, ea: number, hi: number, lo: number): void {
    const host = this.host;
    if (bits === 16) host.write16(ea, lo & 0xffff);
    else if (bits === 32) host.write32(ea, lo >>> 0);
    else {
      host.write32(ea, lo >>> 0);
      host.write32(ea + 4, hi >>> 0);
    }
  }

  /** FBSTP m80bcd. */
  private fbstp(): void {
    const host = this.host;
    const ea = host.operandOffset;
    const f = this.f;
    let ok = false;
    let sign = 0;
    if (this.isEmpty(0)) {
      if (!this.stackFault(false)) return;
    } else {
      ok = this.roundForInteger(64);
      if (ok && (f.hi > BCD_LIMIT_HI || (f.hi === BCD_LIMIT_HI && f.lo >= BCD_LIMIT_LO))) {
        ok = false;
        f.flags = (f.flags & ~SW_PE) | SW_IE;
        f.roundedUp = false;
      }
      if (!ok && (this.controlWord & SW_IE) === 0) {
        this.raise(f.flags);
        return;
      }
      sign = f.sign;
    }
    if (ok) {
      binaryToBcd(f.hi, f.lo);
      const b = bcdBytes;
      host.write32(ea, b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24));
      host.write32(ea + 4, b[4]! | (b[5]! << 8) | (b[6]! << 16) | (b[7]! << 24));
      host.write16(ea + 8, b[8]! | (sign << 15));
    } else {
      // The packed BCD indefinite: FFFF C000 0000 0000 0000.
      host.write32(ea, 0);
      host.write32(ea + 4, 0xc0000000);
      host.write16(ea + 8, 0xffff);
    }
    if (!this.isEmpty(0)) {
      this.setC1(f.roundedUp);
      this.raise(f.flags);
    }
    this.pop();
  }

  private fldConstant(index: number): void {
    const k = index * 4;
    const up = CONSTANTS[k + 3]!;
    let lo = CONSTANTS[k + 2]!;
    const rc = (this.controlWord >>> CW_RC_SHIFT) & 3;
    if (rc === RC_UP) lo += 1 - up;
    else if (rc !== RC_NEAREST) lo -= up;
    this.pushRaw(0, CONSTANTS[k]!, CONSTANTS[k + 1]!, lo);
  }

  // --- register operations ---------------------------------------------------

  private fxch(i: number): void {
    if (this.isEmpty(0) || this.isEmpty(i)) {
      if (!this.stackFault(false)) return;
      if (this.isEmpty(0)) this.setIndefinite(0);
      if (this.isEmpty(i)) this.setIndefinite(i);
    } else {
      this.setC1(false);
    }
    const a = this.phys(0);
    const b = this.phys(i);
    const s = this.signs[a]!;
    const e = this.exponents[a]!;
    const hi = this.sigHi[a]!;
    const lo = this.sigLo[a]!;
    this.signs[a] = this.signs[b]!;
    this.exponents[a] = this.exponents[b]!;
    this.sigHi[a] = this.sigHi[b]!;
    this.sigLo[a] = this.sigLo[b]!;
    this.signs[b] = s;
    this.exponents[b] = e;
    this.sigHi[b] = hi;
    this.sigLo[b] = lo;
  }

  private fchsFabs(chs: boolean): void {
    if (this.isEmpty(0)) {
      if (this.stackFault(false)) this.setIndefinite(0);
      return;
    }
    const p = this.phys(0);
    this.signs[p] = chs ? this.signs[p]! ^ 1 : 0;
    this.setC1(false);
  }

  private fcmov(reg: number, i: number, negate: boolean): void {
    if (this.isEmpty(0) || this.isEmpty(i)) {
      if (this.stackFault(false)) this.setIndefinite(0);
      return;
    }
    const host = this.host;
    let cond: boolean;
    switch (reg & 3) {
      case 0:
        cond = host.cf;
        break;
      case 1:
        cond = host.zf;
        break;
      case 2:
        cond = host.cf || host.zf;
        break;
      default:
        cond = host.pf;
    }
    this.setC1(false);
    if (cond !== negate) {
      const p = this.phys(i);
      this.setReg(0, this.signs[p]!, this.exponents[p]!, this.sigHi[p]!, this.sigLo[p]!);
    }
  }

  /** Generic one-operand operation on ST(0) (FSQRT, FRNDINT, F2XM1). */
  private unary(op: (f: Float80) => boolean): void {
    if (this.isEmpty(0)) {
      if (this.stackFault(false)) this.setIndefinite(0);
      return;
    }
    this.loadA(0);
    this.commit(op(this.f), 0, 0);
  }

  /** FYL2X, FYL2XP1, FPATAN: A = ST(0), B = ST(1), result to ST(1), then pop. */
  private binaryToST1(op: (f: Float80) => boolean): void {
    if (this.isEmpty(0) || this.isEmpty(1)) {
      if (this.stackFault(false)) {
        this.setIndefinite(1);
        this.pop();
      }
      return;
    }
    this.loadA(0);
    this.loadB(1);
    this.commit(op(this.f), 1, 1);
  }

  private fscale(): void {
    if (this.isEmpty(0) || this.isEmpty(1)) {
      if (this.stackFault(false)) this.setIndefinite(0);
      return;
    }
    this.loadA(0);
    this.loadB(1);
    this.commit(this.f.scale(), 0, 0);
  }

  private fprem(nearest: boolean): void {
    if (this.isEmpty(0) || this.isEmpty(1)) {
      if (this.stackFault(false)) this.setIndefinite(0);
      return;
    }
    const f = this.f;
    this.loadA(0);
    this.loadB(1);
    const ok = f.rem(nearest);
    if (ok) {
      const q = f.quotient;
      this.status &= ~SW_CC;
      if (f.incomplete) this.status |= SW_C2;
      if (q & 4) this.status |= SW_C0;
      if (q & 2) this.status |= SW_C3;
      if (q & 1) this.status |= SW_C1;
      this.writeResult(0);
    }
    this.raise(f.flags);
  }

  /** True (and C2 set) when |ST(0)| >= 2^63: FSIN, FCOS, FPTAN and FSINCOS leave the stack alone. */
  private outOfTrigRange(): boolean {
    const f = this.f;
    if (f.aCls === CLS_FINITE && f.aExp >= 63) {
      this.status |= SW_C2;
      return true;
    }
    this.status &= ~SW_C2;
    return false;
  }

  private trig(op: (f: Float80) => boolean): void {
    if (this.isEmpty(0)) {
      if (this.stackFault(false)) this.setIndefinite(0);
      return;
    }
    this.loadA(0);
    if (this.outOfTrigRange()) return;
    this.commit(op(this.f), 0, 0);
  }

  /** FPTAN and FSINCOS: two results; stack faults follow the P6 masked response (both NaN). */
  private twoResultPrologue(): boolean {
    const underflow = this.isEmpty(0);
    if (underflow || !this.isEmpty(7)) {
      if (this.stackFault(!underflow)) {
        this.setIndefinite(0);
        this.push();
        this.setIndefinite(0);
      }
      return false;
    }
    this.loadA(0);
    return !this.outOfTrigRange();
  }

  private fptan(): void {
    if (!this.twoResultPrologue()) return;
    const f = this.f;
    if (!fptan(f)) {
      this.raise(f.flags);
      return;
    }
    this.writeResult(0);
    this.setC1(f.roundedUp);
    this.raise(f.flags);
    // The SDM pushes 1.0 whatever the tangent was, a NaN included.
    this.push();
    this.setReg(0, 0, BIAS, 0x80000000, 0);
  }

  private fsincos(): void {
    if (!this.twoResultPrologue()) return;
    const f = this.f;
    if (!fsin(f)) {
      this.raise(f.flags);
      return;
    }
    const s = f.rSign;
    const e = f.rExp;
    const hi = f.rHi;
    const lo = f.rLo;
    if (!fcos(f)) {
      this.raise(f.flags);
      return;
    }
    this.setReg(0, s, e, hi, lo);
    this.push();
    this.writeResult(0);
    this.setC1(f.roundedUp);
    this.raise(f.flags);
  }

  /** FXTRACT: ST(0) becomes the exponent (ST(1)) and the significand (ST(0), exponent 0). */
  private fxtract(): void {
    const underflow = this.isEmpty(0);
    if (underflow || !this.isEmpty(7)) {
      if (this.stackFault(!underflow)) {
        this.setIndefinite(0);
        this.push();
        this.setIndefinite(0);
      }
      return;
    }
    const f = this.f;
    this.loadA(0);
    const cls = f.aCls;
    let sigSign = f.aSign;
    let sigExp: number;
    let sigHi: number;
    let sigLo: number;
    if (cls >= CLS_QNAN) {
      if (cls === CLS_UNSUPPORTED) f.flags |= SW_IE;
      else if (cls === CLS_SNAN) f.flags |= SW_IE;
      if ((f.flags & ~this.controlWord & SW_IE) !== 0) {
        this.raise(f.flags);
        return;
      }
      if (cls === CLS_UNSUPPORTED) {
        sigSign = 1;
        sigExp = 0x7fff;
        sigHi = 0xc0000000;
        sigLo = 0;
      } else {
        sigExp = 0x7fff;
        sigHi = (f.aHi | 0x40000000) >>> 0;
        sigLo = f.aLo;
      }
      f.setResult(sigSign, sigExp, sigHi, sigLo);
    } else if (cls === CLS_INF) {
      sigExp = 0x7fff;
      sigHi = 0x80000000;
      sigLo = 0;
      f.setResult(0, 0x7fff, 0x80000000, 0);
    } else if (cls === CLS_ZERO) {
      f.flags |= SW_ZE;
      if ((this.controlWord & SW_ZE) === 0) {
        this.raise(f.flags);
        return;
      }
      sigExp = 0;
      sigHi = 0;
      sigLo = 0;
      f.setResult(1, 0x7fff, 0x80000000, 0);
    } else {
      if (f.aDenormal) {
        f.flags |= SW_DE;
        if ((this.controlWord & SW_DE) === 0) {
          this.raise(f.flags);
          return;
        }
      }
      sigExp = BIAS;
      sigHi = f.aHi;
      sigLo = f.aLo;
      const e = f.aExp;
      f.fromInteger(e < 0 ? 1 : 0, 0, Math.abs(e));
    }
    this.writeResult(0);
    this.push();
    this.setReg(0, sigSign, sigExp, sigHi, sigLo);
    this.setC1(false);
    this.raise(f.flags);
  }

  // --- comparisons -----------------------------------------------------------

  /** Compares A with B. Returns the outcome, or -1 when an unmasked IE/DE abandons it. */
  private compare(unordered: boolean): number {
    const f = this.f;
    const ac = f.aCls;
    const bc = f.bCls;
    if (ac >= CLS_QNAN || bc >= CLS_QNAN) {
      const signaling =
        ac === CLS_SNAN || bc === CLS_SNAN || ac === CLS_UNSUPPORTED || bc === CLS_UNSUPPORTED;
      if (signaling || !unordered) {
        f.flags |= SW_IE;
        if ((this.controlWord & SW_IE) === 0) return -1;
      }
      return CMP_UNORDERED;
    }
    if (f.aDenormal || f.bDenormal) {
      f.flags |= SW_DE;
      if ((this.controlWord & SW_DE) === 0) return -1;
    }
    const as = ac === CLS_ZERO ? 0 : f.aSign !== 0 ? -1 : 1;
    const bs = bc === CLS_ZERO ? 0 : f.bSign !== 0 ? -1 : 1;
    if (as !== bs) return as < bs ? CMP_LESS : CMP_GREATER;
    if (as === 0) return CMP_EQUAL;
    let mag: number;
    if (ac === CLS_INF || bc === CLS_INF) mag = ac === bc ? 0 : ac === CLS_INF ? 1 : -1;
    else if (f.aExp !== f.bExp) mag = f.aExp > f.bExp ? 1 : -1;
    else if (f.aHi !== f.bHi) mag = f.aHi > f.bHi ? 1 : -1;
    else if (f.aLo !== f.bLo) mag = f.aLo > f.bLo ? 1 : -1;
    else mag = 0;
    if (as < 0) mag = -mag;
    return mag === 0 ? CMP_EQUAL : mag > 0 ? CMP_GREATER : CMP_LESS;
  }

  private setCompareCC(outcome: number, pops: number): void {
    this.status = (this.status & ~SW_CC) | CMP_CC[outcome]!;
    for (let n = 0; n < pops; n++) this.pop();
  }

  private finishCompare(outcome: number, pops: number): void {
    this.raise(this.f.flags);
    if (outcome >= 0) this.setCompareCC(outcome, pops);
  }

  /** FCOM/FCOMP/FCOMPP/FUCOM/FUCOMP/FUCOMPP with ST(i). */
  private fcomRegister(i: number, pops: number, unordered: boolean): void {
    if (this.isEmpty(0) || this.isEmpty(i)) {
      if (this.stackFault(false)) this.setCompareCC(CMP_UNORDERED, pops);
      return;
    }
    this.loadA(0);
    this.loadB(i);
    this.finishCompare(this.compare(unordered), pops);
  }

  /** FCOMI/FCOMIP/FUCOMI/FUCOMIP: the outcome goes to ZF, PF, CF. */
  private fcomi(i: number, unordered: boolean, pop: boolean): void {
    let outcome: number;
    if (this.isEmpty(0) || this.isEmpty(i)) {
      if (!this.stackFault(false)) return;
      outcome = CMP_UNORDERED;
    } else {
      this.loadA(0);
      this.loadB(i);
      outcome = this.compare(unordered);
      this.raise(this.f.flags);
      if (outcome < 0) return;
      this.setC1(false);
    }
    this.host.setCompareFlags(
      outcome === CMP_EQUAL || outcome === CMP_UNORDERED,
      outcome === CMP_UNORDERED,
      outcome === CMP_LESS || outcome === CMP_UNORDERED,
    );
    if (pop) this.pop();
  }

  private ftst(): void {
    if (this.isEmpty(0)) {
      if (this.stackFault(false)) this.setCompareCC(CMP_UNORDERED, 0);
      return;
    }
    this.loadA(0);
    this.f.setB(0, 0, 0, 0);
    this.finishCompare(this.compare(false), 0);
  }

  /** FXAM: C3 C2 C0 classify ST(0), C1 is its sign (SDM vol. 1, table 8-7). */
  private fxam(): void {
    const p = this.phys(0);
    const e = this.exponents[p]!;
    const hi = this.sigHi[p]!;
    const lo = this.sigLo[p]!;
    let cc: number;
    if (this.empty[p]) cc = SW_C3 | SW_C0;
    else if (e === 0) cc = hi === 0 && lo === 0 ? SW_C3 : SW_C3 | SW_C2;
    else if ((hi & 0x80000000) === 0) cc = 0;
    else if (e === 0x7fff) cc = (hi & 0x7fffffff) === 0 && lo === 0 ? SW_C2 | SW_C0 : SW_C0;
    else cc = SW_C2;
    if (this.signs[p]) cc |= SW_C1;
    this.status = (this.status & ~SW_CC) | cc;
  }
}
