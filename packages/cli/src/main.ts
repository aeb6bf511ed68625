import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import {
  ConfigError,
  loadProfile,
  loadProfilePlugins,
  prepareEntries,
  type TraceFormat,
  UserError,
} from '@plugboard/core';
import { parseMonitorSpec } from '@plugboard/monitor';
import { Command, CommanderError } from 'commander';
import { createRegistry } from './builtins.js';
import { listDevices } from './commands/devices.js';
import { fetchFirmware } from './commands/fetch-firmware.js';
import { runProfile } from './commands/run.js';
import { validateProfile } from './commands/validate.js';
import { lspci } from './lspci.js';
import { machinesDir, profilePath } from './machines.js';
import { addNetProxyCommand } from './net-proxy/command.js';
import { parseSet } from './overrides.js';
import { BUILTIN_FIRMWARE_TYPE, translateQemu } from './qemu/translate.js';
import { openSnapshotFile, parseSnapshotPoint } from './snapshots.js';
import { VERSION } from './version.js';

export interface Io {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

const collect = (value: string, previous: string[]) => [...previous, value];

function parseTraceFormat(value: string): TraceFormat {
  if (value !== 'text' && value !== 'json') throw new ConfigError(`--trace-format ${value}: text or json`);
  return value;
}

const PLUGIN_HELP = 'load the plugins of an npm package (repeatable), resolved from the current folder';

/** Takes Plugboard's own `--plugin PKG` (repeatable), `--record FILE` and `--replay FILE` out of a QEMU-style argument list. */
function takePlugins(argv: string[]): {
  rest: string[];
  plugins: string[];
  record?: string;
  replay?: string;
} {
  const rest: string[] = [];
  const plugins: string[] = [];
  const taken: { record?: string; replay?: string } = {};
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--plugin' && i + 1 < argv.length) plugins.push(argv[++i]);
    else if (argv[i] === '--record' && i + 1 < argv.length) taken.record = argv[++i];
    else if (argv[i] === '--replay' && i + 1 < argv.length) taken.replay = argv[++i];
    else rest.push(argv[i]);
  }
  return { rest, plugins, ...taken };
}

/** `plugboard qemu ...`: QEMU's options, mapped onto machines/pc.json (or bare.json). */
async function qemu(argv: string[], io: Io): Promise<number> {
  const print = argv.includes('--print-profile');
  const { rest: args, plugins, record, replay } = takePlugins(argv.filter((a) => a !== '--print-profile'));
  const { rest, loadvm } = takeLoadvm(args);
  const registry = await createRegistry(plugins);
  const translation = translateQemu(rest, registry);
  if (translation.output !== null) {
    io.stdout.write(translation.output);
    return 0;
  }
  for (const w of translation.warnings) io.stderr.write(`plugboard: warning: ${w}\n`);
  const overrides = [translation.overlay];
  const builtin = (translation.overlay.devices as { bios?: { type?: string } } | undefined)?.bios?.type;
  if (translation.run.firmwareDirs.length && builtin !== BUILTIN_FIRMWARE_TYPE) {
    overrides.push({ devices: { bios: { config: { path: translation.run.firmwareDirs } } } });
  }
  const profile = loadProfile(join(machinesDir(), `${translation.machine}.json`), overrides);
  if (print) {
    io.stdout.write(`${JSON.stringify(profile.merged, null, 2)}\n`);
    return 0;
  }
  return runProfile(profile, registry, {
    noReboot: translation.run.noReboot,
    firmwareDirs: translation.run.firmwareDirs,
    monitor: translation.run.monitor,
    ...translation.run.trace,
    plugins,
    screenHint: translation.run.screenHint,
    gdb: translation.run.gdb,
    startPaused: translation.run.startPaused,
    qmp: translation.run.qmp,
    log: translation.run.log,
    record,
    replay,
    loadvm,
  });
}

/** Takes QEMU's `-loadvm NAME` out of the arguments: the run starts from that snapshot (see `snapshotFolder`). */
function takeLoadvm(argv: string[]): { rest: string[]; loadvm?: string } {
  const at = argv.findIndex((a) => a === '-loadvm' || a === '--loadvm');
  if (at < 0) return { rest: argv };
  if (at + 1 >= argv.length) throw new UserError('-loadvm: expected a snapshot name');
  return { rest: [...argv.slice(0, at), ...argv.slice(at + 2)], loadvm: argv[at + 1] };
}

