import { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { listenMonitor, Monitor, type MonitorServer, PROMPT } from '../src/index.js';
import { puredarwinXmas } from './machine.js';

/** Reads from `socket` until the text ends with the prompt `count` times. */
function readPrompts(socket: Socket, count: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (chunk: Buffer) => {
      text += chunk.toString('latin1');
      if (text.split(PROMPT).length - 1 >= count && text.endsWith(PROMPT)) {
        socket.off('data', onData);
        resolve(text);
      }
    };
    socket.on('data', onData);
    socket.once('error', reject);
  });
}

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

describe('monitor over TCP', () => {
  it('greets, prompts and answers info pci with the puredarwin-xmas devices and their IDs', async () => {
    const machine = await puredarwinXmas();
    cleanup.push(() => machine.destroy());
    const server: MonitorServer = await listenMonitor(new Monitor(machine), '127.0.0.1', 0);
    cleanup.push(() => server.close());
    const socket = new Socket();
    cleanup.push(async () => {
      socket.destroy();
    });
    const greeting = readPrompts(socket, 1);
    socket.connect(server.port, '127.0.0.1');
    expect(await greeting).toBe("Plugboard monitor - type 'help' for more information\r\n(qemu) ");
    const answer = readPrompts(socket, 1);
    socket.write('info pci\n');
    const text = await answer;
    expect(text.endsWith(`\r\n${PROMPT}`)).toBe(true);
    const devices = [
      ...text.matchAll(
        /Bus +0, device +(\d+), function (\d):\r\n +([^:]+): PCI device ([0-9a-f]{4}:[0-9a-f]{4})/g,
      ),
    ].map((m) => `${m[1]}.${m[2]} ${m[3]} ${m[4]}`);
    expect(devices).toEqual([
      '0.0 Host bridge 8086:1237',
      '1.0 ISA bridge 8086:7000',
      '1.1 IDE controller 8086:7010',
      '1.3 Bridge 8086:7113',
      '2.0 VGA controller 1013:00b8',
      '3.0 Ethernet controller 10ec:8139',
    ]);
    expect(text).toContain('PCI subsystem 1af4:1100');
  });

  it('holds the caller until the first client connects when asked to wait', async () => {
    const machine = await puredarwinXmas();
    cleanup.push(() => machine.destroy());
    // Find a free port, then listen there with wait.
    const probe = await listenMonitor(new Monitor(machine), '127.0.0.1', 0);
    const port = probe.port;
    await probe.close();
    let ready = false;
    const listening = listenMonitor(new Monitor(machine), '127.0.0.1', port, true).then((s) => {
      ready = true;
      return s;
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(ready).toBe(false);
    const socket = new Socket();
    cleanup.push(async () => {
      socket.destroy();
    });
    const greeting = readPrompts(socket, 1);
    socket.connect(port, '127.0.0.1');
    const server = await listening;
    cleanup.push(() => server.close());
    expect(ready).toBe(true);
    await greeting;
    const answer = readPrompts(socket, 1);
    socket.write('info status\r\n');
    expect(await answer).toMatch(
      /^VM status: running\r\nvirtual time [0-9.]+ s, [0-9.]+ s of it skipped by fast-forward\r\n/,
    );
  });
});
