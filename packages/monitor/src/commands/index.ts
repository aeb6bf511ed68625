import {
  type DisplaySource,
  type PowerButtonService,
  type RemoteConsoleService,
  Tokens,
} from '@plugboard/core';
import { screenshot } from '@plugboard/display';
import { type MonitorCommand, MonitorError } from '../command.js';
import { INFO_COMMANDS } from './info.js';
import { SET_LINK } from './link.js';
import { MEDIA_COMMANDS } from './media.js';
import { sendkey } from './sendkey.js';
import { SNAPSHOT_COMMANDS } from './snapshots.js';
import { examine } from './x.js';

function infoCommand(): MonitorCommand {
  const list = () => INFO_COMMANDS.map((c) => `info ${c.name.padEnd(10)} -- ${c.help}`).join('\n');
  return {
    name: 'info',
    args: '[subcommand]',
    help: 'show various information about the system state',
    run(machine, args) {
      if (!args[0]) return list();
      const sub = INFO_COMMANDS.find((c) => c.name === args[0]);
      if (!sub) throw new MonitorError(`unknown info subcommand: '${args[0]}'\n${list()}`);
      return sub.run(machine);
    },
  };
}

/** The commands, in the order `help` lists them; `help` itself is the Monitor's. */
export const COMMANDS: readonly MonitorCommand[] = [
  infoCommand(),
  {
    name: 'screendump',
    args: 'FILE',
    help: 'save the screen as a PNG image',
    async run(machine, [file]) {
      if (!file) throw new MonitorError('screendump: expected a file name');
      if (!machine.container.isBound(Tokens.Display)) throw new MonitorError('screendump: no display');
      await screenshot(machine.container.get<DisplaySource>(Tokens.Display), file);
      return '';
    },
  },
  ...MEDIA_COMMANDS,
  SET_LINK,
  {
    name: 'sendkey',
    args: 'KEYS [HOLD_MS]',
    help: 'send keys to the guest (e.g. sendkey ctrl-alt-delete); hold them HOLD_MS (100) ms',
    run: sendkey,
  },
  {
    name: 'x',
    args: '/FMT ADDR',
    help: 'virtual memory dump starting at ADDR (/[COUNT][x|d|u|o|c|i][b|h|w|g])',
    run: (machine, args) => examine(machine, args),
  },
  {
    name: 'xp',
    args: '/FMT ADDR',
    help: 'physical memory dump starting at ADDR (/[COUNT][x|d|u|o|c][b|h|w|g])',
    run: (machine, args) => examine(machine, args, true),
  },
  {
    name: 'set_password',
    args: 'PROTOCOL PASSWORD',
    help: 'set the remote console password (set_password vnc PASSWORD)',
    run(machine, args) {
      const [protocol, password] = args;
      if (!protocol || password === undefined) throw new MonitorError('set_password: expected vnc PASSWORD');
      const c = machine.container;
      const consoles = c.isBound(Tokens.RemoteConsole)
        ? c.getAll<RemoteConsoleService>(Tokens.RemoteConsole)
        : [];
      const target = consoles.filter((r) => r.protocol === protocol);
      if (target.length === 0) throw new MonitorError(`set_password: no ${protocol} server`);
      for (const r of target) r.setPassword(password);
      return '';
    },
  },
  ...SNAPSHOT_COMMANDS,
  {
    name: 'system_powerdown',
    args: '',
    help: 'press the ACPI power button',
    run(machine) {
      if (!machine.container.isBound(Tokens.PowerButton))
        throw new MonitorError('system_powerdown: the machine has no ACPI power button');
      machine.container.get<PowerButtonService>(Tokens.PowerButton).press();
      machine.wake();
      return '';
    },
  },
  {
    name: 'system_reset',
    args: '',
    help: 'reset the system',
    run(machine) {
      machine.requestHostReset('system_reset from the monitor');
      return '';
    },
  },
  {
    name: 'stop',
    aliases: ['s'],
    args: '',
    help: 'stop emulation',
    run(machine) {
      machine.pause();
      return '';
    },
  },
  {
    name: 'cont',
    aliases: ['c'],
    args: '',
    help: 'resume emulation',
    run(machine) {
      machine.resume();
      return '';
    },
  },
  {
    name: 'quit',
    aliases: ['q'],
    args: '',
    help: 'quit the emulator',
    run(machine) {
      machine.requestShutdown('quit from the monitor', 0);
      return '';
    },
  },
];
