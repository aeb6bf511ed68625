import { afterEach, describe, expect, it } from 'vitest';
import { fold, put16, sum16 } from '../src/bytes.js';
import { Reassembler } from '../src/index.js';
import { parseIpv4 } from '../src/ipv4.js';
import {
  be16,
  DNS_IP,
  ethernet,
  GUEST_IP,
  GUEST_MAC,
  Guest,
  HOST_IP,
  ip,
  ipv4,
  parseOut,
  tcpFrame,
  udpFrame,
} from './guest.js';

let guest: Guest;
afterEach(() => guest?.close());

function arpRequest(senderIp: number, targetIp: number): Uint8Array {
  const b = new Uint8Array(28);
  b.set([0, 1, 8, 0, 6, 4, 0, 1], 0);
  b.set(GUEST_MAC, 8);
  b.set([senderIp >>> 24, (senderIp >>> 16) & 255, (senderIp >>> 8) & 255, senderIp & 255], 14);
  b.set([targetIp >>> 24, (targetIp >>> 16) & 255, (targetIp >>> 8) & 255, targetIp & 255], 24);
  return ethernet(0x0806, b, new Uint8Array(6).fill(0xff));
}

function echo(id: number, data: Uint8Array): Uint8Array {
  const b = new Uint8Array(8 + data.length);
  b[0] = 8;
  put16(b, 4, id);
  put16(b, 6, 1);
  b.set(data, 8);
  put16(b, 2, fold(sum16(b, 0, b.length)));
  return b;
}

describe('ARP', () => {
  it('answers for the gateway and the DNS address with the slirp MAC', () => {
    guest = new Guest();
    for (const target of [HOST_IP, DNS_IP]) {
      guest.send(arpRequest(GUEST_IP, target));
      const [reply] = guest.take();
      expect(reply).toBeDefined();
      expect([...reply!.subarray(0, 6)]).toEqual([...GUEST_MAC]);
      expect(be16(reply!, 20)).toBe(2);
      expect([...reply!.subarray(22, 28)]).toEqual([0x52, 0x55, 0x0a, 0x00, 0x02, 0x02]);
      expect([...reply!.subarray(28, 32)]).toEqual([10, 0, 2, target & 255]);
    }
  });

  it('never answers inside the NIC send: replies wait for the virtual-time flush', () => {
    guest = new Guest();
    guest.port.send(arpRequest(GUEST_IP, HOST_IP));
    expect(guest.received).toHaveLength(0);
    guest.clock.runDue();
    expect(guest.received).toHaveLength(1);
  });

  it('stays silent for the guest own address (duplicate address probes) and others', () => {
    guest = new Guest();
    guest.send(arpRequest(0, GUEST_IP));
    guest.send(arpRequest(GUEST_IP, ip('10.0.2.99')));
    guest.send(arpRequest(GUEST_IP, ip('192.168.1.1')));
    expect(guest.take()).toHaveLength(0);
  });
});

