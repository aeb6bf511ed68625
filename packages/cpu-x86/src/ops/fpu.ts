import { CR0_EM, CR0_MP, CR0_TS, NM } from '../core/constants.js';
import type { X86 } from '../core/x86.js';
import type { Handler } from './table.js';

/** D8-DF: #NM when CR0.EM or CR0.TS says the FPU state is not the current task's. */
function escape(c: X86): void {
  if (c.cr0 & (CR0_EM | CR0_TS) || c.fpu === null) c.raise(NM);
}

/** FWAIT: #NM only when both MP and TS are set. */
function fwait(c: X86): void {
  if ((c.cr0 & (CR0_MP | CR0_TS)) === (CR0_MP | CR0_TS)) c.raise(NM);
}

export function installFpu(t: Handler[]): void {
  for (let op = 0xd8; op <= 0xdf; op++) t[op] = escape;
  t[0x9b] = fwait;
}
