import { type BlockBackend, decodeState, encodeState } from '@plugboard/core';
import { stateText } from '@plugboard/core/testing';
import { describe, expect, it, vi } from 'vitest';
import { DMA_NS_PER_BYTE, DMA_STEP_BYTES } from '../src/ide/bus-master.js';
import { type Bench, bench, Driver, PRIMARY, ram, SECONDARY, writePrd } from './ide-harness.js';

/**
 * Issue 19: a bus master transfer moves at most DMA_STEP_BYTES in the write
 * that starts it and goes on in steps across virtual time; its state is the
 * device's, so a snapshot between steps goes on identically.
 */

const DRDY = 0x40;
const DSC = 0x10;
const DRQ = 0x08;
const ACTIVE = 0x01;
const INTR = 0x04;
const TABLE = 0x1000;
const BUF = 0x100000;
/** The longest transfer one command makes: READ/WRITE DMA EXT of 65,536 sectors, 512 descriptors of 64 KiB. */
const SECTORS = 65536;
const BYTES = SECTORS * 512;
const STEPS = BYTES / DMA_STEP_BYTES;
const INTERVAL = DMA_STEP_BYTES * DMA_NS_PER_BYTE;
const MEMORY = BUF + BYTES + (1 << 20);
const READ_DMA_EXT = 0x25;
const WRITE_DMA_EXT = 0x35;

/** A disk (or CD) in one array, with the order of its writes. */
class FlatBackend implements BlockBackend {
  readonly bytes: Uint8Array;
  readonly writes: [number, number][] = [];

  constructor(
    readonly sectorSize: number,
    readonly sectorCount: number,
    readonly readOnly = false,
  ) {
    this.bytes = new Uint8Array(sectorSize * sectorCount);
  }

  read(sector: number, dest: Uint8Array): void {
    const at = sector * this.sectorSize;
    dest.set(this.bytes.subarray(at, at + dest.length));
  }

  write(sector: number, src: Uint8Array): void {
    this.writes.push([sector, src.length / this.sectorSize]);
    this.bytes.set(src, sector * this.sectorSize);
  }

  flush(): void {}
  close(): void {}
}

/** Fills `bytes` with a pattern no two 4-byte words of which are equal (nonzero everywhere). */
function fill(bytes: Uint8Array, seed: number): void {
  const words = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length >>> 2);
  for (let i = 0; i < words.length; i++) words[i] = (Math.imul(i + 1, 0x9e3779b1) ^ seed) >>> 0 || 1;
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

/** Runs the machine's timers up to `ns` from now, as the idle loop does. */
function runFor(b: Bench, ns: number): void {
  const clock = b.parts.clock;
  const until = clock.now + ns;
  while (clock.nextDeadline <= until) {
    clock.advanceTo(clock.nextDeadline);
    clock.runDue();
  }
  clock.advanceTo(until);
  clock.runDue();
}

/** The primary channel's step timer, as the clock saves it. */
function stepTimer(b: Bench): { deadline: number } {
  return b.parts.clock.saveState().timers.find((t) => t.id.endsWith('ide primary bus master'))!;
}

/** A disk of 32 MiB and a bit more (filled with a pattern), on the primary master. */
function diskBench() {
  const disk = new FlatBackend(512, SECTORS + 2048);
  fill(disk.bytes, 0x5eed);
  const b = bench({ primary: { master: { drive: 'hd0' } } }, { hd0: disk }, MEMORY);
  const d = new Driver(b);
  d.control(0);
  return { disk, b, d };
}

/** 512 descriptors of 64 KiB from `buffer` on, back to back: 32 MiB. */
function wholeTable(b: Bench, buffer = BUF): void {
  const entries: [number, number, boolean][] = [];
  for (let i = 0; i < 512; i++) entries.push([buffer + i * 0x10000, 0, i === 511]);
  writePrd(b, TABLE, entries);
}

/** `got` holds `want`'s bytes from `from` to `to`, and not the sector after them (unless that is the end). */
function movedUpTo(got: Uint8Array, want: Uint8Array, from: number, to: number): boolean {
  if (!same(got.subarray(from, to), want.subarray(from, to))) return false;
  return to >= want.length || !same(got.subarray(to, to + 512), want.subarray(to, to + 512));
}