describe('ICMP echo', () => {
  it('the gateway and the DNS address answer pings themselves', () => {
    guest = new Guest();
    for (const dst of [HOST_IP, DNS_IP]) {
      const data = new Uint8Array(56).map((_, i) => i);
      guest.send(ethernet(0x0800, ipv4(1, GUEST_IP, dst, echo(0x1234, data))));
      const [reply] = guest.take();
      const p = parseOut(reply!);
      expect([p.src, p.dst, p.proto, p.l4[0]]).toEqual([dst, GUEST_IP, 1, 0]);
      expect(be16(p.l4, 4)).toBe(0x1234);
      expect(fold(sum16(p.l4, 0, p.l4.length))).toBe(0);
      expect([...p.l4.subarray(8)]).toEqual([...data]);
    }
  });

  it('drops pings to other hosts and pings with a bad checksum', () => {
    guest = new Guest();
    guest.send(ethernet(0x0800, ipv4(1, GUEST_IP, ip('8.8.8.8'), echo(1, new Uint8Array(8)))));
    const bad = echo(1, new Uint8Array(8));
    bad[9]! ^= 1;
    guest.send(ethernet(0x0800, ipv4(1, GUEST_IP, HOST_IP, bad)));
    expect(guest.take()).toHaveLength(0);
  });

  it('answers a ping that arrives in fragments, and a large one with fragments back', () => {
    guest = new Guest();
    const big = echo(
      7,
      new Uint8Array(3000).map((_, i) => i * 7),
    );
    const pieces = [big.subarray(0, 1480), big.subarray(1480, 2960), big.subarray(2960)];
    guest.send(ethernet(0x0800, ipv4(1, GUEST_IP, HOST_IP, pieces[2]!, { id: 9, frag: 2960 / 8 })));
    guest.send(ethernet(0x0800, ipv4(1, GUEST_IP, HOST_IP, pieces[0]!, { id: 9, frag: 0x2000 })));
    expect(guest.take()).toHaveLength(0);
    guest.send(
      ethernet(0x0800, ipv4(1, GUEST_IP, HOST_IP, pieces[1]!, { id: 9, frag: 0x2000 | (1480 / 8) })),
    );
    const out = guest.take();
    expect(out.length).toBe(3);
    const payload = new Uint8Array(3008);
    for (const f of out) {
      const h = f.subarray(14);
      const off = (be16(h, 6) & 0x1fff) * 8;
      payload.set(h.subarray(20, be16(h, 2)), off);
    }
    expect(payload[0]).toBe(0);
    expect([...payload.subarray(8)]).toEqual([...big.subarray(8)]);
  });
});

describe('malformed frames', () => {
  const templates = (): Uint8Array[] => [
    arpRequest(GUEST_IP, HOST_IP),
    ethernet(0x0800, ipv4(1, GUEST_IP, HOST_IP, echo(1, new Uint8Array(32)))),
    udpFrame(68, 0xffffffff, 67, new Uint8Array(300)),
    udpFrame(
      1000,
      DNS_IP,
      53,
      new Uint8Array([1, 2, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 3, 97, 98, 99, 0, 0, 1, 0, 1]),
    ),
    udpFrame(1000, HOST_IP, 69, new Uint8Array([0, 1, 97, 0, 111, 99, 116, 101, 116, 0])),
    tcpFrame(GUEST_IP, 1234, HOST_IP, 1, 100, 0, 0x02, 8192, new Uint8Array(0), 1460),
  ];

  it('truncated to every length 0..60 (and past the end): no exception, nothing answered wrongly', () => {
    guest = new Guest();
    for (const t of templates()) {
      for (let len = 0; len <= Math.max(60, t.length); len++) {
        expect(() => guest.send(t.slice(0, len))).not.toThrow();
      }
    }
    guest.take();
  });

  it('with every single byte flipped: no exception', () => {
    guest = new Guest({ restrict: true });
    for (const t of templates()) {
      for (let at = 0; at < t.length; at++) {
        const f = t.slice();
        f[at]! ^= 0xff;
        expect(() => guest.send(f)).not.toThrow();
      }
    }
  });

  it('IPv4 headers with a bad checksum, a bad IHL or a total length past the frame are dropped', () => {
    const good = ipv4(1, GUEST_IP, HOST_IP, echo(1, new Uint8Array(8)));
    expect(parseIpv4(good)).not.toBeNull();
    const badSum = good.slice();
    badSum[10]! ^= 1;
    const badIhl = good.slice();
    badIhl[0] = 0x44;
    const longIhl = good.slice();
    longIhl[0] = 0x4f;
    const longTotal = good.slice();
    put16(longTotal, 2, good.length + 1);
    for (const b of [badSum, badIhl, longIhl, longTotal]) expect(parseIpv4(b)).toBeNull();
    guest = new Guest();
    for (const b of [badSum, badIhl, longTotal]) guest.send(ethernet(0x0800, b));
    expect(guest.take()).toHaveLength(0);
    expect(guest.slirp.dropped).toBe(3);
  });
});

