import dgram from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { parseQuestion, resolverFromResolvConf } from '../src/index.js';
import { be16, be32, DNS_IP, Guest, HOST_IP, parseOut, udpFrame, until } from './guest.js';

let guest: Guest;
const sockets: dgram.Socket[] = [];
afterEach(() => {
  guest?.close();
  for (const s of sockets.splice(0)) s.close();
});

function query(id: number, name: string, type = 1): Uint8Array {
  const labels = name.split('.').flatMap((l) => [l.length, ...Buffer.from(l)]);
  const b = new Uint8Array(12 + labels.length + 5);
  b.set([id >> 8, id & 255, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0], 0);
  b.set(labels, 12);
  b.set([0, type >> 8, type & 255, 0, 1], 12 + labels.length);
  return b;
}

async function udpServer(
  onMessage: (s: dgram.Socket, msg: Buffer, rinfo: dgram.RemoteInfo) => void,
): Promise<number> {
  const s = dgram.createSocket('udp4');
  sockets.push(s);
  s.on('message', (m, r) => onMessage(s, m, r));
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  return s.address().port;
}

describe('DNS', () => {
  it('answers host.internal with the gateway itself', () => {
    guest = new Guest();
    guest.send(udpFrame(5353, DNS_IP, 53, query(0xbeef, 'Host.Internal')));
    const p = parseOut(guest.take()[0]!);
    const d = p.l4.subarray(8);
    expect([p.src, be16(p.l4, 0)]).toEqual([DNS_IP, 53]);
    expect([be16(d, 0), d[3]! & 15, be16(d, 6)]).toEqual([0xbeef, 0, 1]);
    expect(be32(d, d.length - 4)).toBe(HOST_IP);
    guest.send(udpFrame(5353, DNS_IP, 53, query(2, 'host.internal', 28)));
    const aaaa = parseOut(guest.take()[0]!).l4.subarray(8);
    expect([aaaa[3]! & 15, be16(aaaa, 6)]).toEqual([0, 0]);
  });

  it('forwards other names to the configured resolver and relays its reply unchanged', async () => {
    const seen: number[] = [];
    const port = await udpServer((s, msg, r) => {
      seen.push(msg.readUInt16BE(0));
      const reply = Buffer.from(msg);
      reply[2] = 0x81;
      reply[3] = 0x80;
      s.send(reply, r.port, r.address);
    });
    guest = new Guest({ resolver: `127.0.0.1:${port}` });
    guest.send(udpFrame(40000, DNS_IP, 53, query(0x4242, 'example.org')));
    await until(() => guest.received.length > 0, 'the relayed reply');
    const p = parseOut(guest.take()[0]!);
    expect(seen).toEqual([0x4242]);
    expect([p.src, be16(p.l4, 0), be16(p.l4, 2), be16(p.l4, 8)]).toEqual([DNS_IP, 53, 40000, 0x4242]);
    expect(guest.slirp.dns.inFlight).toBe(0);
  });

  it('gives up on a silent resolver after dnsTimeout, without answering', async () => {
    const port = await udpServer(() => {});
    guest = new Guest({ resolver: `127.0.0.1:${port}`, dnsTimeout: 50 });
    guest.send(udpFrame(40000, DNS_IP, 53, query(1, 'example.org')));
    expect(guest.slirp.dns.inFlight).toBe(1);
    await until(() => guest.slirp.dns.inFlight === 0, 'the timeout');
    expect(guest.received).toHaveLength(0);
  });

  it('refuses forwarding when restricted; answers FORMERR to a malformed query', () => {
    guest = new Guest({ restrict: true, resolver: '127.0.0.1:9' });
    guest.send(udpFrame(40000, DNS_IP, 53, query(7, 'example.org')));
    expect(parseOut(guest.take()[0]!).l4[8 + 3]! & 15).toBe(5);
    const bad = query(8, 'example.org');
    bad[12] = 60;
    guest.send(udpFrame(40000, DNS_IP, 53, bad));
    expect(parseOut(guest.take()[0]!).l4[8 + 3]! & 15).toBe(1);
    expect(parseQuestion(bad)).toBeNull();
  });

  it('reads the first IPv4 nameserver of resolv.conf', () => {
    expect(
      resolverFromResolvConf('# x\nsearch a\nnameserver ::1\nnameserver 10.1.2.3\nnameserver 9.9.9.9\n'),
    ).toBe('10.1.2.3');
    expect(resolverFromResolvConf('')).toBeNull();
  });
});

describe('UDP NAT', () => {
  it('sends to 127.0.0.1 when the guest names 10.0.2.2; replies come from 10.0.2.2', async () => {
    const port = await udpServer((s, msg, r) =>
      s.send(Buffer.concat([Buffer.from('re:'), msg]), r.port, r.address),
    );
    guest = new Guest();
    guest.send(udpFrame(5000, HOST_IP, port, new TextEncoder().encode('hello')));
    await until(() => guest.received.length > 0, 'the echo');
    const p = parseOut(guest.take()[0]!);
    expect([p.src, be16(p.l4, 0), be16(p.l4, 2)]).toEqual([HOST_IP, port, 5000]);
    expect(new TextDecoder().decode(p.l4.subarray(8))).toBe('re:hello');
    expect(guest.slirp.udp.size).toBe(1);
  });

  it('caps host sockets at maxUdpSockets and sends nothing when restricted', async () => {
    guest = new Guest({ limits: { maxUdpSockets: 3 } as never });
    for (let p = 0; p < 10; p++) guest.send(udpFrame(6000 + p, HOST_IP, 9, new Uint8Array(4)));
    expect(guest.slirp.udp.size).toBe(3);
    guest.close();
    guest = new Guest({ restrict: true });
    guest.send(udpFrame(6000, HOST_IP, 9, new Uint8Array(4)));
    expect(guest.slirp.udp.size).toBe(0);
  });
});
