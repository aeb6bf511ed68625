import {
  type Cpu,
  createDeviceContext,
  createMachineParts,
  type DevicePlugin,
  type JsonSchema,
  Machine,
} from '@plugboard/core';

/** The debug console QEMU's isa-debugcon puts at 0xE9 (reads answer 0xE9, as Bochs' port e9 hack does). */
export const DEBUGCON_PORT = 0xe9;
/** QEMU's isa-debug-exit as the recording script configures it (iobase 0xF4, iosize 4). */
export const DEBUG_EXIT_PORT = 0xf4;
/** Offset from the end of a test ROM of the case count the programs read (ROM + 0xFFE8 in a 64 KiB image). */
const CASES_FROM_END = 0x18;
/** Where QEMU's isa-bios alias of the firmware ends: the top of the first MiB. */
const ISA_BIOS_END = 0x100000;
const ISA_BIOS_MAX = 128 * 1024;

export interface BareRun {
  /** Everything written to the debug console, as text. */
  output: string;
  reason: string;
  /** QEMU's convention: (value << 1) | 1 for a debug-exit write, 0 otherwise. */
  exitCode: number;
  instructions: number;
}

/** A copy of a test ROM that runs `cases` cases. */
export function withCaseCount(rom: Uint8Array, cases: number): Uint8Array {
  const copy = new Uint8Array(rom);
  new DataView(copy.buffer).setUint32(copy.length - CASES_FROM_END, cases, true);
  return copy;
}

/** `default`s of a plugin's config schema, as ajv would fill them in. */
function defaultsOf(schema: JsonSchema): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  const properties = (schema.properties ?? {}) as Record<string, { default?: unknown }>;
  for (const [key, property] of Object.entries(properties)) {
    if (property.default !== undefined) config[key] = structuredClone(property.default);
  }
  return config;
}

/** The CPU plugin of packages/cpu-x86, loaded when a run starts so a broken build fails the run, not the file. */
async function cpuPlugin(): Promise<DevicePlugin<Record<string, unknown>, Cpu>> {
  const cpuPackage = await import('../../src/index.js');
  const plugins = (cpuPackage as { plugins?: DevicePlugin<Record<string, unknown>, Cpu>[] }).plugins;
  const plugin = plugins?.find((p) => p.kind === 'cpu');
  if (!plugin) throw new Error('packages/cpu-x86/src/index.ts exports no CPU plugin in `plugins`');
  return plugin;
}

/**
 * Runs a firmware image on a machine with nothing but RAM, the CPU, a debug
 * console and an exit port: the image is mapped read-only at the top of the
 * 4 GiB space and its last 128 KiB (at most) again below 1 MiB, as QEMU maps
 * `-bios`. Ends when the program writes the exit port, or after
 * `maxInstructions`.
 */
export async function runBare(
  rom: Uint8Array,
  options: { maxInstructions: number; memoryBytes?: number; cpuConfig?: Record<string, unknown> },
): Promise<BareRun> {
  if (rom.length % 0x10000 !== 0 || rom.length === 0)
    throw new Error(`ROM size ${rom.length} is not a multiple of 64 KiB`);
  const parts = createMachineParts({ name: 'bare', memoryBytes: options.memoryBytes ?? 16 << 20 });
  const machine = new Machine(parts);
  const { memory, ports } = parts;
  memory.mapBuffer(2 ** 32 - rom.length, rom, 0, rom.length, false);
  const alias = Math.min(rom.length, ISA_BIOS_MAX);
  memory.mapBuffer(ISA_BIOS_END - alias, rom, rom.length - alias, alias, false);

  let out = new Uint8Array(1 << 16);
  let outLength = 0;
  ports.register('debugcon', DEBUGCON_PORT, 1, {
    read8: () => DEBUGCON_PORT,
    write8: (_offset, value) => {
      if (outLength === out.length) {
        const bigger = new Uint8Array(out.length * 2);
        bigger.set(out);
        out = bigger;
      }
      out[outLength++] = value;
    },
  });
  ports.register('debug-exit', DEBUG_EXIT_PORT, 4, {
    read8: () => 0xff,
    write8: (_offset, value) => machine.requestShutdown('debug-exit', ((value << 1) | 1) & 0xff),
  });

  const plugin = await cpuPlugin();
  const ctx = createDeviceContext(parts, machine, { id: 'cpu' });
  // PLUGBOARD_JIT=0 runs the interpreter alone (see test/harness.ts).
  const jit = process.env.PLUGBOARD_JIT !== '0';
  const config = { ...defaultsOf(plugin.configSchema), jit, ...options.cpuConfig };
  const cpu = await plugin.create(ctx, config);
  machine.cpu = cpu;
  machine.devices.push({ id: 'cpu', plugin, config, device: cpu });
  machine.reset();
  const event = await machine.run({ maxInstructions: options.maxInstructions });
  return {
    output: Buffer.from(out.subarray(0, outLength)).toString('latin1'),
    reason: event.reason,
    exitCode: event.exitCode,
    instructions: cpu.instructionCount,
  };
}
