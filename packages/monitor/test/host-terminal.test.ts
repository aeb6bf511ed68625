import { PassThrough } from 'node:stream';
import type { Machine } from '@plugboard/core';
import { describe, expect, it } from 'vitest';
import { HostTerminal, Monitor, PROMPT } from '../src/index.js';

/** A terminal over in-memory streams, with a monitor whose machine only answers `info status`. */
function terminal(withMonitor = true) {
  const input = new PassThrough();
  const output = new PassThrough();
  let shown = '';
  output.on('data', (d) => {
    shown += d;
  });
  const quits: number[] = [];
  const t = new HostTerminal({
    input: input as unknown as NodeJS.ReadStream,
    output: output as unknown as NodeJS.WriteStream,
    onQuit: () => quits.push(1),
  });
  const console: string[] = [];
  t.attach((data) => console.push(Buffer.from(data).toString('latin1')));
  if (withMonitor)
    t.attachMonitor(new Monitor({ isPaused: false, clock: { now: 2e9, skipped: 5e8 } } as Machine));
  const type = async (s: string) => {
    input.write(Buffer.from(s, 'latin1'));
    await new Promise((r) => setTimeout(r, 10));
  };
  return { t, type, console, quits, shown: () => shown };
}

describe('the shared terminal (mon:stdio)', () => {
  it('gives input to the console until Ctrl-A c, then to the monitor, and back', async () => {
    const { t, type, console, shown } = terminal();
    await type('ls\r');
    expect(console).toEqual(['ls\r']);
    expect(t.monitorFocused).toBe(false);
    expect(shown()).toBe('');
    await type('\x01c');
    expect(t.monitorFocused).toBe(true);
    expect(shown()).toBe(`\r\nPlugboard monitor - type 'help' for more information\r\n${PROMPT}`);
    await type('info status\n');
    expect(shown()).toContain(
      `VM status: running\r\nvirtual time 2.000000 s, 0.500000 s of it skipped by fast-forward\r\n${PROMPT}`,
    );
    expect(console).toEqual(['ls\r']);
    await type('\x01c');
    await type('x\x01\x01');
    expect(console).toEqual(['ls\r', 'x', '\x01']);
    // The banner comes once; later switches show just the prompt.
    await type('\x01c');
    expect(shown().split('Plugboard monitor').length).toBe(2);
    expect(shown().endsWith(`\r\n${PROMPT}`)).toBe(true);
  });

  it('prints the escapes on Ctrl-A h and quits on Ctrl-A x, from either side', async () => {
    const { type, quits, shown } = terminal();
    await type('\x01h');
    expect(shown()).toContain('C-a c    switch between console and monitor');
    await type('\x01x');
    expect(quits).toEqual([1]);
    await type('\x01c\x01x');
    expect(quits).toEqual([1, 1]);
  });

  it('writes guest output whatever has the focus, telling beforeOutput first', async () => {
    const { t, shown } = terminal(false);
    const calls: string[] = [];
    t.beforeOutput = (data) => calls.push(`${shown()}|${Buffer.from(data)}`);
    t.write(Buffer.from('login: '));
    expect(calls).toEqual(['|login: ']);
    expect(shown()).toBe('login: ');
  });

  it('keeps the console when no monitor is on the terminal: Ctrl-A c does nothing', async () => {
    const { t, type, console } = terminal(false);
    await type('a\x01cb');
    expect(t.monitorFocused).toBe(false);
    expect(console).toEqual(['a', 'b']);
  });
});
