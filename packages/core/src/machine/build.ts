import { Container } from 'inversify';
import type { Cpu } from '../cpu/cpu.js';
import { Dma } from '../dma/dma.js';
import { PortBus, PortConflictError } from '../io/port-bus.js';
import { ApicBus } from '../irq/apic-bus.js';
import { CpuPins } from '../irq/cpu-pins.js';
import { IrqLines } from '../irq/irq-line.js';
import { PhysicalMemory } from '../memory/physical-memory.js';
import type { NetworkBackend } from '../net/network.js';
import { parsePciAddress } from '../pci/address.js';
import { PciBus } from '../pci/pci-bus.js';
import type { HostFiles } from '../platform/host-files.js';
import { HostListeners } from '../platform/host-listeners.js';
import { nodeFiles } from '../platform/node-files.js';
import type { DeviceContext, SystemControl } from '../plugin/context.js';
import type { Device } from '../plugin/manifest.js';
import { entryPath, loadProfilePlugins, prepareEntries } from '../plugin/prepare.js';
import { ConfigError, type PluginRegistry } from '../plugin/registry.js';
import { Tokens } from '../plugin/tokens.js';
import type { InputGate } from '../replay/host-inputs.js';
import { Clock, type ClockOptions } from '../time/clock.js';
import { installBusTracing } from '../trace/bus-tracing.js';
import { UserError } from '../user-error.js';
import { MachineHooks } from './hooks.js';
import { Machine, type MachineParts } from './machine.js';
import type { ResolvedProfile } from './profile.js';

/** The buses and services of an empty machine, bound in a fresh container. */
export function createMachineParts(options: {
  name?: string;
  memoryBytes: number;
  clock?: Partial<ClockOptions>;
}): MachineParts {
  const memory = new PhysicalMemory(options.memoryBytes);
  const ports = new PortBus();
  const pci = new PciBus(ports, memory);
  const isaIrqs = new IrqLines(16);
  const cpuPins = new CpuPins();
  const apicBus = new ApicBus();
  const dma = new Dma(memory);
  const clock = new Clock(options.clock);
  ports.watch = clock.polls;
  memory.watch = clock.polls;
  const hooks = new MachineHooks();
  installBusTracing(hooks, { ports, memory, pci, isaIrqs, dma });
  const container = new Container();
  container.bind(Tokens.PhysicalMemory).toConstantValue(memory);
  container.bind(Tokens.PortBus).toConstantValue(ports);
  container.bind(Tokens.PciBus).toConstantValue(pci);
  container.bind(Tokens.IsaIrqs).toConstantValue(isaIrqs);
  container.bind(Tokens.CpuPins).toConstantValue(cpuPins);
  container.bind(Tokens.ApicBus).toConstantValue(apicBus);
  container.bind(Tokens.Dma).toConstantValue(dma);
  container.bind(Tokens.Clock).toConstantValue(clock);
  container.bind(Tokens.Hooks).toConstantValue(hooks);
  container.bind(Tokens.HostListeners).toConstantValue(new HostListeners());
  return {
    name: options.name ?? 'machine',
    memory,
    ports,
    pci,
    isaIrqs,
    cpuPins,
    apicBus,
    dma,
    clock,
    hooks,
    container,
  };
}

/** A device context over `parts`; the builder makes one per device, tests make their own. */
export function createDeviceContext(
  parts: MachineParts,
  system: SystemControl,
  entry: { id: string; pci?: string | null; irq?: readonly number[]; baseDir?: string },
  firmwareDirs: readonly string[] = [],
  files: HostFiles = nodeFiles,
): DeviceContext {
  const baseDir = entry.baseDir ?? process.cwd();
  const resolvePath = (path: string) => files.resolve(baseDir, path);
  return {
    id: entry.id,
    memory: parts.memory,
    ports: parts.ports,
    pci: parts.pci,
    isaIrqs: parts.isaIrqs,
    cpuPins: parts.cpuPins,
    apicBus: parts.apicBus,
    dma: parts.dma,
    clock: parts.clock,
    hooks: parts.hooks,
    system,
    container: parts.container,
    pciAddress: entry.pci ? parsePciAddress(entry.pci) : null,
    irqs: entry.irq ?? [],
    resolvePath,
    findFirmware: (name) => {
      if (name.includes('/')) {
        // A path is taken as given: reading it says when it is missing or not a regular file.
        return resolvePath(name);
      }
      for (const dir of firmwareDirs) {
        const path = files.resolve(files.resolve(baseDir, dir), name);
        if (files.isFile(path)) return path;
      }
      throw new UserError(
        `${entry.id}: firmware "${name}" not found in ${firmwareDirs.join(', ') || 'any firmware directory'}`,
      );
    },
    readFile: (path, what, maxBytes) => files.read(path, what, maxBytes),
    isaIrq: (n) => parts.isaIrqs.line(n),
    log: (message) => parts.hooks.log.call({ source: entry.id, message, time: parts.clock.now }),
  };
}

