import { CR0_EM, CR0_MP, CR0_TS, CR4_OSFXSR, NM, UD } from '../core/constants.js';
import type { X86 } from '../core/x86.js';
import { Feature } from '../cpuid.js';
import { MXCSR_MASK } from '../simd/state.js';
import { offset } from './operands.js';
import type { Handler } from './table.js';

/**
 * D8-DF encodings without a table entry (or of a feature the model lacks,
 * FCMOV, FCOMI, FISTTP): #NM first, as for every escape, then #UD.
 */
export const fpuUndefined: Handler = (c) => {
  if (c.fpu === null || c.cr0 & (CR0_EM | CR0_TS)) c.raise(NM);
  c.raise(UD);
};

/** D8-DF: #NM when CR0.EM or CR0.TS says the FPU state is not the current task's. */
export const fpuEscape: Handler = (c, i) => {
  const fpu = c.fpu;
  if (fpu === null || c.cr0 & (CR0_EM | CR0_TS)) {
    c.raise(NM);
    return;
  }
  const mem = i.mod !== 3;
  c.x87Bridge.prepare(i.seg, mem ? offset(c, i) : 0, i.o32, i.a32);
  fpu.execute(i.op, i.modrm, mem);
};

/**
 * 0F AE /0 FXSAVE and /1 FXRSTOR (FXSR models): the 512-byte image at a
 * 16-byte aligned linear address, #GP(0) otherwise; #NM as for the escapes.
 * With SSE and CR4.OSFXSR the image also holds MXCSR (offset 24),
 * MXCSR_MASK (28) and XMM0-7 (160-287), as QEMU keeps them (the SDM leaves
 * them implementation-dependent without OSFXSR); FXRSTOR of an MXCSR with
 * reserved bits set raises #GP(0) before anything is loaded.
 */
export const fxsaveFxrstor: Handler = (c, i) => {
  const fpu = c.fpu;
  if (fpu === null) {
    c.raise(UD);
    return;
  }
  if (c.cr0 & (CR0_EM | CR0_TS)) c.raise(NM);
  const off = offset(c, i);
  const lin = i.reg === 0 ? c.segWrite(i.seg, off, 512) : c.segRead(i.seg, off, 512);
  if (lin & 15) c.gp(0);
  const sse = (c.model.features & Feature.SSE) !== 0 && (c.cr4 & CR4_OSFXSR) !== 0;
  const s = c.simd;
  c.x87Bridge.prepare(i.seg, off, i.o32, i.a32);
  if (i.reg === 0) {
    if (sse) c.probeWrite(lin, 512);
    fpu.fxsave();
    if (!sse) return;
    c.write32((lin + 24) | 0, s.mxcsr);
    c.write32((lin + 28) | 0, MXCSR_MASK);
    for (let k = 0; k < 32; k++) c.write32((lin + 160 + 4 * k) | 0, s.u32[k]!);
    return;
  }
  const mxcsr = sse ? c.read32((lin + 24) | 0) : 0;
  if (mxcsr & ~MXCSR_MASK) c.gp(0);
  fpu.fxrstor();
  if (!sse) return;
  s.mxcsr = mxcsr;
  for (let k = 0; k < 32; k++) s.u32[k] = c.read32((lin + 160 + 4 * k) | 0);
};

/** FWAIT: #NM only when both MP and TS are set; then any pending unmasked exception. */
export function fwait(c: X86): void {
  if ((c.cr0 & (CR0_MP | CR0_TS)) === (CR0_MP | CR0_TS)) c.raise(NM);
  c.fpu?.checkPendingException();
}
