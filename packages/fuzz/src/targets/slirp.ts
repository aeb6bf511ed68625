import { Clock, type NetworkPort } from '@plugboard/core';
import { Slirp, withDefaults } from '@plugboard/net-slirp';
import { Program } from '../ops.js';
import type { FuzzTarget } from '../target.js';

const GUEST_MAC = [0x52, 0x54, 0x00, 0x12, 0x34, 0x56];
const SLIRP_MAC = [0x52, 0x55, 0x0a, 0x00, 0x02, 0x02];
const GUEST = [10, 0, 2, 15];
const HOST = [10, 0, 2, 2];
const DNS = [10, 0, 2, 3];

function sum(b: number[], acc = 0): number {
  for (let i = 0; i < b.length; i += 2) acc += (b[i]! << 8) | (b[i + 1] ?? 0);
  while (acc > 0xffff) acc = (acc & 0xffff) + (acc >>> 16);
  return acc;
}
const be16 = (v: number) => [(v >> 8) & 0xff, v & 0xff];

function ipv4(proto: number, dst: number[], payload: number[], frag = 0): number[] {
  const h = [0x45, 0, ...be16(20 + payload.length), 0, 1, ...be16(frag), 64, proto, 0, 0, ...GUEST, ...dst];
  const c = ~sum(h) & 0xffff;
  h[10] = c >> 8;
  h[11] = c & 0xff;
  return [...h, ...payload];
}

function l4(proto: number, dst: number[], segment: number[], checksumAt: number): number[] {
  const pseudo = [...GUEST, ...dst, 0, proto, ...be16(segment.length)];
  const c = ~sum(segment, sum(pseudo)) & 0xffff;
  segment[checksumAt] = c >> 8;
  segment[checksumAt + 1] = c & 0xff;
  return segment;
}

const udp = (dst: number[], sport: number, dport: number, data: number[]) =>
  ipv4(17, dst, l4(17, dst, [...be16(sport), ...be16(dport), ...be16(8 + data.length), 0, 0, ...data], 6));
const tcp = (dst: number[], dport: number, flags: number) =>
  ipv4(
    6,
    dst,
    l4(
      6,
      dst,
      [...be16(40000), ...be16(dport), 0, 0, 0, 1, 0, 0, 0, 0, 0x50, flags, 0xff, 0xff, 0, 0, 0, 0],
      16,
    ),
  );
const ether = (type: number, body: number[], dst = SLIRP_MAC) => [
  ...dst,
  ...GUEST_MAC,
  ...be16(type),
  ...body,
];
const text = (s: string) => [...Buffer.from(s, 'latin1')];

/** An input is frames, each a 16-bit length and its bytes; between frames virtual time moves on. */
function frames(...list: number[][]): Uint8Array {
  const out: number[] = [];
  for (const f of list) out.push(f.length & 0xff, f.length >> 8, ...f);
  return Uint8Array.from(out);
}

let guest: { slirp: Slirp; port: NetworkPort; clock: Clock } | null = null;

function build() {
  const clock = new Clock({ mode: 'instructions' });
  // Restricted, with DNS forwarded to the loopback discard port: the fuzzer sends nothing off this machine.
  const config = withDefaults({
    restrict: true,
    resolver: '127.0.0.1:9',
    limits: { maxConnections: 64 } as never,
  });
  const slirp = new Slirp('fuzz', { config, clock, tftpRoot: null });
  const port = slirp.connect({ receive() {}, canReceive: () => true });
  return { slirp, port, clock };
}

export const target: FuzzTarget = {
  name: 'slirp',
  seeds() {
    const dhcpDiscover = [
      1,
      1,
      6,
      0,
      0,
      0,
      0x12,
      0x34,
      ...new Array(20).fill(0),
      ...GUEST_MAC,
      ...new Array(202).fill(0),
      0x63,
      0x82,
      0x53,
      0x63,
      53,
      1,
      1,
      255,
    ];
    const arp = ether(
      0x0806,
      [0, 1, 8, 0, 6, 4, 0, 1, ...GUEST_MAC, ...GUEST, 0, 0, 0, 0, 0, 0, ...HOST],
      [255, 255, 255, 255, 255, 255],
    );
    const dns = [
      0x12,
      0x34,
      1,
      0,
      0,
      1,
      0,
      0,
      0,
      0,
      0,
      0,
      4,
      ...text('host'),
      8,
      ...text('internal'),
      0,
      0,
      1,
      0,
      1,
    ];
    const tftp = [
      0,
      1,
      ...text('pxelinux.0'),
      0,
      ...text('octet'),
      0,
      ...text('blksize'),
      0,
      ...text('1432'),
      0,
    ];
    const ping = ipv4(1, HOST, [8, 0, 0xf7, 0xfe, 0, 1, 0, 0]);
    return [
      frames(arp, ether(0x0800, udp([255, 255, 255, 255], 68, 67, dhcpDiscover))),
      frames(ether(0x0800, udp(DNS, 5353, 53, dns)), ether(0x0800, udp(HOST, 2000, 69, tftp))),
      frames(
        ether(0x0800, tcp(HOST, 22, 0x02)),
        ether(0x0800, tcp([192, 0, 2, 1], 80, 0x12)),
        ether(0x0800, ping),
      ),
      frames(
        ether(0x0800, ipv4(17, HOST, new Array(64).fill(7), 0x2000)),
        ether(0x0800, ipv4(17, HOST, new Array(64).fill(7), 8)),
      ),
      frames(ether(0x0800, udp(HOST, 4000, 0, [1, 2, 3]))),
    ];
  },
  run(input) {
    guest ??= build();
    const p = new Program(input);
    for (let n = 0; n < 64 && !p.done; n++) {
      guest.port.send(p.take(Math.min(p.u16(), 9000)));
      guest.clock.advanceTo(guest.clock.now + 1e6);
      guest.clock.runDue();
    }
  },
};
