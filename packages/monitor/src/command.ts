import type { Machine } from '@plugboard/core';

/** One monitor command: QEMU's name, its argument synopsis and help line, and what it does. */
export interface MonitorCommand {
  name: string;
  aliases?: readonly string[];
  /** The argument synopsis `help` shows, e.g. `FILE`. */
  args: string;
  help: string;
  /** Returns the text to print (lines joined by `\n`, empty for none); throws an Error for a message. */
  run(machine: Machine, args: readonly string[]): string | Promise<string>;
}

/** One `info` subcommand. */
export interface InfoCommand {
  name: string;
  help: string;
  run(machine: Machine): string;
}

/** A mistake in how a command was called: the message is printed as it is. */
export class MonitorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MonitorError';
  }
}
