import { afterEach, describe, expect, it } from 'vitest';
import { put16, put32 } from '../src/bytes.js';
import { parseDhcp } from '../src/index.js';
import { be32, GUEST_MAC, Guest, HOST_IP, ip, parseOut, udpFrame } from './guest.js';

let guest: Guest;
afterEach(() => guest?.close());

function dhcp(type: number, options: number[] = [], xid = 0x11223344, flags = 0): Uint8Array {
  const b = new Uint8Array(240 + 3 + options.length + 1);
  b[0] = 1;
  b[1] = 1;
  b[2] = 6;
  put32(b, 4, xid);
  put16(b, 10, flags);
  b.set(GUEST_MAC, 28);
  put32(b, 236, 0x63825363);
  b.set([53, 1, type, ...options, 255], 240);
  return b;
}

interface Reply {
  op: number;
  xid: number;
  yiaddr: number;
  siaddr: number;
  file: string;
  dstIp: number;
  options: Map<number, Uint8Array>;
}

function readReply(f: Uint8Array): Reply {
  const p = parseOut(f);
  const b = p.l4.subarray(8);
  const options = new Map<number, Uint8Array>();
  for (let at = 240; at < b.length && b[at] !== 255; ) {
    if (b[at] === 0) {
      at++;
      continue;
    }
    options.set(b[at]!, b.subarray(at + 2, at + 2 + b[at + 1]!));
    at += 2 + b[at + 1]!;
  }
  const end = b.indexOf(0, 108);
  return {
    op: b[0]!,
    xid: be32(b, 4),
    yiaddr: be32(b, 16),
    siaddr: be32(b, 20),
    file: new TextDecoder().decode(b.subarray(108, end)),
    dstIp: p.dst,
    options,
  };
}

const requested = (addr: number) => [50, 4, addr >>> 24, (addr >>> 16) & 255, (addr >>> 8) & 255, addr & 255];
const serverId = [54, 4, 10, 0, 2, 2];

describe('DHCP server', () => {
  it('offers and acknowledges 10.0.2.15 with router, DNS, mask, lease, hostname, domain and PXE fields', () => {
    guest = new Guest({ hostname: 'darwin', domain: 'example.test', bootfile: 'pxelinux.0' });
    guest.send(udpFrame(68, 0xffffffff, 67, dhcp(1), 0));
    const offer = readReply(guest.take()[0]!);
    expect([offer.op, offer.xid, offer.yiaddr, offer.siaddr]).toEqual([
      2,
      0x11223344,
      ip('10.0.2.15'),
      HOST_IP,
    ]);
    expect(offer.options.get(53)).toEqual(new Uint8Array([2]));
    expect(offer.file).toBe('pxelinux.0');
    guest.send(udpFrame(68, 0xffffffff, 67, dhcp(3, [...requested(ip('10.0.2.15')), ...serverId]), 0));
    const ack = readReply(guest.take()[0]!);
    expect(ack.options.get(53)).toEqual(new Uint8Array([5]));
    expect([...ack.options.get(1)!]).toEqual([255, 255, 255, 0]);
    expect([...ack.options.get(3)!]).toEqual([10, 0, 2, 2]);
    expect([...ack.options.get(6)!]).toEqual([10, 0, 2, 3]);
    expect([...ack.options.get(54)!]).toEqual([10, 0, 2, 2]);
    expect(be32(ack.options.get(51)!, 0)).toBe(86400);
    expect(new TextDecoder().decode(ack.options.get(12))).toBe('darwin');
    expect(new TextDecoder().decode(ack.options.get(15))).toBe('example.test');
    expect(new TextDecoder().decode(ack.options.get(66))).toBe('10.0.2.2');
    expect(new TextDecoder().decode(ack.options.get(67))).toBe('pxelinux.0');
    expect(ack.dstIp).toBe(ip('10.0.2.15'));
  });

  it('NAKs a request for an address it cannot give, broadcast', () => {
    guest = new Guest();
    guest.send(udpFrame(68, 0xffffffff, 67, dhcp(3, requested(ip('10.0.2.200'))), 0));
    const nak = readReply(guest.take()[0]!);
    expect(nak.options.get(53)).toEqual(new Uint8Array([6]));
    expect(nak.dstIp).toBe(0xffffffff);
    expect(nak.yiaddr).toBe(0);
  });

  it('a RELEASE frees the lease for another client; INFORM gets options without an address', () => {
    guest = new Guest();
    guest.send(udpFrame(68, 0xffffffff, 67, dhcp(3, requested(ip('10.0.2.15'))), 0));
    expect(readReply(guest.take()[0]!).options.get(53)![0]).toBe(5);
    guest.send(udpFrame(68, HOST_IP, 67, dhcp(7, serverId)));
    const other = dhcp(1);
    other[33] = 0x99;
    guest.send(udpFrame(68, 0xffffffff, 67, other, 0));
    expect(readReply(guest.take()[0]!).yiaddr).toBe(ip('10.0.2.15'));
    guest.send(udpFrame(68, HOST_IP, 67, dhcp(8)));
    const inform = readReply(guest.take()[0]!);
    expect(inform.yiaddr).toBe(0);
    expect(inform.options.has(51)).toBe(false);
    expect(inform.options.has(3)).toBe(true);
  });

  it('hands out 16 addresses, then stays silent', () => {
    guest = new Guest();
    const given = new Set<number>();
    for (let i = 0; i < 20; i++) {
      const req = dhcp(3, requested(ip(`10.0.2.${15 + i}`)));
      req[33] = i;
      guest.send(udpFrame(68, 0xffffffff, 67, req, 0));
      const r = readReply(guest.take()[0]!);
      if (r.options.get(53)![0] === 5) given.add(r.yiaddr);
    }
    expect(given.size).toBe(16);
  });

  it('ignores options with the wrong length and rejects options running off the end', () => {
    const wrongType = dhcp(1);
    wrongType.set([53, 2, 1, 1], 240);
    expect(parseDhcp(wrongType)).toBeNull();
    const shortIp = dhcp(3, [50, 3, 10, 0, 2]);
    expect(parseDhcp(shortIp)?.requestedIp).toBeNull();
    const overrun = dhcp(1, [12, 200, 65]);
    expect(parseDhcp(overrun.subarray(0, overrun.length - 1))).toBeNull();
    expect(parseDhcp(new Uint8Array(239))).toBeNull();
    const noCookie = dhcp(1);
    noCookie[236] = 0;
    expect(parseDhcp(noCookie)).toBeNull();
  });

  it('random bytes after the cookie never throw', () => {
    guest = new Guest();
    let seed = 12345;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed & 255;
    };
    for (let i = 0; i < 500; i++) {
      const b = dhcp(1);
      const junk = new Uint8Array(rand() + 1).map(rand);
      const f = new Uint8Array(240 + junk.length);
      f.set(b.subarray(0, 240));
      f.set(junk, 240);
      expect(() => guest.send(udpFrame(68, 0xffffffff, 67, f, 0))).not.toThrow();
    }
  });
});
