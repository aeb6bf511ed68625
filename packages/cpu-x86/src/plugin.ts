import { type Cpu, definePlugin, objectState } from '@plugboard/core';
import { LocalApic } from './apic/local-apic.js';
import { IF } from './core/constants.js';
import { X86 } from './core/x86.js';
import { CPUID_MODELS, type CpuidModel } from './cpuid.js';
import { x86Debug } from './debug.js';
import { disassembleLinear } from './debug-disasm.js';
import { X87 } from './fpu/x87.js';
import { formatX86Registers } from './info-registers.js';
import { formatJitStats } from './jit/units.js';
import { Model } from './model.js';

export interface X86Config {
  model: CpuidModel;
  count: number;
  apicVersion: number;
  apic: boolean;
  jit: boolean;
  jitBackground: boolean;
}

/** The processor as the machine sees it: one core (the BSP) behind core's `Cpu` contract. */
export interface X86Cpu extends Cpu {
  readonly core: X86;
  readonly apic: LocalApic | null;
  reset(): void;
}

/** Fields of the core that are caches, not state (see `state` below). */
const CPU_CACHES = [
  'decoded',
  'jit',
  'instr',
  'fault',
  'arena',
  'tlbFlags',
  'tlbMemRead',
  'tlbMemWrite',
  'flatSegs',
  'tlbPhys',
  'tlbRBuf',
  'tlbROff',
  'tlbWBuf',
  'tlbWOff',
  'tlbList',
  'tlbCount',
  'tlbOverflow',
  'mapGeneration',
  'fetchPage',
  'fetchBuf',
  'fetchOff',
  'fetchPhys',
  'fetchCode',
  'fetchStamp',
  'blockBuf',
  'codeBuf',
  // The local APIC's MMIO window follows from its base register.
  'mappedAt',
  // The x87 and SIMD units' Float80 accumulators: scratch within one instruction.
  'f',
];

export const x86Plugin = definePlugin<X86Config, X86Cpu>({
  meta: { id: 'x86', name: 'IA-32 processor (P6 family) with x87 FPU and local APIC' },
  kind: 'cpu',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      model: { enum: [...CPUID_MODELS], default: 'qemu32', description: 'CPUID model' },
      count: {
        type: 'integer',
        minimum: 1,
        maximum: 8,
        default: 1,
        description: 'Processors; only the bootstrap processor runs for now',
      },
      apicVersion: { type: 'integer', minimum: 0, maximum: 255, default: 0x14 },
      apic: { type: 'boolean', default: true, description: 'Local APIC present' },
      jit: {
        type: 'boolean',
        default: true,
        description:
          'Translate hot code to WebAssembly (flat 32-bit code) or JavaScript: the same results as the interpreter alone, bit for bit',
      },
      jitBackground: {
        type: 'boolean',
        default: true,
        description:
          "Compile WebAssembly units on the host's background threads, each entered once ready; false compiles them at once on the run loop's thread, so which code runs translated does not depend on host time (the results never do)",
      },
    },
  },
  create(ctx, config) {
    const apic = config.apic
      ? new LocalApic({
          id: 0,
          version: config.apicVersion,
          bsp: true,
          clock: ctx.clock,
          apicBus: ctx.apicBus,
          cpuPins: ctx.cpuPins,
          memory: ctx.memory,
        })
      : null;
    const model = new Model(config.model, 0, apic);
    const core = new X86({
      memory: ctx.memory,
      ports: ctx.ports,
      pins: ctx.cpuPins,
      clock: ctx.clock,
      apic,
      model,
      ferr: ctx.isaIrq(13),
      onTripleFault: () => ctx.system.requestReset('triple fault'),
      fpu: (host) => new X87(host),
      jit: config.jit,
      jitBackground: config.jitBackground,
    });
    model.attach(core);
    return {
      core,
      apic,
      vmstate: objectState(
        { core },
        {
          version: 1,
          // Caches and scratch: the TLB and the fetch window point into RAM, decoded code and
          // translations follow from RAM; after a load the changed memory generation drops them all.
          skip: CPU_CACHES,
          afterLoad: () => {
            // The derived segment fields (flatSegs is not saved) follow from the loaded caches.
            core.modeChanged();
            apic?.stateLoaded();
          },
        },
      ),
      run: (budget) => core.run(budget),
      get halted() {
        return core.halted;
      },
      get interruptible() {
        return (core.flags & IF) !== 0;
      },
      get instructionCount() {
        return core.instructionCount;
      },
      registers: () => core.registers(),
      debug: x86Debug(core),
      disassemble: (linear, count) => disassembleLinear(core, linear, count),
      startProtectedMode: (start) => core.startProtectedMode(start),
      jitInfo: () => {
        const stats = core.jitStats();
        return stats ? formatJitStats(stats, core.instructionCount) : 'translator off (cpu.config.jit false)';
      },
      info: () => {
        const registers = formatX86Registers(core.registers());
        return apic ? `${registers}\n${apic.info()}` : registers;
      },
      reset() {
        apic?.reset();
        core.reset();
      },
    };
  },
});
