import { CR0_EM, CR0_MP, CR0_TS, NM } from '../core/constants.js';
import type { X86 } from '../core/x86.js';
import { offset } from './operands.js';
import type { Handler } from './table.js';

/** D8-DF: #NM when CR0.EM or CR0.TS says the FPU state is not the current task's. */
const fpuEscape: Handler = (c, i) => {
  const fpu = c.fpu;
  if (fpu === null || c.cr0 & (CR0_EM | CR0_TS)) {
    c.raise(NM);
    return;
  }
  const mem = i.mod !== 3;
  c.x87Bridge.prepare(i.seg, mem ? offset(c, i) : 0, i.o32, i.a32);
  fpu.execute(i.op, i.modrm, mem);
};

/** FWAIT: #NM only when both MP and TS are set; then any pending unmasked exception. */
function fwait(c: X86): void {
  if ((c.cr0 & (CR0_MP | CR0_TS)) === (CR0_MP | CR0_TS)) c.raise(NM);
  c.fpu?.checkPendingException();
}

export function installFpu(t: Handler[]): void {
  for (let op = 0xd8; op <= 0xdf; op++) t[op] = fpuEscape;
  t[0x9b] = fwait;
}
