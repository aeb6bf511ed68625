import { createWriteStream } from 'node:fs';
import {
  buildMachine,
  ConfigError,
  type DisplaySource,
  type LogEvent,
  loadSnapshot,
  type Machine,
  type PluginRegistry,
  RegisterTraceWriter,
  type ResolvedProfile,
  type RunStart,
  startRecording,
  startReplay,
  Tokens,
  TraceFilter,
  type TraceFormat,
  traceRegisters,
  UserError,
} from '@plugboard/core';
import { parseDisplay, screenshot, type VncDevice, vncPlugin } from '@plugboard/display';
import { firmwareCacheDir, SYSTEM_FIRMWARE_DIRS } from '@plugboard/firmware';
import {
  type GdbServer,
  HostTerminal,
  listenGdb,
  listenMonitor,
  listenQmp,
  Monitor,
  type MonitorServer,
  parseMonitorSpec,
  type QmpServer,
  type QmpSpec,
  qmpOnStdio,
} from '@plugboard/monitor';
import { ProgressLine } from '../progress.js';
import {
  openSnapshotFile,
  SerialWatch,
  SnapshotFolder,
  type SnapshotPoint,
  saveSnapshotFile,
} from '../snapshots.js';
import { VERSION } from '../version.js';

export interface RunOptions {
  /** Register trace patterns (`DEVICE[:[r|w:]REGISTER,...]`, see `TraceFilter`): what is printed. */
  trace?: string[];
  /** Patterns of accesses left out of the trace. */
  traceExclude?: string[];
  traceFormat?: TraceFormat;
  /** Where the trace goes instead of stderr. */
  traceFile?: string;
  /** Write a PNG of the screen here when the run ends. */
  screenshot?: string;
  /** -L directories, searched before the firmware cache. */
  firmwareDirs?: string[];
  maxInstructions?: number;
  noReboot?: boolean;
  verbose?: boolean;
  /** Where the monitor goes: `stdio` (shared with a console there), `tcp:HOST:PORT,server[,nowait]`, or none. */
  monitor?: string | null;
  /** Plugin packages to load besides the profile's (`--plugin`). */
  plugins?: readonly string[];
  /** Said when the machine has a screen and no VNC server shows it: how to see it. */
  screenHint?: string | null;
  /** A GDB remote-protocol server (`-gdb`, `-s`). */
  gdb?: { host: string; port: number } | null;
  /** Start paused (`-S`): the guest runs after `cont` or a continue from GDB. */
  startPaused?: boolean;
  /** QMP sockets (`-qmp`). */
  qmp?: readonly QmpSpec[];
  /** QEMU's `-d` items and `-D` file (see qemu/log-items.ts). */
  log?: { items: readonly string[]; file?: string };
  /** Log every host input here (`--record`). */
  record?: string;
  /** Feed a `--record` log back, network cut off (`--replay`). */
  replay?: string;
  /** Load this snapshot file into the machine before it runs (`--restore`). */
  restore?: string;
  /** Load this named snapshot (QEMU's `-loadvm`, see `snapshotFolder`). */
  loadvm?: string;
  /** Take a snapshot into `save` at this point, then run on (`--snapshot-at`). */
  snapshotAt?: SnapshotPoint;
  save?: string;
}

/** Where each VNC server of the machine listens, for people to connect to. */
function vncAddresses(machine: Machine): string[] {
  return machine.devices
    .filter((d) => d.plugin.meta.id === vncPlugin.meta.id)
    .map((d) => {
      const { host } = parseDisplay(d.config.display as string | number, d.config.host as string);
      const { tcp, websocket } = (d.device as VncDevice).server.ports;
      return `${host}:${tcp}${websocket ? ` (WebSocket ${host}:${websocket})` : ''}`;
    });
}