/** How many bytes of `got` from the start equal `want`'s, to the 512-byte sector. */
function sectorsEqual(got: Uint8Array, want: Uint8Array): number {
  let n = 0;
  while (
    n * 512 < want.length &&
    same(got.subarray(n * 512, n * 512 + 512), want.subarray(n * 512, n * 512 + 512))
  )
    n++;
  return n * 512;
}

describe('PIIX3 IDE: a long bus master transfer goes on in steps across virtual time', () => {
  it('READ DMA EXT of 32 MiB: one step in the start write, the rest from the timer, the interrupt with the last', () => {
    const { disk, b, d } = diskBench();
    const lba = 1000;
    const want = disk.bytes.subarray(lba * 512, lba * 512 + BYTES);
    wholeTable(b);
    d.setPrdTable(TABLE);
    d.bmCommand(0x08);
    d.lba48(READ_DMA_EXT, lba, 0);
    const start = b.parts.clock.now;
    d.bmCommand(0x09);
    // The start write moved one step and no more.
    expect(same(ram(b, BUF, DMA_STEP_BYTES), want.subarray(0, DMA_STEP_BYTES))).toBe(true);
    expect(ram(b, BUF + DMA_STEP_BYTES, DMA_STEP_BYTES).every((x) => x === 0)).toBe(true);
    expect(d.bmStatus()).toBe(ACTIVE);
    expect(b.irq(PRIMARY)).toBe(false);
    expect(d.altStatus()).toBe(DRDY | DSC | DRQ);
    expect(stepTimer(b).deadline).toBe(start + INTERVAL);
    // Each tick moves the next step; ACTIVE stays set and no interrupt comes until the last.
    for (let step = 1; step < STEPS; step++) {
      runFor(b, INTERVAL);
      expect(movedUpTo(ram(b, BUF, BYTES), want, step * DMA_STEP_BYTES, (step + 1) * DMA_STEP_BYTES)).toBe(
        true,
      );
      if (step < STEPS - 1) {
        expect(d.bmStatus()).toBe(ACTIVE);
        expect(b.irq(PRIMARY)).toBe(false);
        expect(d.altStatus()).toBe(DRDY | DSC | DRQ);
      }
    }
    expect(same(ram(b, BUF, BYTES), want)).toBe(true);
    // The table was used up exactly: ACTIVE clear, the interrupt, the task file at the last sector.
    expect(d.bmStatus()).toBe(INTR);
    expect(b.irq(PRIMARY)).toBe(true);
    expect(d.status()).toBe(DRDY | DSC);
    expect(stepTimer(b).deadline).toBe(Number.POSITIVE_INFINITY);
    expect(d.in(3) | (d.in(4) << 8) | (d.in(5) << 16)).toBe(lba + SECTORS - 1);
  });

  it('WRITE DMA EXT of 32 MiB: each step writes its sectors in order, the disk has exactly what moved', () => {
    const { disk, b, d } = diskBench();
    const lba = 777;
    const before = disk.bytes.slice();
    const data = ram(b, BUF, BYTES);
    fill(data, 0xd15c);
    wholeTable(b);
    d.setPrdTable(TABLE);
    d.bmCommand(0x00);
    d.lba48(WRITE_DMA_EXT, lba, 0);
    d.bmCommand(0x01);
    const onDisk = (n: number) => disk.bytes.subarray(lba * 512, lba * 512 + n);
    expect(same(onDisk(DMA_STEP_BYTES), data.subarray(0, DMA_STEP_BYTES))).toBe(true);
    // Nothing past the first step is written yet.
    expect(
      same(disk.bytes.subarray(lba * 512 + DMA_STEP_BYTES), before.subarray(lba * 512 + DMA_STEP_BYTES)),
    ).toBe(true);
    expect(d.bmStatus()).toBe(ACTIVE);
    expect(b.irq(PRIMARY)).toBe(false);
    for (let step = 1; step < STEPS; step++) {
      runFor(b, INTERVAL);
      expect(movedUpTo(onDisk(BYTES), data, step * DMA_STEP_BYTES, (step + 1) * DMA_STEP_BYTES)).toBe(true);
      if (step < STEPS - 1) expect(b.irq(PRIMARY)).toBe(false);
    }
    expect(same(onDisk(BYTES), data)).toBe(true);
    // The sectors around the transfer are untouched.
    expect(same(disk.bytes.subarray(0, lba * 512), before.subarray(0, lba * 512))).toBe(true);
    expect(same(disk.bytes.subarray((lba + SECTORS) * 512), before.subarray((lba + SECTORS) * 512))).toBe(
      true,
    );
    // Every write went to the sector after the previous one's last.
    let next = lba;
    for (const [sector, count] of disk.writes) {
      expect(sector).toBe(next);
      next += count;
    }
    expect(next).toBe(lba + SECTORS);
    expect(d.bmStatus()).toBe(INTR);
    expect(b.irq(PRIMARY)).toBe(true);
    expect(d.status()).toBe(DRDY | DSC);
  });

  it('READ(12) and READ(10) on the CD-ROM through the bus master go in steps too', () => {
    const blocks = 20000;
    const cd = new FlatBackend(2048, blocks, true);
    fill(cd.bytes, 0xcd);
    const b = bench({ secondary: { master: { drive: 'cd', media: 'cdrom' } } }, { cd }, MEMORY);
    const s = new Driver(b, SECONDARY);
    s.control(0);
    // The unit attention of a fresh medium, then the reads.
    s.packet([0x00]);
    s.status();
    s.requestSense();
    // A table of exactly `bytes`: 64 KiB entries and the rest.
    const table = (bytes: number) => {
      const entries: [number, number, boolean][] = [];
      for (let at = 0; at < bytes; at += 0x10000)
        entries.push([BUF + at, Math.min(0x10000, bytes - at) & 0xffff, at + 0x10000 >= bytes]);
      writePrd(b, TABLE, entries);
    };
    const reads: [string, number[], number, number][] = [
      // READ(12) of 16,384 blocks (32 MiB) from block 300.
      ['READ(12)', [0xa8, 0, 0, 0, 0x01, 0x2c, 0, 0, 0x40, 0x00, 0, 0], 300, 16384],
      // READ(10) of 3,000 blocks (6 MiB, not a whole number of steps) from block 5.
      ['READ(10)', [0x28, 0, 0, 0, 0, 5, 0, 0x0b, 0xb8, 0], 5, 3000],
    ];
    for (const [name, cdb, lba, count] of reads) {
      const bytes = count * 2048;
      const want = cd.bytes.subarray(lba * 2048, lba * 2048 + bytes);
      ram(b, BUF, bytes).fill(0);
      table(bytes);
      s.setPrdTable(TABLE);
      s.bmCommand(0x08);
      s.setBmStatus(INTR);
      s.status();
      s.packet(cdb, 0xfffe, true);
      s.bmCommand(0x09);
      expect(sectorsEqual(ram(b, BUF, bytes), want), name).toBe(DMA_STEP_BYTES);
      expect(s.bmStatus(), name).toBe(ACTIVE);
      expect(b.irq(SECONDARY), name).toBe(false);
      const steps = Math.ceil(bytes / DMA_STEP_BYTES);
      for (let step = 1; step < steps; step++) {
        expect(b.irq(SECONDARY), name).toBe(false);
        runFor(b, INTERVAL);
        const to = Math.min(bytes, (step + 1) * DMA_STEP_BYTES);
        expect(movedUpTo(ram(b, BUF, bytes), want, step * DMA_STEP_BYTES, to), name).toBe(true);
      }
      expect(same(ram(b, BUF, bytes), want), name).toBe(true);
      expect(s.bmStatus(), name).toBe(INTR);
      expect(b.irq(SECONDARY), name).toBe(true);
      expect(s.status(), name).toBe(DRDY | DSC);
      s.bmCommand(0x08);
    }
  });

  it('a snapshot taken between steps, restored into a fresh machine, finishes with the same RAM, disk and state', () => {
    const lba = 1234;
    /** A machine `steps` steps into a 32 MiB write, then its drive and state as a snapshot holds them. */
    const start = () => {
      const m = diskBench();
      fill(ram(m.b, BUF, BYTES), 0xfeed);
      wholeTable(m.b);
      m.d.setPrdTable(TABLE);
      m.d.lba48(WRITE_DMA_EXT, lba, 0);
      m.d.bmCommand(0x01);
      return m;
    };
    const a = start();
    // Partway: 37 ticks in, and half an interval on.
    runFor(a.b, 37 * INTERVAL + INTERVAL / 2);
    const snapshot = encodeState({
      clock: a.b.parts.clock.saveState() as never,
      pci: a.b.parts.pci.saveState() as never,
      ide: a.b.ide.vmstate.save(),
      ram: a.b.parts.memory.ram.slice(),
      disk: a.disk.bytes.slice(),
    });
    // The fresh machine: built the same way, with the drive as the snapshot left it.
    const fresh = diskBench();
    const saved = decodeState(snapshot) as Record<string, never>;
    fresh.disk.bytes.set(saved.disk as Uint8Array);
    fresh.b.parts.memory.ram.set(saved.ram as Uint8Array);
    fresh.b.parts.clock.loadState(saved.clock);
    fresh.b.parts.pci.loadState(saved.pci);
    fresh.b.ide.vmstate.load(saved.ide);
    expect(stateText(fresh.b.ide)).toBe(stateText(a.b.ide));
    expect(fresh.b.ide.channels[0].stepping).toBe(0);
    // Both run on to the end, interrupt at the same time and leave the same everything.
    const irqAt = (m: ReturnType<typeof diskBench>) => {
      for (let guard = 0; guard < 8 * STEPS && !m.b.irq(PRIMARY); guard++) runFor(m.b, INTERVAL / 4);
      return m.b.parts.clock.now;
    };
    expect(irqAt(fresh)).toBe(irqAt(a));
    expect(a.b.irq(PRIMARY)).toBe(true);
    runFor(a.b, 10 * INTERVAL);
    runFor(fresh.b, 10 * INTERVAL);
    expect(same(fresh.disk.bytes, a.disk.bytes)).toBe(true);
    expect(same(fresh.disk.bytes.subarray(lba * 512, lba * 512 + BYTES), ram(a.b, BUF, BYTES))).toBe(true);
    expect(same(fresh.b.parts.memory.ram, a.b.parts.memory.ram)).toBe(true);
    expect(stateText(fresh.b.ide)).toBe(stateText(a.b.ide));
    expect(encodeState(fresh.b.parts.clock.saveState() as never)).toBe(
      encodeState(a.b.parts.clock.saveState() as never),
    );
    // The restored machine's writes went on from the sector after the snapshot's last.
    const resumed = fresh.disk.writes[0];
    const before = a.disk.writes.slice(0, a.disk.writes.length - fresh.disk.writes.length);
    expect(resumed[0]).toBe(before.reduce((n, [, count]) => n + count, lba));
  });

  it('the same for a CD-ROM READ(12) between steps', () => {
    const build = () => {
      const cd = new FlatBackend(2048, 20000, true);
      fill(cd.bytes, 0x0cd0);
      const b = bench({ primary: { slave: { drive: 'cd', media: 'cdrom' } } }, { cd }, MEMORY);
      const d = new Driver(b);
      d.control(0);
      return { b, d };
    };
    const a = build();
    a.d.packet([0x00], 0xfffe, false, 1);
    a.d.status();
    a.d.requestSense(1);
    wholeTable(a.b);
    a.d.setPrdTable(TABLE);
    // READ(12) of 16,000 blocks: 31.25 MiB, so the table is left over at the end.
    a.d.packet([0xa8, 0, 0, 0, 0, 9, 0, 0, 0x3e, 0x80, 0, 0], 0xfffe, true, 1);
    a.d.bmCommand(0x09);
    runFor(a.b, 100 * INTERVAL + 3);
    const fresh = build();
    const saved = decodeState(
      encodeState({
        clock: a.b.parts.clock.saveState() as never,
        pci: a.b.parts.pci.saveState() as never,
        ide: a.b.ide.vmstate.save(),
        ram: a.b.parts.memory.ram.slice(),
      }),
    ) as Record<string, never>;
    fresh.b.parts.memory.ram.set(saved.ram as Uint8Array);
    fresh.b.parts.clock.loadState(saved.clock);
    fresh.b.parts.pci.loadState(saved.pci);
    fresh.b.ide.vmstate.load(saved.ide);
    expect(fresh.b.ide.channels[0].stepping).toBe(1);
    for (const m of [a, fresh]) runFor(m.b, STEPS * INTERVAL);
    expect(a.b.irq(PRIMARY)).toBe(true);
    expect(a.d.bmStatus()).toBe(INTR | ACTIVE);
    expect(same(fresh.b.parts.memory.ram, a.b.parts.memory.ram)).toBe(true);
    expect(stateText(fresh.b.ide)).toBe(stateText(a.b.ide));
  });
});

