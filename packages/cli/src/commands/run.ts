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
}

/** Builds and runs a machine until it stops; returns the process exit code. */
export async function runProfile(
  profile: ResolvedProfile,
  registry: PluginRegistry,
  options: RunOptions,
): Promise<number> {
  const firmwareDirs = [...(options.firmwareDirs ?? []), firmwareCacheDir(), ...SYSTEM_FIRMWARE_DIRS];
  const machine: Machine = await buildMachine(profile, registry, { firmwareDirs });
  machine.noReboot = options.noReboot ?? false;
  for (const id of options.trace ?? []) {
    const device = machine.device(id);
    if (!device?.registerTrace)
      throw new ConfigError(`--trace ${id}: no device "${id}" with a register trace`);
    device.registerTrace.tap('cli', (e) => process.stderr.write(`${formatRegisterEvent(e)}\n`));
  }
  if (options.verbose)
    machine.hooks.log.tap('cli', (e) =>
      process.stderr.write(`[${(e.time / 1e6).toFixed(3)} ms] ${e.source}: ${e.message}\n`),
    );
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const event = await machine.run({ maxInstructions: options.maxInstructions, signal: abort.signal });
    process.stderr.write(
      `plugboard: ${profile.name} stopped: ${event.reason} after ${machine.cpu?.instructionCount ?? 0} instructions\n`,
    );
    if (options.screenshot) {
      if (!machine.container.isBound(Tokens.Display))
        throw new ConfigError(`--screenshot: ${profile.name} has no display`);
      await screenshot(machine.container.get<DisplaySource>(Tokens.Display), options.screenshot);
    }
    return event.exitCode;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await machine.destroy();
  }
}
