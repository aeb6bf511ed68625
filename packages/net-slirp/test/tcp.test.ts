import net from 'node:net';
import { HostListeners } from '@plugboard/core';
import { afterEach, describe, expect, it } from 'vitest';
import { be16, be32, GUEST_IP, Guest, HOST_IP, ip, parseOut, tcpFrame, until } from './guest.js';

const SYN = 0x02;
const RST = 0x04;
const FIN = 0x01;
const ACK = 0x10;

let guest: Guest;
const servers: net.Server[] = [];
afterEach(() => {
  guest?.close();
  for (const s of servers.splice(0)) s.close();
});

interface Seg {
  seq: number;
  ack: number;
  flags: number;
  window: number;
  data: Uint8Array;
  mss: number;
  sport: number;
}

function segs(frames: Uint8Array[]): Seg[] {
  return frames
    .map(parseOut)
    .filter((p) => p.proto === 6)
    .map((p) => {
      const t = p.l4;
      const hl = (t[12]! >> 4) * 4;
      return {
        seq: be32(t, 4),
        ack: be32(t, 8),
        flags: t[13]! & 0x3f,
        window: be16(t, 14),
        data: t.slice(hl),
        mss: hl > 20 && t[20] === 2 ? be16(t, 22) : 0,
        sport: be16(t, 0),
      };
    });
}

interface Server {
  port: number;
  received: () => string;
  sockets: net.Socket[];
  ended: () => boolean;
}

async function server(onConn?: (s: net.Socket) => void): Promise<Server> {
  const chunks: Buffer[] = [];
  const sockets: net.Socket[] = [];
  let ended = false;
  const srv = net.createServer({ allowHalfOpen: true }, (s) => {
    sockets.push(s);
    s.on('data', (d) => chunks.push(d));
    s.on('end', () => {
      ended = true;
    });
    s.on('error', () => {});
    onConn?.(s);
  });
  servers.push(srv);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  return {
    port: (srv.address() as net.AddressInfo).port,
    received: () => Buffer.concat(chunks).toString(),
    sockets,
    ended: () => ended,
  };
}

/** The guest side of one connection, by hand. */
class Conn {
  seq = 1000;
  ack = 0;
  constructor(
    readonly port: number,
    readonly sport = 40000,
    readonly dst = HOST_IP,
  ) {}

  send(flags: number, data = new Uint8Array(0), window = 65535, seq = this.seq): void {
    guest.send(
      tcpFrame(
        GUEST_IP,
        this.sport,
        this.dst,
        this.port,
        seq,
        this.ack,
        flags,
        window,
        data,
        flags & SYN ? 1460 : 0,
      ),
    );
    if (seq === this.seq) this.seq = (this.seq + data.length + (flags & (SYN | FIN) ? 1 : 0)) >>> 0;
  }

  async open(): Promise<Seg> {
    this.send(SYN);
    await until(() => guest.received.length > 0, 'SYN-ACK');
    const [synAck] = segs(guest.take());
    this.ack = (synAck!.seq + 1) >>> 0;
    this.send(ACK);
    return synAck!;
  }

  async next(what: string, pred: (s: Seg) => boolean = () => true): Promise<Seg[]> {
    await until(() => segs(guest.received).some(pred), what);
    return segs(guest.take());
  }
}

const text = (s: string) => new TextEncoder().encode(s);
const str = (list: Seg[]) => list.map((s) => new TextDecoder().decode(s.data)).join('');

