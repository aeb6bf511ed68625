import type { Machine } from '@plugboard/core';
import { type MonitorCommand, MonitorError } from './command.js';
import { COMMANDS } from './commands/index.js';
import { parseCommandLine } from './parse.js';

/** The prompt: QEMU's, so that scripts and `expect` recipes written for QEMU's monitor work unchanged. */
export const PROMPT = '(qemu) ';
export const BANNER = "Plugboard monitor - type 'help' for more information";

/**
 * The command interpreter of QEMU's human monitor (HMP), over one machine.
 * Transports (a terminal, TCP) feed it lines and print what it returns.
 */
export class Monitor {
  readonly commands: readonly MonitorCommand[];

  constructor(readonly machine: Machine) {
    this.commands = [
      {
        name: 'help',
        aliases: ['?'],
        args: '[cmd]',
        help: 'show the help',
        run: (_m, [name]) => this.help(name),
      },
      ...COMMANDS,
    ];
  }

  /** Runs one line; returns what to print (possibly empty). Never throws. */
  async execute(line: string): Promise<string> {
    try {
      const words = parseCommandLine(line);
      // QEMU's `x/10i $pc`: a format glued to the command name is its first argument.
      const glued = /^([a-z_]+)(\/\S*)$/.exec(words[0] ?? '');
      if (glued) words.splice(0, 1, glued[1], glued[2]);
      const [name, ...args] = words;
      if (name === undefined) return '';
      const command = this.find(name);
      if (!command) return `unknown command: '${name}'`;
      return await command.run(this.machine, args);
    } catch (err) {
      if (err instanceof MonitorError) return err.message;
      return `Error: ${(err as Error).message}`;
    }
  }

  private find(name: string): MonitorCommand | undefined {
    return this.commands.find((c) => c.name === name || c.aliases?.includes(name));
  }

  private help(name?: string): string {
    const shown = name === undefined ? this.commands : [this.find(name)];
    if (shown.some((c) => c === undefined)) throw new MonitorError(`unknown command: '${name}'`);
    return (shown as MonitorCommand[])
      .map((c) => {
        const names = [c.name, ...(c.aliases ?? [])].join('|');
        return `${`${names} ${c.args}`.trim()} -- ${c.help}`;
      })
      .join('\n');
  }
}
