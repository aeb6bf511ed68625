import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { SocketBackend, socketMode } from '../src/index.js';
import { FakeNic, frame, until } from './helpers.js';

const open: SocketBackend[] = [];
afterEach(() => {
  for (const b of open.splice(0)) b.close();
});

async function backend(id: string, config: Record<string, string>): Promise<SocketBackend> {
  const b = new SocketBackend(id, socketMode({ queueFrames: 8, sendBuffer: 1 << 20, ...config }), {
    queueFrames: 8,
    sendBuffer: 1 << 20,
  });
  await b.open();
  open.push(b);
  return b;
}

describe('socket netdev', () => {
  it('needs exactly one mode and a localaddr for udp', () => {
    expect(() => socketMode({ queueFrames: 1, sendBuffer: 0 })).toThrow(/exactly one of/);
    expect(() => socketMode({ queueFrames: 1, sendBuffer: 0, listen: ':1', connect: ':2' })).toThrow(
      /exactly one/,
    );
    expect(() => socketMode({ queueFrames: 1, sendBuffer: 0, udp: '127.0.0.1:5' })).toThrow(/localaddr/);
  });

  it('carries frames both ways between a listening and a connecting machine over TCP', async () => {
    const server = await backend('s', { listen: '127.0.0.1:0' });
    const nicA = new FakeNic();
    const portA = server.connect(nicA);
    const client = await backend('c', { connect: `127.0.0.1:${server.localPort}` });
    const nicB = new FakeNic();
    const portB = client.connect(nicB);
    await until(() => server.linkUp, 'the server to accept');
    for (let i = 0; i < 5; i++) portA.send(frame(60 + i * 300, i));
    portB.send(frame(1514, 0x55));
    await until(() => nicB.received.length === 5 && nicA.received.length === 1, 'frames');
    expect(nicB.received.map((f) => [f.length, f[0]])).toEqual([
      [60, 0],
      [360, 1],
      [660, 2],
      [960, 3],
      [1260, 4],
    ]);
    expect(nicA.received[0]!.length).toBe(1514);
    expect(nicA.link).toEqual([true]);
  });

  it('tells the NIC when the TCP peer goes away, and counts frames sent with no peer', async () => {
    const server = await backend('s', { listen: '127.0.0.1:0' });
    const nic = new FakeNic();
    const port = server.connect(nic);
    port.send(frame(60, 1));
    expect(server.sendDropped).toBe(1);
    const client = await backend('c', { connect: `127.0.0.1:${server.localPort}` });
    await until(() => nic.link.length === 1, 'link up');
    client.close();
    await until(() => nic.link.length === 2, 'link down');
    expect(nic.link).toEqual([true, false]);
    expect(server.linkUp).toBe(false);
  });

  it('holds frames for a full NIC, bounded, and releases them on receiveReady', async () => {
    const server = await backend('s', { listen: '127.0.0.1:0' });
    const nicA = new FakeNic();
    nicA.room = 0;
    const portA = server.connect(nicA);
    const client = await backend('c', { connect: `127.0.0.1:${server.localPort}` });
    const portB = client.connect(new FakeNic());
    for (let i = 0; i < 4; i++) portB.send(frame(100, i));
    await new Promise((r) => setTimeout(r, 200));
    expect(nicA.received).toHaveLength(0);
    nicA.room = 100;
    portA.receiveReady();
    await until(() => nicA.received.length === 4, 'queued frames');
    expect(nicA.received.map((f) => f[0])).toEqual([0, 1, 2, 3]);
  });

  it('carries frames over UDP unicast, one frame per datagram', async () => {
    const a = await backend('a', { udp: '127.0.0.1:47213', localaddr: '127.0.0.1:47212' });
    const b = await backend('b', { udp: '127.0.0.1:47212', localaddr: '127.0.0.1:47213' });
    const nicA = new FakeNic();
    const nicB = new FakeNic();
    const pa = a.connect(nicA);
    const pb = b.connect(nicB);
    pa.send(frame(70, 1));
    pb.send(frame(80, 2));
    await until(() => nicA.received.length === 1 && nicB.received.length === 1, 'datagrams');
    expect([nicB.received[0]!.length, nicA.received[0]!.length]).toEqual([70, 80]);
  });

  it('shares a UDP multicast segment among members, none hearing its own frames', async () => {
    const config = { mcast: '239.192.0.7:47444', localaddr: '127.0.0.1' };
    const members = [await backend('m0', config), await backend('m1', config), await backend('m2', config)];
    const nics = members.map(() => new FakeNic());
    const ports = members.map((m, i) => m.connect(nics[i]!));
    ports[0]!.send(frame(99, 1));
    ports[2]!.send(frame(77, 2));
    await until(
      () =>
        nics[1]!.received.length === 2 && nics[0]!.received.length === 1 && nics[2]!.received.length === 1,
      'frames',
    );
    await new Promise((r) => setTimeout(r, 50));
    expect(nics.map((n) => n.received.map((f) => f[0]).sort())).toEqual([[2], [1, 2], [1]]);
  });

  it('refuses a second NIC on one socket netdev', async () => {
    const s = await backend('s', { listen: '127.0.0.1:0' });
    s.connect(new FakeNic());
    expect(() => s.connect(new FakeNic())).toThrow(/hub/);
  });

  it('talks to a QEMU machine: QEMU user networking answers an ARP request sent over the socket', async () => {
    const port = 47000 + Math.floor(Math.random() * 900);
    const qemu = spawn(
      'qemu-system-i386',
      [
        '-M',
        'none',
        '-display',
        'none',
        '-monitor',
        'none',
        '-serial',
        'none',
        '-netdev',
        'user,id=u0',
        '-netdev',
        `socket,id=s0,listen=127.0.0.1:${port}`,
        '-netdev',
        'hubport,id=h0,hubid=0,netdev=u0',
        '-netdev',
        'hubport,id=h1,hubid=0,netdev=s0',
      ],
      { stdio: 'ignore' },
    );
    try {
      let b: SocketBackend | null = null;
      for (let i = 0; i < 100 && !b; i++) {
        try {
          b = await backend('q', { connect: `127.0.0.1:${port}` });
        } catch {
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      expect(b).not.toBeNull();
      const nic = new FakeNic();
      const p = b!.connect(nic);
      const mac = [0x52, 0x54, 0x00, 0x12, 0x34, 0x56];
      const arp = new Uint8Array(60);
      arp.set([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, ...mac, 0x08, 0x06], 0);
      arp.set([0, 1, 8, 0, 6, 4, 0, 1, ...mac, 10, 0, 2, 15, 0, 0, 0, 0, 0, 0, 10, 0, 2, 2], 14);
      p.send(arp);
      await until(
        () => nic.received.some((f) => f[12] === 0x08 && f[13] === 0x06 && f[21] === 2),
        'ARP reply',
        10000,
      );
      const reply = nic.received.find((f) => f[21] === 2)!;
      expect([...reply.subarray(28, 32)]).toEqual([10, 0, 2, 2]);
      expect([...reply.subarray(0, 6)]).toEqual(mac);
    } finally {
      qemu.kill();
    }
  });
});