export async function main(argv: string[], io: Io = process): Promise<number> {
  try {
    if (argv[0] === 'qemu') return await qemu(argv.slice(1), io);
    if (argv[0] === 'img') {
      const { runImg } = (await import('@plugboard/disk-vmdk' as string)) as {
        runImg: (a: string[], io: Io) => Promise<number>;
      };
      return await runImg(argv.slice(1), io);
    }
    let code = 0;
    const program = new Command('plugboard')
      .description('A PC emulator whose every device is a plugin and every machine a JSON profile.')
      .version(VERSION, '-V, --version')
      .exitOverride()
      .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });

    program
      .command('run')
      .description('build the machine a profile describes and run it')
      .argument(
        '[profile]',
        "machine profile (JSON), or the name of a shipped machine (puredarwin-xmas, pc); with --restore, the snapshot's own by default",
      )
      .option('--plugin <package>', PLUGIN_HELP, collect, [])
      .option('--set <path=value>', 'override a profile field, e.g. devices.nic.type=i82557b', collect, [])
      .option('--bios <file>', "firmware image for the profile's firmware device")
      .option('--max-instructions <n>', 'stop after this many guest instructions', (v) => Number(v))
      .option('--screenshot <file>', 'write a PNG of the screen when the run ends')
      .option(
        '--trace <pattern>',
        "print register accesses by name: DEVICE[:[r|w:]REGISTER,...], globs allowed (repeatable), e.g. 'nic:TSD*,ISR'",
        collect,
        [],
      )
      .option('--trace-exclude <pattern>', 'leave these accesses out of the trace (repeatable)', collect, [])
      .option('--trace-format <format>', 'text (default) or json (one object a line)', parseTraceFormat)
      .option('--trace-file <file>', 'write the trace here instead of stderr')
      .option(
        '--nographic',
        "COM1 on the terminal (Ctrl-A x quits) and the firmware's screen mirrored to it, as QEMU's -nographic",
      )
      .option(
        '--monitor <spec>',
        'the monitor: stdio, tcp:HOST:PORT,server[,nowait] or none (default: stdio with --nographic, behind Ctrl-A c)',
      )
      .option('--no-reboot', 'a guest reset ends the run')
      .option('--print-profile', 'print the merged profile and exit')
      .option('-v, --verbose', 'print device log messages')
      .option(
        '--record <file>',
        'log every input from the host, at the instruction the guest saw it (README: record and replay)',
      )
      .option(
        '--replay <file>',
        'run again with the inputs of a --record log, network cut off: the same run bit for bit',
      )
      .option(
        '--snapshot-at <point>',
        'when --save takes its snapshot: serial:TEXT (after the console prints TEXT) or instructions:N',
      )
      .option('--save <file>', 'write a snapshot here at --snapshot-at, then run on')
      .option('--restore <file>', 'start from this snapshot instead of power-on')
      .action(
        async (
          file: string | undefined,
          opts: {
            set: string[];
            bios?: string;
            maxInstructions?: number;
            reboot: boolean;
            printProfile?: boolean;
            screenshot?: string;
            nographic?: boolean;
            monitor?: string;
            trace: string[];
            traceExclude: string[];
            traceFormat?: TraceFormat;
            traceFile?: string;
            verbose?: boolean;
            plugin: string[];
            record?: string;
            replay?: string;
            snapshotAt?: string;
            save?: string;
            restore?: string;
          },
        ) => {
          if (opts.save && !opts.snapshotAt) throw new UserError('--save needs --snapshot-at');
          const snapshotAt = opts.snapshotAt ? parseSnapshotPoint(opts.snapshotAt) : undefined;
          if (file === undefined && !opts.restore)
            throw new UserError('run: expected a profile (or --restore FILE)');
          const monitor = opts.monitor ?? (opts.nographic ? 'stdio' : 'none');
          parseMonitorSpec(monitor);
          const overrides = opts.set.map(parseSet);
          if (opts.nographic) {
            overrides.push({
              devices: {
                com1: { config: { backend: { type: 'stdio' } } },
                'fw-cfg': { config: { sercon: true } },
              },
            });
          }
          if (opts.bios) overrides.push({ devices: { bios: { config: { bios: opts.bios } } } });
          const profile =
            file === undefined
              ? openSnapshotFile(opts.restore as string).header.profile
              : loadProfile(profilePath(file), overrides);
          if (opts.printProfile) {
            io.stdout.write(`${JSON.stringify(profile.merged, null, 2)}\n`);
            return;
          }
          code = await runProfile(profile, await createRegistry(opts.plugin), {
            plugins: opts.plugin,
            screenHint: opts.nographic
              ? null
              : 'no window: the screen is shown nowhere; use --nographic for the serial console on this terminal, or add a "vnc" device (plugboard devices vnc)',
            maxInstructions: opts.maxInstructions,
            screenshot: opts.screenshot,
            trace: opts.trace,
            traceExclude: opts.traceExclude,
            traceFormat: opts.traceFormat,
            traceFile: opts.traceFile,
            noReboot: !opts.reboot,
            verbose: opts.verbose,
            monitor,
            record: opts.record,
            replay: opts.replay,
            restore: opts.restore,
            snapshotAt,
            save: opts.save,
          });
        },
      );

    program
      .command('validate')
      .description("check profiles against the profile schema and their plugins' config schemas")
      .argument('<profiles...>', 'profile files, or names of shipped machines')
      .option('--strict', 'a type no installed plugin provides is an error')
      .option('--plugin <package>', PLUGIN_HELP, collect, [])
      .action(async (files: string[], opts: { strict?: boolean; plugin: string[] }) => {
        const registry = await createRegistry(opts.plugin);
        for (const file of files) {
          const { errors, warnings } = await validateProfile(
            profilePath(file),
            registry,
            opts.strict ?? false,
          );
          for (const w of warnings) io.stderr.write(`warning: ${w}\n`);
          for (const e of errors) io.stderr.write(`${e}\n`);
          if (errors.length) code = 2;
          else io.stdout.write(`${file}: valid\n`);
        }
      });

    program
      .command('devices')
      .description("list installed device plugins, or show one plugin's config schema")
      .argument('[type]')
      .option('--json', 'machine-readable output')
      .option('--plugin <package>', PLUGIN_HELP, collect, [])
      .option('--profile <profile>', 'also the plugins this profile loads (its "plugins")')
      .action(
        async (type: string | undefined, opts: { json?: boolean; plugin: string[]; profile?: string }) => {
          const registry = await createRegistry(opts.plugin);
          if (opts.profile) await loadProfilePlugins(loadProfile(profilePath(opts.profile)), registry);
          io.stdout.write(`${listDevices(registry, type, opts.json ?? false)}\n`);
        },
      );

    program
      .command('lspci')
      .description('the PCI devices a profile declares, lspci -nn style, without running anything')
      .argument('<profile>', 'a profile file, or the name of a shipped machine')
      .option('--plugin <package>', PLUGIN_HELP, collect, [])
      .action(async (file: string, opts: { plugin: string[] }) => {
        const profile = loadProfile(profilePath(file));
        const registry = await createRegistry(opts.plugin);
        await loadProfilePlugins(profile, registry);
        const { problems } = prepareEntries(profile, registry);
        if (problems.length) throw new ConfigError(problems.join('\n'));
        io.stdout.write(`${lspci(profile, registry).join('\n')}\n`);
      });

    program
      .command('fetch-firmware')
      .description(
        "unpack Debian's seabios, ipxe-qemu and qemu-system-data packages into the firmware cache (needs apt-get)",
      )
      .action(() => {
        code = fetchFirmware(io);
      });

    program
      .command('matrix')
      .description(
        'run every machine variation of a matrix spec with every guest, each cell in its own process, and report (JUnit XML, summary.json)',
      )
      .argument('<spec>', 'matrix spec (JSON), e.g. machines/matrix-nics.json')
      .option('--out <dir>', "reports and every cell's serial log, trace and pcap")
      .option('-j, --jobs <n>', 'cells at a time (default: one per core)', (v) => Number(v))
      .option('--cell <machine/guest>', 'run only this cell (repeatable)', collect, [])
      .option('--queue <redis-url>', 'send cells through a BullMQ queue on Redis to `plugboard worker`s')
      .action(async (file: string, opts: { out?: string; jobs?: number; cell: string[]; queue?: string }) => {
        // Loaded when used, as `worker`'s: BullMQ and its Redis client would add most of a second to every start.
        const { runMatrix } = await import('./commands/matrix.js');
        code = await runMatrix(
          file,
          { out: opts.out, jobs: opts.jobs, cells: opts.cell, queue: opts.queue },
          (t) => io.stdout.write(t),
        );
      });

    program
      .command('worker')
      .description('take matrix cells off a BullMQ queue on Redis and run them, until interrupted')
      .requiredOption('--queue <redis-url>', 'redis://HOST[:PORT][/DB]')
      .option('-j, --jobs <n>', 'cells at a time (default: one per core)', (v) => Number(v))
      .action(async (opts: { queue: string; jobs?: number }) => {
        const stop = new AbortController();
        const onSignal = () => stop.abort();
        process.once('SIGINT', onSignal);
        process.once('SIGTERM', onSignal);
        io.stderr.write(`plugboard: worker on ${opts.queue}\n`);
        const { serveQueue } = await import('./matrix/queue.js');
        try {
          await serveQueue(opts.queue, Math.max(1, opts.jobs ?? availableParallelism()), stop.signal);
        } finally {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
        }
      });

    addNetProxyCommand(program, io.stderr);

    program
      .command('qemu')
      .description(
        'run with QEMU command-line options (plugboard qemu -hda x.vmdk -m 512 ...); ' +
          '-bios builtin -kernel K [-initrd I] [-append A] boots Linux without a BIOS',
      );
    program
      .command('img')
      .description("disk image tool with qemu-img's syntax: info, create, convert, check, compare");

    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    if (err instanceof UserError) {
      io.stderr.write(`plugboard: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}