describe('PIIX3 IDE: stopping and resetting a transfer between steps', () => {
  /** A 32 MiB read, `ticks` steps past the start write. */
  function midRead(ticks: number) {
    const m = diskBench();
    wholeTable(m.b);
    m.d.setPrdTable(TABLE);
    m.d.bmCommand(0x08);
    m.d.lba48(READ_DMA_EXT, 0, 0);
    m.d.bmCommand(0x09);
    runFor(m.b, ticks * INTERVAL);
    return m;
  }

  it('clearing SSBM cancels the rest: nothing more moves, ACTIVE drops, no interrupt; the next start goes on', () => {
    const { disk, b, d } = midRead(2);
    const moved = 3 * DMA_STEP_BYTES;
    d.bmCommand(0x08);
    expect(d.bmStatus()).toBe(0);
    expect(b.ide.channels[0].stepping).toBe(-1);
    expect(stepTimer(b).deadline).toBe(Number.POSITIVE_INFINITY);
    runFor(b, STEPS * INTERVAL);
    expect(sectorsEqual(ram(b, BUF, BYTES), disk.bytes.subarray(0, BYTES))).toBe(moved);
    expect(ram(b, BUF + moved, BYTES - moved).every((x) => x === 0)).toBe(true);
    expect(b.irq(PRIMARY)).toBe(false);
    // The drive still holds the rest of its command: commands are ignored while DRQ is set.
    expect(d.altStatus()).toBe(DRDY | DSC | DRQ);
    // Started again on a new table, the rest of the command lands there.
    const next = BUF + BYTES - moved;
    writePrd(b, TABLE + 0x1000, [[next, 0, true]]);
    d.setPrdTable(TABLE + 0x1000);
    d.bmCommand(0x09);
    // A 64 KiB table, smaller than what is left: one step, then ACTIVE drops without an interrupt.
    expect(same(ram(b, next, 0x10000), disk.bytes.subarray(moved, moved + 0x10000))).toBe(true);
    expect(d.bmStatus()).toBe(0);
    expect(b.irq(PRIMARY)).toBe(false);
    expect(d.altStatus()).toBe(DRDY | DSC);
    expect(stepTimer(b).deadline).toBe(Number.POSITIVE_INFINITY);
  });

  it('a stopped transfer restarted on a table large enough finishes with the interrupt, ACTIVE still set', () => {
    const { disk, b, d } = midRead(5);
    const moved = 6 * DMA_STEP_BYTES;
    d.bmCommand(0x08);
    ram(b, BUF, BYTES).fill(0);
    d.bmCommand(0x09);
    runFor(b, STEPS * INTERVAL);
    expect(same(ram(b, BUF, BYTES - moved), disk.bytes.subarray(moved, BYTES))).toBe(true);
    expect(d.bmStatus()).toBe(INTR | ACTIVE);
    expect(b.irq(PRIMARY)).toBe(true);
    expect(d.status()).toBe(DRDY | DSC);
  });

  it('a machine reset between steps leaves nothing pending', () => {
    const { b } = midRead(3);
    const snapshotOfRam = ram(b, BUF, BYTES).slice();
    b.ide.reset();
    expect(b.ide.channels[0].stepping).toBe(-1);
    expect(stepTimer(b).deadline).toBe(Number.POSITIVE_INFINITY);
    expect(b.parts.clock.nextDeadline).toBe(Number.POSITIVE_INFINITY);
    expect(b.ide.channels[0].devices[0].dmaPending).toBe(false);
    runFor(b, STEPS * INTERVAL);
    expect(same(ram(b, BUF, BYTES), snapshotOfRam)).toBe(true);
    expect(b.irq(PRIMARY)).toBe(false);
    expect(Array.from(b.ide.channels[0].busMaster.regs)).toEqual(
      Array.from(bench({}).ide.channels[0].busMaster.regs),
    );
  });

  it('SRST between steps drops the command and the steps; the drive takes a new command', () => {
    const { disk, b, d } = midRead(1);
    const snapshotOfRam = ram(b, BUF, BYTES).slice();
    d.softReset();
    d.control(0);
    expect(b.ide.channels[0].stepping).toBe(-1);
    expect(stepTimer(b).deadline).toBe(Number.POSITIVE_INFINITY);
    runFor(b, STEPS * INTERVAL);
    expect(same(ram(b, BUF, BYTES), snapshotOfRam)).toBe(true);
    expect(d.altStatus()).toBe(DRDY | DSC);
    // The engine is still started (SRST is the drive's reset, not the bus master's); a new command runs.
    d.bmCommand(0x08);
    writePrd(b, TABLE, [[BUF, 4096, true]]);
    d.bmCommand(0x09);
    d.lba28(0xc8, 9, 8);
    expect(same(ram(b, BUF, 4096), disk.bytes.subarray(9 * 512, 17 * 512))).toBe(true);
    expect(d.bmStatus()).toBe(INTR);
  });

  it('bus mastering turned off between steps holds the transfer; turned on again, it goes on', () => {
    const { disk, b, d } = midRead(1);
    b.setConfig(0x04, 2, 0x0001);
    runFor(b, STEPS * INTERVAL);
    // The tick that found bus mastering off moved nothing.
    expect(sectorsEqual(ram(b, BUF, BYTES), disk.bytes.subarray(0, BYTES))).toBe(2 * DMA_STEP_BYTES);
    expect(d.bmStatus()).toBe(ACTIVE);
    b.setConfig(0x04, 2, 0x0005);
    runFor(b, STEPS * INTERVAL);
    expect(same(ram(b, BUF, BYTES), disk.bytes.subarray(0, BYTES))).toBe(true);
    expect(d.bmStatus()).toBe(INTR);
  });
});

