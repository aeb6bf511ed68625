import type { X87Host } from '../fpu/x87-host.js';
import { CF, CR0_NE, CS, EAX, MF, OF, PF, SF, ZF } from './constants.js';
import type { X86 } from './x86.js';

/**
 * The integer core as the x87 unit sees it during one escape instruction:
 * memory through the operand's segment, flags, AX, the instruction pointers.
 * `prepare` loads the operand's segment and offset before `X87.execute`.
 */
export class X87Bridge implements X87Host {
  seg = 3;
  a32 = false;
  operandSize32 = false;
  operandOffset = 0;

  constructor(private readonly c: X86) {}

  prepare(seg: number, offset: number, o32: boolean, a32: boolean): void {
    this.seg = seg;
    this.operandOffset = offset;
    this.operandSize32 = o32;
    this.a32 = a32;
  }

  private off(offset: number): number {
    return this.a32 ? offset >>> 0 : offset & 0xffff;
  }

  read8(offset: number): number {
    return this.c.read8(this.c.segRead(this.seg, this.off(offset), 1));
  }

  read16(offset: number): number {
    return this.c.read16(this.c.segRead(this.seg, this.off(offset), 2));
  }

  read32(offset: number): number {
    return this.c.read32(this.c.segRead(this.seg, this.off(offset), 4)) >>> 0;
  }

  write8(offset: number, value: number): void {
    this.c.write8(this.c.segWrite(this.seg, this.off(offset), 1), value);
  }

  write16(offset: number, value: number): void {
    this.c.write16(this.c.segWrite(this.seg, this.off(offset), 2), value);
  }

  write32(offset: number, value: number): void {
    this.c.write32(this.c.segWrite(this.seg, this.off(offset), 4), value);
  }

  get protectedMode(): boolean {
    return this.c.protectedMode && !this.c.v86;
  }

  setAX(value: number): void {
    this.c.set16(EAX, value);
  }

  setCompareFlags(zf: boolean, pf: boolean, cf: boolean): void {
    const f = this.c.getFlags() & ~(CF | PF | ZF | OF | SF | 0x10);
    this.c.setArith(f | (zf ? ZF : 0) | (pf ? PF : 0) | (cf ? CF : 0));
  }

  get cf(): boolean {
    return this.c.getCF() !== 0;
  }

  get zf(): boolean {
    return this.c.getZF();
  }

  get pf(): boolean {
    return this.c.getPF();
  }

  floatingPointError(): void {
    if (this.c.cr0 & CR0_NE) this.c.raise(MF);
    this.c.signalFerr();
  }

  get operandSelector(): number {
    return this.c.sel[this.seg];
  }

  get instructionSelector(): number {
    return this.c.sel[CS];
  }

  get instructionOffset(): number {
    return this.c.eipStart;
  }

  get simd() {
    return this.c.simd;
  }
}