describe('TCP NAT', () => {
  it('handshakes with MSS, carries data both ways, and closes host-first through TIME_WAIT', async () => {
    const srv = await server((s) => s.write('world'));
    guest = new Guest();
    const c = new Conn(srv.port);
    const synAck = await c.open();
    expect([synAck.flags, synAck.ack, synAck.mss]).toEqual([SYN | ACK, 1001, 1460]);
    const got = await c.next('host data', (s) => s.data.length > 0);
    expect(str(got)).toBe('world');
    c.ack = (c.ack + 5) >>> 0;
    c.send(ACK | 0x08, text('hello'));
    await until(() => srv.received() === 'hello', 'the host to get hello');
    srv.sockets[0]!.end();
    const fin = await c.next('FIN', (s) => (s.flags & FIN) !== 0);
    c.ack = (fin.find((s) => s.flags & FIN)!.seq + 1) >>> 0;
    c.send(ACK);
    // Half-close: the guest may still send after the host's FIN.
    c.send(ACK, text(' again'));
    await until(() => srv.received() === 'hello again', 'data after the host FIN');
    c.send(FIN | ACK);
    await until(() => srv.ended(), 'the host to see EOF');
    const conn = [...guest.slirp.tcp.connections()][0]!;
    expect(conn.state).toBe('TIME_WAIT');
    guest.advance(11e9);
    expect(guest.slirp.tcp.size).toBe(0);
  });

  it('a new SYN on a connection in TIME_WAIT opens a fresh connection', async () => {
    const srv = await server((s) => s.end());
    guest = new Guest();
    const c = new Conn(srv.port);
    await c.open();
    const fin = await c.next('FIN', (s) => (s.flags & FIN) !== 0);
    c.ack = (fin.find((s) => s.flags & FIN)!.seq + 1) >>> 0;
    c.send(FIN | ACK);
    expect([...guest.slirp.tcp.connections()][0]!.state).toBe('TIME_WAIT');
    guest.take();
    c.seq = 900000;
    const synAck = await c.open();
    expect([synAck.flags, synAck.ack]).toEqual([SYN | ACK, 900001]);
    await until(() => srv.sockets.length === 2, 'the second host connection');
  });

  it('closes guest-first: the host keeps sending after the guest FIN until it ends too', async () => {
    const srv = await server();
    guest = new Guest();
    const c = new Conn(srv.port);
    await c.open();
    c.send(FIN | ACK);
    await until(() => srv.ended(), 'host EOF');
    guest.take();
    srv.sockets[0]!.write('late');
    const data = await c.next('late data', (s) => s.data.length > 0);
    expect(str(data)).toBe('late');
    c.ack = (c.ack + 4) >>> 0;
    c.send(ACK);
    srv.sockets[0]!.end();
    const fin = await c.next('FIN', (s) => (s.flags & FIN) !== 0);
    c.ack = (fin.find((s) => s.flags & FIN)!.seq + 1) >>> 0;
    expect([...guest.slirp.tcp.connections()][0]!.state).toBe('LAST_ACK');
    c.send(ACK);
    expect(guest.slirp.tcp.size).toBe(0);
  });

  it('answers a SYN to a closed host port with RST (ECONNREFUSED)', async () => {
    const srv = await server();
    const port = srv.port;
    await new Promise<void>((r) => servers.pop()!.close(() => r()));
    guest = new Guest();
    new Conn(port).send(SYN);
    const [rst] = await new Conn(port).next('RST');
    expect([rst!.flags, rst!.ack]).toEqual([RST | ACK, 1001]);
    expect(guest.slirp.tcp.size).toBe(0);
  });

  it("refuses a guest's connection to the emulator's own listeners (monitor, VNC) through the gateway", async () => {
    const monitor = await server();
    const listeners = new HostListeners();
    listeners.add(monitor.port, 'monitor');
    guest = new Guest({}, null, listeners);
    new Conn(monitor.port, 40010).send(SYN);
    expect(segs(guest.take())[0]!.flags).toBe(RST | ACK);
    expect(guest.slirp.tcp.size).toBe(0);
    expect(guest.slirp.deniedCount).toBe(1);
    // Any other host port is still reachable, and a listener that closed is no longer refused.
    const other = await server();
    new Conn(other.port, 40011).send(SYN);
    await until(() => other.sockets.length === 1, 'the connection to another host port');
    listeners.delete(monitor.port);
    new Conn(monitor.port, 40012).send(SYN);
    await until(
      () => monitor.sockets.length === 1,
      "the connection once the port is no longer the emulator's",
    );
    expect(guest.slirp.deniedCount).toBe(1);
  });

  it('refuses with RST: segments to no connection, restricted guests, and beyond maxConnections', async () => {
    guest = new Guest({ restrict: true });
    const c = new Conn(80, 40000, ip('192.0.2.1'));
    c.send(SYN);
    expect(segs(guest.take())[0]!.flags).toBe(RST | ACK);
    c.send(ACK, text('x'), 100, 5000);
    const [r] = segs(guest.take());
    expect([r!.flags, r!.seq]).toEqual([RST, c.ack]);
    guest.close();
    const srv = await server();
    guest = new Guest({ limits: { maxConnections: 2 } as never });
    for (let i = 0; i < 3; i++) new Conn(srv.port, 41000 + i).send(SYN);
    expect(segs(guest.take()).filter((s) => s.flags & RST)).toHaveLength(1);
    expect(guest.slirp.tcp.size).toBe(2);
  });

  it('acknowledges but drops segments outside the window, and ignores bad checksums', async () => {
    const srv = await server();
    guest = new Guest();
    const c = new Conn(srv.port);
    await c.open();
    c.send(ACK, text('far'), 65535, (c.seq + 200000) >>> 0);
    const [dup] = segs(guest.take());
    expect([dup!.flags, dup!.ack]).toEqual([ACK, c.seq]);
    const f = tcpFrame(GUEST_IP, c.sport, HOST_IP, c.port, c.seq, c.ack, ACK, 65535, text('bad'));
    f[f.length - 1]! ^= 1;
    guest.send(f);
    expect(guest.take()).toHaveLength(0);
    c.send(ACK, text('ok'));
    await until(() => srv.received() === 'ok', 'in-window data only');
  });

  it('retransmits unacknowledged data on virtual time and resets after its retries', async () => {
    const srv = await server((s) => s.write('x'.repeat(3000)));
    guest = new Guest();
    const c = new Conn(srv.port);
    await c.open();
    const first = await c.next('data', (s) => s.data.length > 0);
    expect(first.map((s) => s.data.length)).toEqual([1460, 1460, 80]);
    guest.advance(1.1e9);
    const again = segs(guest.take());
    expect(again[0]!.seq).toBe(first[0]!.seq);
    for (let i = 0; i < 12; i++) guest.advance(61e9);
    expect(segs(guest.take()).some((s) => s.flags & RST)).toBe(true);
    expect(guest.slirp.tcp.size).toBe(0);
  });

  it('holds segments back while the NIC cannot take them, so a full queue loses nothing', async () => {
    const srv = await server((s) => s.write(Buffer.alloc(65536, 0x63)));
    guest = new Guest({ limits: { queueFrames: 16 } as never });
    const c = new Conn(srv.port);
    c.send(SYN);
    await until(() => guest.received.length > 0, 'SYN-ACK');
    c.ack = (segs(guest.take())[0]!.seq + 1) >>> 0;
    guest.accepting = false;
    c.send(ACK);
    const conn = [...guest.slirp.tcp.connections()][0]!;
    await until(() => conn.bufferedFromHost === 65536, 'the host data');
    // The window (65535 bytes, 45 segments) is far more than the 16-frame queue holds.
    expect(guest.received).toHaveLength(0);
    guest.accepting = true;
    guest.port.receiveReady();
    const data = segs(guest.take()).filter((s) => s.data.length > 0);
    expect(guest.slirp.queueDropped).toBe(0);
    expect(data.reduce((n, s) => n + s.data.length, 0)).toBe(65535);
    for (let i = 1; i < data.length; i++)
      expect(data[i]!.seq).toBe(data[i - 1]!.seq + data[i - 1]!.data.length);
  });

  it('resends a lost segment on the third duplicate ACK, and the next hole on a partial ACK', async () => {
    const srv = await server((s) => s.write('y'.repeat(5 * 1460)));
    guest = new Guest();
    const c = new Conn(srv.port);
    await c.open();
    const first = (await c.next('data', (s) => s.data.length > 0)).filter((s) => s.data.length > 0);
    expect(first).toHaveLength(5);
    // Segments 1 and 3 (from 0) were lost: the guest acknowledges segment 0, then repeats it for each later arrival.
    c.ack = first[1]!.seq;
    for (let i = 0; i < 3; i++) c.send(ACK);
    expect(segs(guest.take()).filter((s) => s.data.length > 0)).toHaveLength(0);
    c.send(ACK);
    expect(segs(guest.take()).map((s) => s.seq)).toEqual([first[1]!.seq]);
    c.ack = first[3]!.seq;
    c.send(ACK);
    expect(segs(guest.take()).map((s) => s.seq)).toEqual([first[3]!.seq]);
    c.ack = (first[4]!.seq + 1460) >>> 0;
    c.send(ACK);
    guest.advance(0.5e9);
    expect(segs(guest.take()).filter((s) => s.data.length > 0)).toHaveLength(0);
  });

  it('a guest with a shut window pauses the host socket, buffering no more than the limit, and is probed', async () => {
    const big = Buffer.alloc(4 << 20, 0x61);
    let writerDone = false;
    const srv = await server((s) => s.write(big, () => (writerDone = true)));
    guest = new Guest({ limits: { tcpSendBuffer: 65536 } as never });
    const c = new Conn(srv.port);
    c.send(SYN, new Uint8Array(0), 0);
    await until(() => guest.received.length > 0, 'SYN-ACK');
    c.ack = (segs(guest.take())[0]!.seq + 1) >>> 0;
    c.send(ACK, new Uint8Array(0), 0);
    await new Promise((r) => setTimeout(r, 300));
    const conn = [...guest.slirp.tcp.connections()][0]!;
    expect(conn.bufferedFromHost).toBeLessThanOrEqual(65536);
    expect(writerDone).toBe(false);
    expect(segs(guest.take()).filter((s) => s.data.length > 0)).toHaveLength(0);
    guest.advance(1.1e9);
    const probe = segs(guest.take());
    expect(probe.map((s) => s.data.length)).toEqual([1]);
    expect(srv.sockets).toHaveLength(1);
  });

  it('a host that does not read shrinks the window offered to the guest to zero, losing nothing', async () => {
    const srv = await server((s) => s.pause());
    guest = new Guest({ limits: { tcpReceiveBuffer: 65536 } as never });
    const c = new Conn(srv.port);
    await c.open();
    let window = 65535;
    let sent = 0;
    const chunk = new Uint8Array(1460).fill(0x62);
    for (let i = 0; i < 20000 && window > 0; i++) {
      c.send(ACK, chunk.subarray(0, Math.min(1460, window)));
      sent += Math.min(1460, window);
      const acks = segs(guest.take());
      if (acks.length) window = acks[acks.length - 1]!.window - ((c.seq - acks[acks.length - 1]!.ack) | 0);
      if (i % 50 === 0) await new Promise((r) => setTimeout(r, 1));
    }
    expect(window).toBeLessThanOrEqual(0);
    const s = srv.sockets[0]!;
    let got = 0;
    s.on('data', (d: Buffer) => {
      got += d.length;
    });
    s.resume();
    await until(() => got === sent, `the host to get all ${sent} bytes`);
  });

  it('a guest RST closes the host socket; a host reset sends RST to the guest', async () => {
    let closed = 0;
    const srv = await server((s) => s.on('close', () => closed++));
    guest = new Guest();
    const c = new Conn(srv.port);
    await c.open();
    await until(() => srv.sockets.length === 1, 'accept');
    c.send(RST | ACK);
    await until(() => closed === 1, 'host close');
    expect(guest.slirp.tcp.size).toBe(0);
    const d = new Conn(srv.port, 40001);
    await d.open();
    await until(() => srv.sockets.length === 2, 'accept');
    srv.sockets[1]!.resetAndDestroy();
    const rst = await d.next('RST', (s) => (s.flags & RST) !== 0);
    expect(rst.some((s) => s.flags & RST)).toBe(true);
    expect(guest.slirp.tcp.size).toBe(0);
  });
});

