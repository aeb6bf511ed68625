import { CR0_EM, CR0_MP, CR0_TS, NM, UD } from '../core/constants.js';
import type { X86 } from '../core/x86.js';
import { Feature } from '../cpuid.js';
import { offset } from './operands.js';
import type { Handler } from './table.js';

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
 * The rest of group 15 (LDMXCSR, STMXCSR, the fences, CLFLUSH) is SSE: #UD.
 */
export const fxsaveFxrstor: Handler = (c, i) => {
  const fpu = c.fpu;
  if (fpu === null || i.mod === 3 || i.reg > 1 || (c.model.features & Feature.FXSR) === 0) {
    c.raise(UD);
    return;
  }
  if (c.cr0 & (CR0_EM | CR0_TS)) c.raise(NM);
  const off = offset(c, i);
  const lin = i.reg === 0 ? c.segWrite(i.seg, off, 512) : c.segRead(i.seg, off, 512);
  if (lin & 15) c.gp(0);
  c.x87Bridge.prepare(i.seg, off, i.o32, i.a32);
  if (i.reg === 0) fpu.fxsave();
  else fpu.fxrstor();
};

/** FWAIT: #NM only when both MP and TS are set; then any pending unmasked exception. */
export function fwait(c: X86): void {
  if ((c.cr0 & (CR0_MP | CR0_TS)) === (CR0_MP | CR0_TS)) c.raise(NM);
  c.fpu?.checkPendingException();
}
