import {
  buildMachine,
  ConfigError,
  type DisplaySource,
  formatRegisterEvent,
  type Machine,
  type PluginRegistry,
  type ResolvedProfile,
  Tokens,
} from '@plugboard/core';
import { screenshot } from '@plugboard/display';
import { firmwareCacheDir, SYSTEM_FIRMWARE_DIRS } from '@plugboard/firmware';
import {
  HostTerminal,
  listenMonitor,
  Monitor,
  type MonitorServer,
  parseMonitorSpec,
} from '@plugboard/monitor';
import { ProgressLine } from '../progress.js';

export interface RunOptions {
  /** Device ids whose register accesses are printed (their `registerTrace`). */
  trace?: string[];
  /** Write a PNG of the screen here when the run ends. */
  screenshot?: string;
  /** -L directories, searched before the firmware cache. */
  firmwareDirs?: string[];
  maxInstructions?: number;
  noReboot?: boolean;
  verbose?: boolean;
  /** Where the monitor goes: `stdio` (shared with a console there), `tcp:HOST:PORT,server[,nowait]`, or none. */
  monitor?: string | null;
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
    machine = await buildMachine(profile, registry, {
      firmwareDirs,
      services: new Map([[Tokens.HostTerminal, terminal]]),
    });
    const m = machine;
    m.noReboot = options.noReboot ?? false;
    for (const id of options.trace ?? []) {
      const device = m.device(id);
      if (!device?.registerTrace)
        throw new ConfigError(`--trace ${id}: no device "${id}" with a register trace`);
      device.registerTrace.tap('cli', (e) => note(`${formatRegisterEvent(e)}\n`));
    }
    if (options.verbose)
      m.hooks.log.tap('cli', (e) => note(`[${(e.time / 1e6).toFixed(3)} ms] ${e.source}: ${e.message}\n`));
    const monitor = new Monitor(m);
    if (monitorSpec?.type === 'stdio') terminal.attachMonitor(monitor);
    if (monitorSpec?.type === 'tcp') {
      const { host, port, wait } = monitorSpec;
      if (wait) note(`plugboard: waiting for a monitor connection on tcp:${host}:${port}\n`);
      server = await listenMonitor(monitor, host, port, wait);
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
    const event = await m.run({ maxInstructions: options.maxInstructions, signal: abort.signal });
    progress?.stop();
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
    await server?.close();
    await machine?.destroy();
    terminal.close();
  }
}
