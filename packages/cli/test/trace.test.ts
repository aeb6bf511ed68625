import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Clock, RegisterTraceWriter, TraceFilter, traceRegisters } from '@plugboard/core';
import { BROADCAST, ethernetFrame, plugPciDevice } from '@plugboard/core/testing';
import { rtl8139Plugin } from '@plugboard/dev-rtl8139';
import { DumpFilter, Hub, PcapWriter } from '@plugboard/net';
import { describe, expect, it } from 'vitest';
import { createRegistry } from '../src/builtins.js';
import { translateQemu } from '../src/qemu/translate.js';

const IO = 0xc000;
const TSD0 = 0x10;
const TSAD0 = 0x20;
const CR = 0x37;
const CR_TE = 0x04;

describe('register traces', () => {
  it('stamp a transmit write with the virtual time its frame carries in the pcap', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pb-trace-'));
    const pcap = join(dir, 'nic.pcap');
    let clock: Clock | null = null;
    const dump = new DumpFilter(
      'cap',
      () => new Hub('seg'),
      new PcapWriter(pcap),
      () => clock!.now,
    );
    const { parts, device } = await plugPciDevice(
      rtl8139Plugin,
      { model: 'C', mac: '52:54:00:12:34:56', netdev: 'cap', romfile: null },
      { id: 'nic', slot: 3, bars: [IO, 0xfebd1000], netdevs: { cap: dump } },
    );
    clock = parts.clock;
    const lines: string[] = [];
    const writer = new RegisterTraceWriter(
      () => ({ time: parts.clock.now, instructions: 0 }),
      (l) => lines.push(l),
    );
    traceRegisters([{ id: 'nic', device }], new TraceFilter(['nic:w:TSD*']), writer);
    parts.ports.out8(IO + CR, CR_TE);
    for (const [k, time] of [1_234_567_891, 2_000_000_017].entries()) {
      parts.memory.ram.set(ethernetFrame(BROADCAST, 60 + k, k), 0x200000);
      parts.ports.out32(IO + TSAD0 + 4 * k, 0x200000);
      parts.clock.advanceTo(time);
      parts.ports.out32(IO + TSD0 + 4 * k, 60 + k);
    }
    writer.flush();
    dump.close();
    const written = lines.map((l) => l.split(' ')[0]);
    expect(lines.map((l) => l.split(' ').slice(2, 5).join(' '))).toEqual(['nic W TSD0', 'nic W TSD1']);
    const captured = execFileSync(
      'tshark',
      ['-r', pcap, '-T', 'fields', '-e', 'frame.time_epoch', '-e', 'frame.len'],
      {
        encoding: 'utf8',
      },
    )
      .trim()
      .split('\n')
      .map((l) => l.split('\t'));
    expect(captured.map(([, len]) => Number(len))).toEqual([60, 61]);
    expect(captured.map(([time]) => time)).toEqual(written);
    expect(written).toEqual(['1.234567891', '2.000000017']);
  });

  it('-trace maps enable=, events= (with -exclusions) and file= onto the run options', async () => {
    const registry = await createRegistry();
    const dir = mkdtempSync(join(tmpdir(), 'pb-trace-'));
    const events = join(dir, 'events');
    writeFileSync(events, '# polls are noise\nnic:TSD*\n-nic:r:ISR\n\nnic:w:TPPoll\n');
    const run = translateQemu(
      ['-trace', 'enable=nic:ISR,,IMR', '-trace', `events=${events},file=${dir}/t.txt`],
      registry,
    ).run.trace;
    expect(run).toEqual({
      trace: ['nic:ISR,IMR', 'nic:TSD*', 'nic:w:TPPoll'],
      traceExclude: ['nic:r:ISR'],
      traceFile: `${dir}/t.txt`,
    });
    expect(() => translateQemu(['-trace', 'enable=x,bogus=1'], registry)).toThrow(/-trace .*unknown bogus/);
    expect(() => translateQemu(['-trace', `events=${dir}/missing`], registry)).toThrow(/events=.*missing/);
  });
});
