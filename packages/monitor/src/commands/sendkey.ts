import { type Machine, type Ps2InputService, Tokens } from '@plugboard/core';
import { MonitorError } from '../command.js';
import { QCODES } from './qcodes.js';

/** How long QEMU holds the keys of a `sendkey` combination down, in host milliseconds. */
export const DEFAULT_HOLD_MS = 100;

type Key = { name: string } | { code: number };

function parseKey(name: string): Key {
  if (/^0x[0-9a-f]{1,4}$/i.test(name)) return { code: Number(name) };
  const code = QCODES[name.toLowerCase()];
  if (!code) throw new MonitorError(`unknown key: '${name}'`);
  return { name: code };
}

/**
 * QEMU's `sendkey KEYS [HOLD_MS]`: keys joined by `-` (`ctrl-alt-delete`),
 * pressed in order through the keyboard controller's Ps2InputService and
 * released in reverse once `HOLD_MS` have passed. A hex number is a set 1
 * scancode (0xe0xx for an extended key).
 */
export function sendkey(machine: Machine, args: readonly string[]): Promise<string> {
  if (!args[0]) throw new MonitorError('sendkey: expected keys, e.g. sendkey ctrl-alt-delete');
  const hold = args[1] === undefined ? DEFAULT_HOLD_MS : Number(args[1]);
  if (!Number.isInteger(hold) || hold < 0) throw new MonitorError(`sendkey: bad hold time '${args[1]}'`);
  // `-` joins keys, so the minus key itself is spelled `minus`.
  const keys = args[0].split('-').map(parseKey);
  if (!machine.container.isBound(Tokens.Ps2Input))
    throw new MonitorError('sendkey: the machine has no PS/2 keyboard');
  const input = machine.container.get<Ps2InputService>(Tokens.Ps2Input);
  const press = (key: Key, down: boolean) => {
    if ('code' in key) input.keyCode(key.code, down);
    else input.key(key.name, down);
  };
  for (const key of keys) press(key, true);
  machine.wake();
  return new Promise((resolve) =>
    setTimeout(() => {
      for (const key of [...keys].reverse()) press(key, false);
      machine.wake();
      resolve('');
    }, hold),
  );
}