describe('fragment reassembly', () => {
  const frag = (id: number, offset: number, more: boolean, length: number) =>
    parseIpv4(
      ipv4(17, GUEST_IP, HOST_IP, new Uint8Array(length).fill(offset & 255), {
        id,
        frag: (more ? 0x2000 : 0) | (offset / 8),
      }),
    )!;

  it('drops a datagram whose fragments overlap, tolerates an exact repeat', () => {
    const r = new Reassembler();
    expect(r.add(frag(1, 0, true, 16), 0)).toBeNull();
    expect(r.add(frag(1, 0, true, 16), 0)).toBeNull();
    expect(r.add(frag(1, 8, true, 16), 0)).toBeNull();
    expect(r.inProgress).toBe(0);
    expect(r.add(frag(1, 16, false, 8), 0)).toBeNull();
    expect(r.dropped).toBe(1);
  });

  it('refuses fragments that would pass 65535 bytes and non-final pieces not a multiple of 8', () => {
    const r = new Reassembler();
    expect(r.add(frag(2, 65528, false, 16), 0)).toBeNull();
    expect(r.add(frag(3, 0, true, 12), 0)).toBeNull();
    expect(r.dropped).toBe(2);
    expect(r.bytesHeld).toBe(0);
  });

  it('reassembles out of order and rejects a second last fragment or data past the end', () => {
    const r = new Reassembler();
    expect(r.add(frag(4, 16, false, 4), 0)).toBeNull();
    const whole = r.add(frag(4, 0, true, 16), 0);
    expect(whole?.length).toBe(20);
    expect(r.add(frag(5, 8, false, 8), 0)).toBeNull();
    expect(r.add(frag(5, 16, true, 8), 0)).toBeNull();
    expect(r.inProgress).toBe(0);
  });

  it('bounds memory and datagram count, and forgets stale datagrams after the timeout', () => {
    const r = new Reassembler(4, 4096, 1e9);
    for (let id = 0; id < 100; id++) r.add(frag(id, 0, true, 1024), 0);
    expect(r.inProgress).toBeLessThanOrEqual(4);
    expect(r.bytesHeld).toBeLessThanOrEqual(4096);
    r.add(frag(1000, 0, true, 8), 2e9);
    expect(r.inProgress).toBe(1);
    expect(r.bytesHeld).toBe(8);
  });

  it('a guest flooding fragments keeps slirp memory bounded', () => {
    guest = new Guest();
    for (let id = 0; id < 2000; id++) {
      guest.send(ethernet(0x0800, ipv4(17, GUEST_IP, HOST_IP, new Uint8Array(1480), { id, frag: 0x2000 })));
    }
    expect(guest.slirp.reassembler.bytesHeld).toBeLessThanOrEqual(262144);
    expect(guest.slirp.reassembler.inProgress).toBeLessThanOrEqual(16);
  });
});

describe('the NIC side', () => {
  it('holds frames for a NIC that cannot receive, bounded by queueFrames, and releases them on receiveReady', () => {
    guest = new Guest({ limits: { queueFrames: 8 } as never });
    let room = 0;
    guest.canReceive = () => room > 0;
    for (let i = 0; i < 20; i++) guest.send(arpRequest(GUEST_IP, HOST_IP));
    expect(guest.received).toHaveLength(0);
    expect(guest.slirp.queueDropped).toBe(12);
    room = 100;
    guest.port.receiveReady();
    expect(guest.received).toHaveLength(8);
  });

  it('refuses a second NIC on one slirp', () => {
    guest = new Guest();
    expect(() => guest.slirp.connect({ receive() {}, canReceive: () => true })).toThrow(/hub/);
  });
});
