import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { be16, GUEST_IP, Guest, HOST_IP, ip, parseOut, udpFrame } from './guest.js';

let guest: Guest;
afterEach(() => guest?.close());

describe('a hostile guest', () => {
  it('a UDP datagram to port 0, at the gateway or outside, is dropped without an exception', () => {
    guest = new Guest();
    expect(() => guest.send(udpFrame(4000, HOST_IP, 0, new Uint8Array([1, 2, 3])))).not.toThrow();
    expect(() => guest.send(udpFrame(4001, ip('203.0.113.9'), 0, new Uint8Array([1])))).not.toThrow();
  });

  it('a TFTP read when the TFTP folder is missing answers "file not found"', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pb-tftp-gone-'));
    rmSync(dir, { recursive: true });
    guest = new Guest({}, dir);
    const rrq = new Uint8Array([0, 1, ...Buffer.from('pxelinux.0\0octet\0')]);
    expect(() => guest.send(udpFrame(2000, HOST_IP, 69, rrq))).not.toThrow();
    const p = parseOut(guest.take()[0]!);
    expect(p.dst).toBe(GUEST_IP);
    expect([be16(p.l4.subarray(8), 0), be16(p.l4.subarray(8), 2)]).toEqual([5, 1]);
  });
});
