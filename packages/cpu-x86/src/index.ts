import { x86Plugin } from './plugin.js';

export const plugins = [x86Plugin];
export { CpuState } from './core/cpu.js';
export { GuestFault } from './core/fault.js';
export { type CodeSource, decode, hasModrm, Instr } from './core/instr.js';
export { type ModelServices, X86, type X86Options, type X87Unit } from './core/x86.js';
export { formatX86Registers } from './info-registers.js';
export type { JitStats } from './jit/units.js';
export { Model } from './model.js';
export { type X86Config, type X86Cpu, x86Plugin } from './plugin.js';