/** Builds and runs a machine until it stops; returns the process exit code. */
export async function runProfile(
  profile: ResolvedProfile,
  registry: PluginRegistry,
  options: RunOptions,
): Promise<number> {
  const monitorSpec = parseMonitorSpec(options.monitor ?? 'none');
  const firmwareDirs = [...(options.firmwareDirs ?? []), firmwareCacheDir(), ...SYSTEM_FIRMWARE_DIRS];
  let machine: Machine | null = null;
  const terminal = new HostTerminal({
    onQuit: () => machine?.requestShutdown('Ctrl-A x on the console', 0),
  });
  let progress: ProgressLine | null = null;
  let server: MonitorServer | null = null;
  let gdbServer: GdbServer | null = null;
  const qmpServers: QmpServer[] = [];
  let trace: RegisterTraceWriter | null = null;
  let traceFile: ReturnType<typeof createWriteStream> | null = null;
  let logFile: ReturnType<typeof createWriteStream> | null = null;
  /** Our own lines on stderr: the status line makes way for them. */
  const note = (text: string) => {
    progress?.output(text);
    process.stderr.write(text);
  };
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    if (options.record && options.replay) throw new ConfigError('--record and --replay: one or the other');
    if (options.restore && options.loadvm) throw new ConfigError('--restore and -loadvm: one or the other');
    const snapshots = new SnapshotFolder(
      () => machine,
      profile,
      // What the snapshot cannot hold starts afresh: user-mode networking forgets its leases.
      () => {
        for (const d of machine?.devices ?? []) if (d.plugin.kind === 'netdev') d.device.reset?.();
      },
    );
    const startFile = options.restore ?? (options.loadvm ? snapshots.fileOf(options.loadvm) : undefined);
    const snapshot = startFile === undefined ? undefined : openSnapshotFile(startFile);
    // A recorded run from a snapshot names it by its hash, so the replay starts from the very same one
    // (hashed only then: the SHA-256 of the file costs a plain restore ~30 ms for nothing).
    const start = (): RunStart =>
      startFile === undefined || snapshot === undefined
        ? { kind: 'power-on' }
        : { kind: 'snapshot', file: startFile, hash: snapshot.digest() };
    const inputs = options.record
      ? startRecording(options.record, profile, start())
      : options.replay
        ? startReplay(options.replay, profile, start())
        : undefined;
    machine = await buildMachine(profile, registry, {
      inputs,
      firmwareDirs,
      services: new Map([[Tokens.HostTerminal, terminal]]),
      warn: (message) => note(`warning: ${message}\n`),
      plugins: options.plugins,
      // A snapshot is loaded next: the firmware's power-on work would be thrown away.
      powerOn: snapshot === undefined,
    });
    const m = machine;
    m.noReboot = options.noReboot ?? false;
    m.container.bind(Tokens.Snapshots).toConstantValue(snapshots);
    if (startFile !== undefined && snapshot !== undefined) {
      loadSnapshot(m, profile, snapshot, startFile);
      note(
        `plugboard: ${profile.name} restored at ${m.retired} instructions, ${(m.clock.now / 1e9).toFixed(6)} s virtual\n`,
      );
    }
    if (options.trace?.length) {
      const filter = new TraceFilter(options.trace, options.traceExclude);
      if (options.traceFile) traceFile = createWriteStream(options.traceFile);
      const out = traceFile;
      trace = new RegisterTraceWriter(
        () => ({ time: m.clock.now, instructions: m.retired }),
        out ? (line) => out.write(line) : note,
        options.traceFormat,
      );
      traceRegisters(m.devices, filter, trace);
    }
    const deviceLog = (e: LogEvent) => `[${(e.time / 1e6).toFixed(3)} ms] ${e.source}: ${e.message}\n`;
    if (options.verbose) m.hooks.log.tap('cli', (e) => note(deviceLog(e)));
    if (options.log?.items.length) {
      if (options.log.file) logFile = createWriteStream(options.log.file);
      const out = logFile;
      const write = out ? (text: string) => out.write(text) : note;
      const items = new Set(options.log.items);
      const at = () => `[${(m.clock.now / 1e6).toFixed(3)} ms]`;
      if (items.has('guest_errors') && !options.verbose) m.hooks.log.tap('-d', (e) => write(deviceLog(e)));
      if (items.has('cpu_reset'))
        m.hooks.reset.tap('-d', () => write(`${at()} CPU Reset\n${m.cpu?.info() ?? ''}\n`));
      if (items.has('int'))
        m.hooks.irq.tap('-d', (e) => write(`${at()} IRQ ${e.line} ${e.level ? 'raised' : 'lowered'}\n`));
      if (items.has('in_asm')) {
        const cpu = m.cpu;
        if (!cpu?.debug || !cpu.disassemble)
          throw new UserError('-d in_asm: this CPU model has no disassembler');
        // A debugger's stops use the same hook; sharing it would lose one or the other.
        if (options.gdb) throw new UserError('-d in_asm cannot be combined with -gdb or -s');
        const disassemble = cpu.disassemble.bind(cpu);
        cpu.debug.stopBefore = (linear) => {
          write(`${disassemble(linear, 1)}\n`);
          return false;
        };
      }
    }
    const vnc = vncAddresses(m);
    for (const address of vnc) note(`plugboard: the screen is on VNC at ${address}\n`);
    if (!vnc.length && options.screenHint && m.container.isBound(Tokens.Display))
      note(`plugboard: ${options.screenHint}\n`);
    const monitor = new Monitor(m);
    if (monitorSpec?.type === 'stdio') terminal.attachMonitor(monitor);
    if (monitorSpec?.type === 'tcp') {
      const { host, port, wait } = monitorSpec;
      if (wait) note(`plugboard: waiting for a monitor connection on tcp:${host}:${port}\n`);
      server = await listenMonitor(monitor, host, port, wait);
    }
    for (const spec of options.qmp ?? []) {
      if (spec.type === 'stdio') {
        // As QEMU: one character device per stdio, and QMP's JSON must be all stdout carries.
        if (terminal.inUse)
          throw new UserError(
            '-qmp stdio: the terminal already carries the console or the monitor; give them -serial none / -monitor none, or put QMP on tcp: or unix:',
          );
        qmpServers.push(qmpOnStdio(monitor, { version: VERSION }));
        continue;
      }
      const where = spec.type === 'tcp' ? `tcp:${spec.host}:${spec.port}` : `unix:${spec.path}`;
      if (spec.wait) note(`plugboard: waiting for a QMP connection on ${where}\n`);
      const qmp = await listenQmp(monitor, spec, { version: VERSION });
      qmpServers.push(qmp);
      note(`plugboard: QMP on ${spec.type === 'tcp' ? `tcp:${spec.host}:${qmp.port}` : where}\n`);
    }
    if (options.startPaused) m.pause();
    if (options.gdb) {
      gdbServer = await listenGdb(m, options.gdb.host, options.gdb.port, monitor);
      note(
        `plugboard: gdb server on tcp:${options.gdb.host}:${gdbServer.port} (target remote ${options.gdb.host}:${gdbServer.port})\n`,
      );
    }
    if (process.stderr.isTTY) {
      progress = new ProgressLine(
        process.stderr,
        {
          instructions: () => m.cpu?.instructionCount ?? 0,
          virtualNs: () => m.clock.now,
          skippedNs: () => m.clock.skipped,
          paused: () => m.isPaused,
        },
        { suppressed: () => terminal.monitorFocused },
      );
      terminal.beforeOutput = (data) => progress?.output(data);
      progress.start();
    }
    const event = await runWithSnapshot(m, options, abort.signal, terminal, (file) => {
      saveSnapshotFile(m, profile, file, 'run');
      note(`plugboard: snapshot of ${profile.name} saved to ${file} at ${m.retired} instructions\n`);
    });
    progress?.stop();
    trace?.flush();
    note(
      `plugboard: ${profile.name} stopped: ${event.reason} after ${m.cpu?.instructionCount ?? 0} instructions\n`,
    );
    if (options.screenshot) {
      if (!m.container.isBound(Tokens.Display))
        throw new ConfigError(`--screenshot: ${profile.name} has no display`);
      await screenshot(m.container.get<DisplaySource>(Tokens.Display), options.screenshot);
    }
    return event.exitCode;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    progress?.stop();
    if (traceFile) await new Promise((done) => traceFile!.end(done));
    if (logFile) await new Promise((done) => logFile!.end(done));
    await server?.close();
    await gdbServer?.close();
    for (const qmp of qmpServers) await qmp.close();
    await machine?.destroy();
    terminal.close();
  }
}

