import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDeviceContext, createMachineParts, type NetworkBackend, Tokens } from '@plugboard/core';
import { describe, expect, it } from 'vitest';
import { dumpPlugin, Hub, hubPlugin } from '../src/index.js';
import { FakeNic } from './helpers.js';

const system = { requestReset() {}, requestShutdown() {} };

function udpFrame(payload: number): Uint8Array {
  const f = new Uint8Array(60);
  f.set([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x52, 0x54, 0, 0, 0, 1, 0x08, 0x00], 0);
  f.set([0x45, 0, 0, 29, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2], 14);
  f.set([0x30, 0x39, 0x30, 0x39, 0, 9, 0, 0, payload], 34);
  return f;
}

describe('dump netdev', () => {
  it('records both directions stamped with virtual time to the nanosecond, in a pcap tshark reads', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pb-dump-'));
    const parts = createMachineParts({ memoryBytes: 1 << 20 });
    const segment = new Hub('seg');
    parts.container.bind(Tokens.NetworkBackend).toConstantValue(segment).whenNamed('seg');
    const ctx = createDeviceContext(parts, system, { id: 'cap', baseDir: dir });
    const dump = await dumpPlugin.create(ctx, { file: 'out.pcap', backend: 'seg', snaplen: 65535 });
    await dump.realize?.();
    parts.container.bind(Tokens.NetworkBackend).toConstantValue(dump).whenNamed('cap');

    const nic = new FakeNic();
    const port = (dump as NetworkBackend).connect(nic);
    const other = new FakeNic();
    const otherPort = segment.connect(other);
    parts.clock.advanceTo(1_500_000_000);
    port.send(udpFrame(1));
    parts.clock.advanceTo(2_000_250_007);
    otherPort.send(udpFrame(2));
    await dump.destroy?.();
    expect(other.received).toHaveLength(1);
    expect(nic.received).toHaveLength(1);

    const pcap = readFileSync(join(dir, 'out.pcap'));
    expect(pcap.readUInt32LE(0)).toBe(0xa1b23c4d);
    expect(pcap.readUInt32LE(20)).toBe(1);
    expect([pcap.readUInt32LE(24), pcap.readUInt32LE(28), pcap.readUInt32LE(32)]).toEqual([
      1, 500_000_000, 60,
    ]);
    expect([pcap.readUInt32LE(24 + 16 + 60), pcap.readUInt32LE(28 + 16 + 60)]).toEqual([2, 250_007]);
    const text = execFileSync(
      'tshark',
      ['-r', join(dir, 'out.pcap'), '-T', 'fields', '-e', 'frame.time_epoch', '-e', 'udp.port'],
      {
        encoding: 'utf8',
      },
    );
    expect(text.trim().split('\n')).toEqual(['1.500000000\t12345,12345', '2.000250007\t12345,12345']);
  });

  it('a hub resolves its member netdevs by id at realize', async () => {
    const parts = createMachineParts({ memoryBytes: 1 << 20 });
    const far = new Hub('far');
    const farNic = new FakeNic();
    far.connect(farNic);
    parts.container.bind(Tokens.NetworkBackend).toConstantValue(far).whenNamed('far');
    const hub = await hubPlugin.create(createDeviceContext(parts, system, { id: 'hub0' }), {
      members: ['far'],
      queueFrames: 4,
      queueBytes: 1 << 16,
    });
    await hub.realize?.();
    hub.connect(new FakeNic()).send(udpFrame(3));
    expect(farNic.received).toHaveLength(1);
  });
});