describe('TCP against a hostile guest', () => {
  it('random segments on an open connection never throw and never grow buffers past their limits', async () => {
    const srv = await server((s) => s.write(Buffer.alloc(1 << 20, 0x63)));
    guest = new Guest({ limits: { tcpSendBuffer: 65536 } as never });
    let seed = 99;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let round = 0; round < 4; round++) {
      const c = new Conn(srv.port, 42000 + round);
      await c.open();
      for (let i = 0; i < 1500; i++) {
        const flags = [0x10, 0x18, 0x11, 0x04, 0x02, 0x12, 0x01, 0x3f, 0][rand(9)]!;
        const seq = (c.seq + rand(200000) - 100000) >>> 0;
        c.ack = (c.ack + rand(4000) - 2000) >>> 0;
        const data = new Uint8Array(rand(3) === 0 ? rand(1500) : 0);
        expect(() => c.send(flags, data, rand(65536), seq)).not.toThrow();
        if (i % 100 === 0) guest.advance(rand(3e9));
        if (i % 300 === 0) await new Promise((r) => setTimeout(r, 1));
        for (const conn of guest.slirp.tcp.connections())
          expect(conn.bufferedFromHost).toBeLessThanOrEqual(65536);
      }
      guest.take();
    }
    for (let i = 0; i < 20; i++) guest.advance(61e9);
    expect(guest.slirp.tcp.size).toBeLessThanOrEqual(4);
  });
});
