export { X86, type FpuUnit, type ModelServices, type X86Options } from './core/x86.js';
export { CpuState } from './core/cpu.js';
export { decode, hasModrm, Instr, type CodeSource } from './core/instr.js';
export { GuestFault } from './core/fault.js';