describe('a guest looping on the longest IDE transfer', () => {
  it('moves at most DMA_STEP_BYTES per register write, however it stops, restarts and re-arms', () => {
    const { b, d } = diskBench();
    const charged: number[] = [];
    const spy = vi.spyOn(b.parts.clock, 'charge').mockImplementation((units) => {
      charged.push(units);
    });
    wholeTable(b);
    /** The bytes one guest register write made the bus master move. */
    const write = (f: () => void) => {
      charged.length = 0;
      f();
      return charged.reduce((n, x) => n + x, 0);
    };
    let most = 0;
    let total = 0;
    // worst-writes.asm's loop: stop, clear status, READ DMA EXT of 65,536 sectors, table, start.
    for (let round = 0; round < 3 * STEPS; round++) {
      for (const f of [
        () => d.bmCommand(0x00),
        () => d.setBmStatus(0x06),
        () => d.status(),
        () => d.lba48(READ_DMA_EXT, 0, 0),
        () => d.setPrdTable(TABLE),
        () => d.bmCommand(0x09),
      ]) {
        const n = write(f);
        most = Math.max(most, n);
        total += n;
      }
    }
    spy.mockRestore();
    expect(most).toBe(DMA_STEP_BYTES);
    // Every round moved one step: the command goes on across rounds and starts over once done.
    expect(total).toBe(3 * STEPS * DMA_STEP_BYTES);
  });
});
