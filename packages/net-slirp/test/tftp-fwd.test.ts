import dgram from 'node:dgram';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseTftpRequest, resolveInside } from '../src/index.js';
import { be16, be32, GUEST_IP, Guest, HOST_IP, parseOut, tcpFrame, udpFrame, until } from './guest.js';

let guest: Guest;
afterEach(() => guest?.close());

function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pb-tftp-'));
  mkdirSync(join(dir, 'boot'));
  writeFileSync(
    join(dir, 'boot', 'pxelinux.0'),
    Buffer.alloc(3000).map((_, i) => i & 255),
  );
  writeFileSync(join(dir, 'small.txt'), 'tiny');
  writeFileSync(join(dir, '..', `secret-${process.pid}`), 'no');
  symlinkSync('/etc/passwd', join(dir, 'escape'));
  return dir;
}

function rrq(name: string, ...opts: string[]): Uint8Array {
  return new Uint8Array([0, 1, ...Buffer.from([name, 'octet', ...opts].join('\0')), 0]);
}

function ack(block: number): Uint8Array {
  return new Uint8Array([0, 4, block >> 8, block & 255]);
}

const reply = (g: Guest) => {
  const p = parseOut(g.take()[0]!);
  return { sport: be16(p.l4, 0), body: p.l4.subarray(8) };
};

describe('TFTP', () => {
  it('serves a file with blksize and tsize, block by block, acknowledging the OACK first', () => {
    guest = new Guest({}, folder());
    guest.send(udpFrame(2000, HOST_IP, 69, rrq('/boot/pxelinux.0', 'tsize', '0', 'blksize', '1432')));
    const oack = reply(guest);
    expect(be16(oack.body, 0)).toBe(6);
    expect(Buffer.from(oack.body.subarray(2)).toString().split('\0')).toEqual([
      'blksize',
      '1432',
      'tsize',
      '3000',
      '',
    ]);
    const tid = oack.sport;
    const data: number[] = [];
    for (let block = 0; block < 3; block++) {
      guest.send(udpFrame(2000, HOST_IP, tid, ack(block)));
      const d = reply(guest);
      expect([be16(d.body, 0), be16(d.body, 2)]).toEqual([3, block + 1]);
      data.push(...d.body.subarray(4));
    }
    expect(data.length).toBe(3000);
    expect(data[2999]).toBe(2999 & 255);
    guest.send(udpFrame(2000, HOST_IP, tid, ack(3)));
    expect(guest.slirp.tftp.active).toBe(0);
  });

  it('retransmits on virtual time, ignores duplicate ACKs, and gives up after its retries', () => {
    guest = new Guest({}, folder());
    guest.send(udpFrame(2001, HOST_IP, 69, rrq('small.txt')));
    const first = reply(guest);
    expect(Buffer.from(first.body.subarray(4)).toString()).toBe('tiny');
    guest.send(udpFrame(2001, HOST_IP, first.sport, ack(0)));
    expect(guest.take()).toHaveLength(0);
    guest.advance(1.1e9);
    expect(be16(reply(guest).body, 2)).toBe(1);
    for (let i = 0; i < 6; i++) guest.advance(1.1e9);
    expect(guest.slirp.tftp.active).toBe(0);
  });

  it('refuses path traversal, symlinks out, writes, missing files and malformed requests', () => {
    const dir = folder();
    guest = new Guest({}, dir);
    const code = (name: Uint8Array) => {
      guest.send(udpFrame(2002, HOST_IP, 69, name));
      const r = reply(guest);
      expect(be16(r.body, 0)).toBe(5);
      return be16(r.body, 2);
    };
    expect(code(rrq(`../secret-${process.pid}`))).toBe(1);
    expect(code(rrq(`boot/../../secret-${process.pid}`))).toBe(1);
    expect(code(rrq('escape'))).toBe(1);
    expect(code(rrq('boot'))).toBe(1);
    expect(code(rrq('nothing'))).toBe(1);
    expect(code(new Uint8Array([0, 2, ...Buffer.from('small.txt\0octet\0')]))).toBe(2);
    expect(code(new Uint8Array([0, 1, 65, 66]))).toBe(4);
    expect(code(rrq('small.txt', 'blksize', '3'))).toBe(8);
    expect(resolveInside(dir, '/small.txt')).toBe(join(dir, 'small.txt'));
    expect(resolveInside(dir, '..\\..\\etc\\passwd')).toBeNull();
    expect(parseTftpRequest(new Uint8Array([0, 1, 0, 0]))).toBeNull();
  });
});

describe('host forwarding', () => {
  it('a connection to the forwarded host port reaches the guest port and carries data both ways', async () => {
    guest = new Guest({ hostfwd: ['tcp:127.0.0.1:0-:22'] });
    await guest.slirp.open();
    const [hostPort] = guest.slirp.forwarder.boundPorts();
    const client = net.connect(hostPort!, '127.0.0.1');
    let got = '';
    client.on('data', (d) => {
      got += d.toString();
    });
    client.write('ping');
    await until(() => guest.received.length > 0, 'the SYN to the guest');
    const syn = parseOut(guest.take()[0]!);
    expect([syn.src, syn.dst, be16(syn.l4, 2), syn.l4[13]]).toEqual([HOST_IP, GUEST_IP, 22, 0x02]);
    const sport = be16(syn.l4, 0);
    const iss = be32(syn.l4, 4);
    guest.send(tcpFrame(GUEST_IP, 22, HOST_IP, sport, 5000, iss + 1, 0x12, 65535, new Uint8Array(0), 1460));
    await until(() => guest.received.some((f) => parseOut(f).l4.length > 20), 'forwarded data');
    const data = guest
      .take()
      .map(parseOut)
      .find((p) => p.l4.length > 20)!;
    expect(Buffer.from(data.l4.subarray(20)).toString()).toBe('ping');
    guest.send(
      tcpFrame(GUEST_IP, 22, HOST_IP, sport, 5001, iss + 5, 0x18, 65535, new TextEncoder().encode('pong')),
    );
    await until(() => got === 'pong', 'the reply at the host');
    client.destroy();
  });

  it('a forwarded UDP port relays datagrams to the guest and its replies back', async () => {
    guest = new Guest({ hostfwd: ['udp:127.0.0.1:0-10.0.2.15:5353'] });
    await guest.slirp.open();
    const [hostPort] = guest.slirp.forwarder.boundPorts();
    const peer = dgram.createSocket('udp4');
    let answer = '';
    peer.on('message', (m) => {
      answer = m.toString();
    });
    peer.send('question', hostPort!, '127.0.0.1');
    await until(() => guest.received.length > 0, 'the datagram at the guest');
    const p = parseOut(guest.take()[0]!);
    expect([p.src, be16(p.l4, 2), Buffer.from(p.l4.subarray(8)).toString()]).toEqual([
      HOST_IP,
      5353,
      'question',
    ]);
    guest.send(udpFrame(5353, HOST_IP, be16(p.l4, 0), new TextEncoder().encode('answer')));
    await until(() => answer === 'answer', 'the reply at the host peer');
    peer.close();
  });

  it('names the rule that cannot listen', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as net.AddressInfo).port;
    guest = new Guest({ hostfwd: [`tcp::${port}-:22`] });
    await expect(guest.slirp.open()).rejects.toThrow(`hostfwd tcp 127.0.0.1:${port}: cannot listen`);
    blocker.close();
  });
});
