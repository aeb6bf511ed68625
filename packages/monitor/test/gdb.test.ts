import type { Machine } from '@plugboard/core';
import { describe, expect, it } from 'vitest';
import { checksum, framePacket, PacketReader } from '../src/gdb/packets.js';
import { parseGdbSpec } from '../src/gdb/server.js';
import { GdbStub } from '../src/gdb/stub.js';
import { bareGdbGuest } from './machine.js';

const BUMP = 0xf0045;

describe('GDB packet framing', () => {
  it('reads packets split anywhere, refuses a bad checksum, and takes Ctrl-C between packets', () => {
    const seen: string[] = [];
    const reader = new PacketReader({
      packet: (d) => seen.push(`packet ${d}`),
      interrupt: () => seen.push('interrupt'),
      corrupt: () => seen.push('corrupt'),
    });
    const text = `+${framePacket('qSupported:swbreak+')}\x03$g#00${framePacket('m500,4')}`;
    for (const ch of text) reader.feed(ch);
    expect(seen).toEqual(['packet qSupported:swbreak+', 'interrupt', 'corrupt', 'packet m500,4']);
    expect(framePacket('OK')).toBe(`$OK#${checksum('OK').toString(16)}`);
    expect(framePacket('OK')).toBe('$OK#9a');
  });

  it('drops a packet that never ends rather than growing without bound', () => {
    const reader = new PacketReader({ packet: () => {}, interrupt: () => {}, corrupt: () => {} });
    reader.feed('$');
    for (let i = 0; i < 100; i++) reader.feed('a'.repeat(10_000));
    expect((reader as unknown as { buffer: string }).buffer.length).toBeLessThan(100_000);
  });
});

describe('-gdb specs', () => {
  it('takes QEMU spellings and listens on 127.0.0.1 without a host', () => {
    expect(parseGdbSpec('tcp::1234')).toEqual({ host: '127.0.0.1', port: 1234 });
    expect(parseGdbSpec('tcp:0.0.0.0:4321,server,nowait')).toEqual({ host: '0.0.0.0', port: 4321 });
    expect(parseGdbSpec('none')).toBeNull();
    expect(() => parseGdbSpec('udp::1234')).toThrow(/expected tcp::PORT/);
    expect(() => parseGdbSpec('tcp::1234,telnet')).toThrow(/unknown or unsupported option telnet/);
  });
});

/** Runs `machine` until the stub reports a stop (or `limit` instructions); resolves with the reply. */
async function runToStop(machine: Machine, replies: string[], limit: number): Promise<string | undefined> {
  const before = replies.length;
  const run = machine.run({ maxInstructions: limit });
  for (let i = 0; i < 500 && replies.length === before && machine.isRunning; i++)
    await new Promise((r) => setTimeout(r, 5));
  machine.requestShutdown('test', 0);
  machine.resume();
  await run;
  return replies[before];
}

describe('GdbStub on the bare machine', () => {
  it('stops at a breakpoint before the instruction, and continues from it', async () => {
    const m = await bareGdbGuest();
    const replies: string[] = [];
    const stub = new GdbStub(m, (d) => replies.push(d));
    stub.attach();
    expect(stub.handle(`Z0,${BUMP.toString(16)},1`)).toBe('OK');
    expect(stub.handle('vCont;c')).toBeNull();
    expect(await runToStop(m, replies, 100_000)).toBe('T05thread:01;swbreak:;');
    expect(m.cpu!.debug!.pc).toBe(BUMP);
    // EBX (register 3) before the first `inc ebx`.
    expect(stub.handle('p3')).toBe('00000000');
    expect(stub.handle('c')).toBeNull();
    expect(await runToStop(m, replies, 100_000)).toBe('T05thread:01;swbreak:;');
    expect(stub.handle('p3')).toBe('01000000');
    expect(stub.handle('m500,4')).toBe('01000000');
  });

  it('asks the CPU nothing while no breakpoint is set and no step is pending', async () => {
    const m = await bareGdbGuest();
    const stub = new GdbStub(m, () => {});
    stub.attach();
    stub.handle('c');
    expect(m.cpu!.debug!.stopBefore).toBeNull();
    stub.handle(`Z1,${BUMP.toString(16)},1`);
    stub.handle('c');
    expect(m.cpu!.debug!.stopBefore).not.toBeNull();
  });

  it('runs the guest to the same state whether a debugger watches or not', async () => {
    const plain = await bareGdbGuest();
    await plain.run({ maxInstructions: 20_000 });
    const watched = await bareGdbGuest();
    const stub = new GdbStub(watched, () => {});
    stub.attach();
    // A breakpoint never reached keeps the per-instruction question on for the whole run.
    stub.handle('Z0,12345,1');
    stub.handle('c');
    await watched.run({ maxInstructions: 20_000 });
    expect(watched.cpu!.registers()).toEqual(plain.cpu!.registers());
    expect(watched.clock.now).toBe(plain.clock.now);
    expect(stub.handle('m500,4')).toBe(
      [...plain.memory.ram.subarray(0x500, 0x504)].map((b) => b.toString(16).padStart(2, '0')).join(''),
    );
  });

  it('refuses hostile memory requests: oversized, unmapped, or a write to ROM', async () => {
    const m = await bareGdbGuest();
    const stub = new GdbStub(m, () => {});
    expect(stub.handle('m0,100000')).toBe('E01');
    expect(stub.handle('mzz,4')).toBe('E01');
    // Nothing is mapped at 0x80000000 on the bare machine: MMIO or nothing reads as an error.
    expect(stub.handle('m80000000,4')).toBe('E14');
    expect(stub.handle('Mf0045,1:90')).toBe('E14');
    expect(stub.handle('Mf0045,1:9')).toBe('E01');
    expect(stub.handle('P3=zz')).toBe('E01');
    expect(stub.handle('p99')).toBe('');
    // Write watchpoints: as many as DR0-DR3, 1 to 8 bytes each; read and access watchpoints are not offered.
    for (const a of [0x500, 0x504, 0x508, 0x50c]) expect(stub.handle(`Z2,${a.toString(16)},4`)).toBe('OK');
    expect(stub.handle('Z2,510,4')).toBe('E01');
    expect(stub.handle('z2,50c,4')).toBe('OK');
    expect(stub.handle('Z2,510,9')).toBe('E01');
    expect(stub.handle('Z2,510,0')).toBe('E01');
    expect(stub.handle('Z3,510,4')).toBe('');
    // A new protected-mode selector needs a descriptor load the stub does not fake (the guest is
    // still in real mode here, where any selector is taken).
    expect(stub.handle('Pa=0800')).toBe('OK');
    expect(m.cpu!.registers().CS).toBe(8);
  });
});