/** Why `runWithSnapshot` stops the run for a moment. */
const SNAPSHOT_POINT = 'snapshot point';

/**
 * Runs the machine; with `--snapshot-at` and `--save`, stops at the first
 * slice boundary at the point, saves, and runs on to the end.
 */
async function runWithSnapshot(
  m: Machine,
  options: RunOptions,
  signal: AbortSignal,
  terminal: HostTerminal,
  save: (file: string) => void,
) {
  const at = options.snapshotAt;
  const limit = options.maxInstructions;
  if (!at || !options.save) return m.run({ maxInstructions: limit, signal });
  let first: Awaited<ReturnType<Machine['run']>>;
  if ('instructions' in at) {
    first = await m.run({
      maxInstructions: Math.min(at.instructions, limit ?? Number.POSITIVE_INFINITY),
      signal,
    });
    if (first.reason !== 'instruction limit reached' || (limit !== undefined && at.instructions >= limit))
      return first;
  } else {
    const watch = new SerialWatch(at.serial, () => m.requestShutdown(SNAPSHOT_POINT, 0));
    const before = terminal.beforeOutput;
    terminal.beforeOutput = (data) => {
      before?.(data);
      watch.feed(data);
    };
    first = await m.run({ maxInstructions: limit, signal });
    if (first.reason !== SNAPSHOT_POINT) return first;
  }
  save(options.save);
  return m.run({ maxInstructions: limit, signal });
}