/**
 * Builds the machine a profile describes: backends first, then the CPU, then
 * devices in profile order; then every device's `realize`, then a reset
 * (unless `powerOn` is false).
 */
export interface BuildOptions {
  /** Where bare firmware names are looked up, first to last (QEMU's -L, then caches). */
  firmwareDirs?: readonly string[];
  /** Host services the front end provides (`Tokens.HostTerminal`), bound before any plugin is created. */
  services?: ReadonlyMap<symbol, unknown>;
  /** Plugin packages to load besides the profile's own (`--plugin`), resolved from the working directory. */
  plugins?: readonly string[];
  /** Told what a profile means but may not expect: config a type swap dropped. */
  warn?: (message: string) => void;
  /**
   * Record or replay the run (`startRecording`, `startReplay`): host input
   * goes through the gate, bound under `Tokens.HostInputs`; replaying, no
   * netdev is created (no host socket opens).
   */
  inputs?: InputGate;
  /** Where firmware, ROMs and kernels are read from: the local disk unless a front end (a page) brings its own. */
  files?: HostFiles;
  /**
   * False: the machine is left as built, without the power-on reset (no
   * firmware or kernel is loaded into RAM, which stays all zeros, and no
   * device's `prepareReset` runs), because a snapshot is loaded into it next.
   * A run resets it first if none was.
   */
  powerOn?: boolean;
}

export async function buildMachine(
  profile: ResolvedProfile,
  registry: PluginRegistry,
  options: BuildOptions = {},
): Promise<Machine> {
  const files = options.files ?? nodeFiles;
  await loadProfilePlugins(profile, registry, options.plugins ?? []);
  // Check every type and config before building anything, so a bad profile opens no files.
  const { prepared, problems, warnings } = prepareEntries(profile, registry);
  if (problems.length) throw new ConfigError(problems.join('\n'));
  for (const w of warnings) options.warn?.(w);

  const parts = createMachineParts({
    name: profile.name,
    memoryBytes: profile.memoryBytes,
    clock: profile.clock,
  });
  const machine = new Machine(parts);
  parts.container.bind(Tokens.Machine).toConstantValue(machine);
  const inputs = options.inputs ?? null;
  if (inputs) {
    machine.gateInputs(inputs);
    parts.container.bind(Tokens.HostInputs).toConstantValue(inputs);
  }
  for (const [token, service] of options.services ?? []) parts.container.bind(token).toConstantValue(service);
  for (const { plugin } of prepared) {
    if (plugin.module && !parts.container.isBound(Symbol.for(`plugboard.module.${plugin.meta.id}`))) {
      parts.container.loadSync(plugin.module);
      parts.container.bind(Symbol.for(`plugboard.module.${plugin.meta.id}`)).toConstantValue(true);
    }
  }
  try {
    for (const { entry, plugin, config } of prepared) {
      const ctx = createDeviceContext(
        parts,
        machine,
        { ...entry, baseDir: entry.baseDir ?? files.dirname(profile.file) },
        options.firmwareDirs,
        files,
      );
      let device: Device;
      parts.clock.owner = entry.id;
      try {
        if (plugin.kind === 'netdev' && inputs?.mode === 'replay')
          device = inputs.network(entry.id, null) as unknown as Device;
        else device = await plugin.create(ctx, config);
      } catch (err) {
        if (err instanceof PortConflictError)
          throw new ConfigError(`${profile.file}: ${entryPath(entry)}: ${err.message}`);
        throw err;
      } finally {
        parts.clock.owner = null;
      }
      machine.devices.push({ id: entry.id, plugin, config, device });
      if (plugin.kind === 'drive')
        parts.container.bind(Tokens.BlockBackend).toConstantValue(device).whenNamed(entry.id);
      if (plugin.kind === 'netdev')
        parts.container
          .bind(Tokens.NetworkBackend)
          .toConstantValue(
            inputs?.mode === 'record'
              ? inputs.network(entry.id, device as unknown as NetworkBackend)
              : device,
          )
          .whenNamed(entry.id);
      if (plugin.kind === 'cpu') {
        machine.cpu = device as Cpu;
        parts.container.bind(Tokens.Cpu).toConstantValue(device);
      }
    }
    parts.hooks.created.call(machine);
    for (const d of machine.devices) {
      parts.clock.owner = d.id;
      await d.device.realize?.();
    }
    parts.hooks.realized.call(machine);
    if (options.powerOn !== false) await machine.prepareReset();
  } catch (err) {
    await machine.destroy();
    throw err;
  } finally {
    parts.clock.owner = null;
  }
  if (options.powerOn === false) machine.holdPowerOn();
  else machine.reset();
  return machine;
}
