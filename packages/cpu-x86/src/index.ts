import { x86Plugin } from './plugin.js';

export const plugins = [x86Plugin];
export { x86Plugin, type X86Config, type X86Cpu } from './plugin.js';
export { X86, type ModelServices, type X86Options, type X87Unit } from './core/x86.js';
export { CpuState } from './core/cpu.js';
export { decode, hasModrm, Instr, type CodeSource } from './core/instr.js';
export { GuestFault } from './core/fault.js';
export { Model } from './model.js';
