import { join } from 'node:path';
import { loadProfile, UserError } from '@plugboard/core';
import { parseMonitorSpec } from '@plugboard/monitor';
import { Command, CommanderError } from 'commander';
import { createRegistry } from './builtins.js';
import { listDevices } from './commands/devices.js';
import { runProfile } from './commands/run.js';
import { validateProfile } from './commands/validate.js';
import { lspci } from './lspci.js';
import { machinesDir } from './machines.js';
import { parseSet } from './overrides.js';
import { BUILTIN_FIRMWARE_TYPE, translateQemu } from './qemu/translate.js';

export interface Io {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

const collect = (value: string, previous: string[]) => [...previous, value];

/** `-cpu help`: the CPU models, as the x86 plugin's schema lists them. */
async function cpuHelp(io: Io): Promise<number> {
  const schema = (await createRegistry()).require('x86').configSchema as {
    properties?: { model?: { enum?: string[] } };
  };
  const models = schema.properties?.model?.enum ?? [];
  io.stdout.write(`Available CPUs:\n${models.map((m) => `  ${m}\n`).join('')}`);
  return 0;
}

/** `plugboard qemu ...`: QEMU's options, mapped onto machines/pc.json (or bare.json). */
async function qemu(argv: string[], io: Io): Promise<number> {
  const cpu = argv.findIndex((a) => a === '-cpu' || a === '--cpu');
  if (cpu >= 0 && (argv[cpu + 1] === 'help' || argv[cpu + 1] === '?')) return cpuHelp(io);
  const print = argv.includes('--print-profile');
  const translation = translateQemu(argv.filter((a) => a !== '--print-profile'));
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
  return runProfile(profile, await createRegistry(), {
    noReboot: translation.run.noReboot,
    firmwareDirs: translation.run.firmwareDirs,
    monitor: translation.run.monitor,
  });
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
      .exitOverride()
      .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });

    program
      .command('run')
      .description('build the machine a profile describes and run it')
      .argument('<profile>', 'machine profile (JSON)')
      .option('--set <path=value>', 'override a profile field, e.g. devices.nic.type=i82557b', collect, [])
      .option('--bios <file>', "firmware image for the profile's firmware device")
      .option('--max-instructions <n>', 'stop after this many guest instructions', (v) => Number(v))
      .option('--screenshot <file>', 'write a PNG of the screen when the run ends')
      .option('--trace <device>', "print a device's register accesses by name (repeatable)", collect, [])
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
      .action(
        async (
          file: string,
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
            verbose?: boolean;
          },
        ) => {
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
          const profile = loadProfile(file, overrides);
          if (opts.printProfile) {
            io.stdout.write(`${JSON.stringify(profile.merged, null, 2)}\n`);
            return;
          }
          code = await runProfile(profile, await createRegistry(), {
            maxInstructions: opts.maxInstructions,
            screenshot: opts.screenshot,
            trace: opts.trace,
            noReboot: !opts.reboot,
            verbose: opts.verbose,
            monitor,
          });
        },
      );

    program
      .command('validate')
      .description("check profiles against the profile schema and their plugins' config schemas")
      .argument('<profiles...>')
      .option('--strict', 'a type no installed plugin provides is an error')
      .action(async (files: string[], opts: { strict?: boolean }) => {
        const registry = await createRegistry();
        for (const file of files) {
          const { errors, warnings } = validateProfile(file, registry, opts.strict ?? false);
          for (const w of warnings) io.stderr.write(`warning: ${w}\n`);
          for (const e of errors) io.stderr.write(`${e}\n`);
          if (errors.length) code = 1;
          else io.stdout.write(`${file}: valid\n`);
        }
      });

    program
      .command('devices')
      .description("list installed device plugins, or show one plugin's config schema")
      .argument('[type]')
      .option('--json', 'machine-readable output')
      .action(async (type: string | undefined, opts: { json?: boolean }) => {
        io.stdout.write(`${listDevices(await createRegistry(), type, opts.json ?? false)}\n`);
      });

    program
      .command('lspci')
      .description('the PCI devices a profile declares, lspci -nn style, without running anything')
      .argument('<profile>')
      .action(async (file: string) => {
        const lines = lspci(loadProfile(file), await createRegistry());
        io.stdout.write(`${lines.join('\n')}\n`);
      });

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
