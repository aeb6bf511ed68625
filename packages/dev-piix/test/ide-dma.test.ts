import { describe, expect, it } from 'vitest';
import { BUS_MASTER } from '../src/ide/registers.js';
import {
  bench,
  Driver,
  MemoryBackend,
  PRIMARY,
  ram,
  SECONDARY,
  sectorPattern,
  writePrd,
} from './ide-harness.js';

const DRDY = 0x40;
const DSC = 0x10;
const DRQ = 0x08;
const ERR = 0x01;
const ACTIVE = 0x01;
const ERROR = 0x02;
const INTR = 0x04;
const TABLE = 0x1000;
const BUF = 0x10000;

describe('bus master registers (the BUS_MASTER table)', () => {
  it('land through their masks: SSBM/RWCON, DMA capable bits, W1C status, dword-aligned table, reserved bytes', () => {
    const { b } = dmaBench();
    const ports = b.parts.ports;
    const bm = PRIMARY.bm;
    ports.out32(bm, 0xffffffff);
    ports.out32(bm + 4, 0xffffffff);
    // BMICP keeps SSBM and RWCON; byte 1 and 3 are reserved; BMISP keeps the capable bits and
    // ACTIVE (set by SSBM's rising edge); W1C bits stay clear; BMIDTP drops bits 1:0.
    expect(ports.in32(bm)).toBe(0x00610009);
    expect(ports.in32(bm + 4)).toBe(0xfffffffc);
    ports.out8(bm + 6, 0x12);
    expect(ports.in32(bm + 4)).toBe(0xff12fffc);
    b.ide.channels[0].busMaster.status |= ERROR | INTR;
    ports.out8(bm + 2, ERROR);
    expect(ports.in8(bm + 2) & (ERROR | INTR)).toBe(INTR);
    b.ide.reset();
    expect(Array.from(b.ide.channels[0].busMaster.regs)).toEqual(Array.from(BUS_MASTER.resetImage));
    expect(Array.from(b.ide.channels[1].busMaster.regs)).toEqual(Array.from(BUS_MASTER.resetImage));
  });
});

function dmaBench(sectors = 1 << 20, memoryBytes = 4 << 20) {
  const disk = new MemoryBackend(512, sectors);
  for (let s = 0; s < 300; s++) disk.stamp(s);
  const b = bench({ primary: { master: { drive: 'hd0' } } }, { hd0: disk }, memoryBytes);
  const d = new Driver(b);
  d.control(0);
  return { disk, b, d };
}

function expectSectors(b: ReturnType<typeof dmaBench>['b'], at: number, first: number, count: number): void {
  for (let i = 0; i < count; i++) expect(ram(b, at + i * 512, 512)).toEqual(sectorPattern(first + i));
}

describe('PIIX3 IDE: bus master DMA', () => {
  it('READ DMA as libata issues it: PRD table, direction, command, then start', () => {
    const { b, d } = dmaBench();
    writePrd(b, TABLE, [[BUF, 8 * 512, true]]);
    d.setPrdTable(TABLE);
    expect(d.ports.in32(PRIMARY.bm + 4)).toBe(TABLE);
    d.bmCommand(0x08);
    d.lba28(0xc8, 10, 8);
    expect(d.altStatus()).toBe(DRDY | DSC | DRQ);
    expect(d.bmStatus()).toBe(0);
    d.bmCommand(0x09);
    expectSectors(b, BUF, 10, 8);
    expect(d.bmStatus()).toBe(INTR);
    expect(b.irq(PRIMARY)).toBe(true);
    expect(d.status()).toBe(DRDY | DSC);
    d.bmCommand(0x08);
    d.setBmStatus(INTR);
    expect(d.bmStatus()).toBe(0);
    expect([d.in(3), d.in(2)]).toEqual([17, 0]);
  });

  it('runs when the engine was started before the command, and scatters across PRD entries', () => {
    const { b, d } = dmaBench();
    writePrd(b, TABLE, [
      [BUF, 700, false],
      [BUF + 0x4000, 324, false],
      [BUF + 0x8000, 512, true],
    ]);
    d.setPrdTable(TABLE);
    d.bmCommand(0x09);
    expect(d.bmStatus()).toBe(ACTIVE);
    d.lba28(0xc8, 0, 3);
    const joined = new Uint8Array(1536);
    joined.set(ram(b, BUF, 700), 0);
    joined.set(ram(b, BUF + 0x4000, 324), 700);
    joined.set(ram(b, BUF + 0x8000, 512), 1024);
    expect(joined.subarray(0, 512)).toEqual(sectorPattern(0));
    expect(joined.subarray(512, 1024)).toEqual(sectorPattern(1));
    expect(joined.subarray(1024)).toEqual(sectorPattern(2));
    expect(d.bmStatus()).toBe(INTR);
  });

  it('WRITE DMA (EXT) gathers guest memory onto the disk', () => {
    const { b, disk, d } = dmaBench();
    ram(b, BUF, 512).set(sectorPattern(900));
    ram(b, BUF + 0x2000, 512).set(sectorPattern(901));
    writePrd(b, TABLE, [
      [BUF, 512, false],
      [BUF + 0x2000, 512, true],
    ]);
    d.setPrdTable(TABLE);
    d.bmCommand(0x00);
    d.lba48(0x35, 0x12345, 2);
    d.bmCommand(0x01);
    expect(disk.sectors.get(0x12345)).toEqual(sectorPattern(900));
    expect(disk.sectors.get(0x12346)).toEqual(sectorPattern(901));
    expect(d.status()).toBe(DRDY | DSC);
    expect(d.bmStatus()).toBe(INTR);
  });

  it('a PRD byte count of 0 means 64 KiB', () => {
    const { b, d } = dmaBench();
    writePrd(b, TABLE, [[BUF, 0, true]]);
    d.setPrdTable(TABLE);
    d.bmCommand(0x08);
    d.lba48(0x25, 0, 128);
    d.bmCommand(0x09);
    expectSectors(b, BUF, 0, 128);
    expect(d.bmStatus()).toBe(INTR);
    expect(d.status()).toBe(DRDY | DSC);
  });

  it('PRDs larger than the transfer: interrupt with ACTIVE still set', () => {
    const { b, d } = dmaBench();
    writePrd(b, TABLE, [[BUF, 8192, true]]);
    d.setPrdTable(TABLE);
    d.bmCommand(0x08);
    d.lba28(0xc8, 0, 4);
    d.bmCommand(0x09);
    expectSectors(b, BUF, 0, 4);
    expect(d.bmStatus()).toBe(INTR | ACTIVE);
    expect(d.status()).toBe(DRDY | DSC);
    d.bmCommand(0x08);
    expect(d.bmStatus()).toBe(INTR);
  });

  it('PRDs smaller than the transfer: ACTIVE drops without an interrupt', () => {
    const { b, d } = dmaBench();
    writePrd(b, TABLE, [[BUF, 1024, true]]);
    d.setPrdTable(TABLE);
    d.bmCommand(0x08);
    d.lba28(0xc8, 0, 4);
    d.bmCommand(0x09);
    expectSectors(b, BUF, 0, 2);
    expect(ram(b, BUF + 1024, 512)).toEqual(new Uint8Array(512));
    expect(d.bmStatus()).toBe(0);
    expect(b.irq(PRIMARY)).toBe(false);
    expect(d.altStatus()).toBe(DRDY | DSC);
  });

  it('a PRD table running off the end of RAM is a master abort: ERROR, aborted command, interrupt', () => {
    const memory = 1 << 20;
    const { b, d } = dmaBench(1 << 20, memory);
    const table = memory - 8;
    writePrd(b, table, [[BUF, 512, false]]);
    d.setPrdTable(table);
    d.bmCommand(0x08);
    d.lba28(0xc8, 0, 4);
    d.bmCommand(0x09);
    expectSectors(b, BUF, 0, 1);
    expect(d.bmStatus()).toBe(ERROR | INTR);
    expect(d.status()).toBe(DRDY | ERR);
    expect(d.in(1)).toBe(0x04);
    // ERROR and INTERRUPT are write-one-to-clear, each on its own.
    d.setBmStatus(ERROR);
    expect(d.bmStatus()).toBe(INTR);
    d.setBmStatus(INTR);
    expect(d.bmStatus()).toBe(0);
  });

  it('a buffer outside RAM is a master abort too, and nothing is written outside RAM', () => {
    const { b, d } = dmaBench();
    writePrd(b, TABLE, [[0xfff00000, 4096, true]]);
    d.setPrdTable(TABLE);
    d.bmCommand(0x08);
    d.lba28(0xc8, 0, 8);
    d.bmCommand(0x09);
    expect(d.bmStatus() & (ERROR | ACTIVE)).toBe(ERROR);
    expect(d.status() & ERR).toBe(ERR);
  });

  it('a table without EOT is cut off after 512 descriptors', () => {
    const { b, d } = dmaBench();
    const entries: [number, number, boolean][] = [];
    for (let i = 0; i < 1024; i++) entries.push([0x40000 + i * 2, 2, false]);
    writePrd(b, TABLE, entries);
    d.setPrdTable(TABLE);
    d.bmCommand(0x08);
    d.lba28(0xc8, 7, 4);
    d.bmCommand(0x09);
    const pattern = sectorPattern(7);
    expect(ram(b, 0x40000, 1024)).toEqual(new Uint8Array([...pattern, ...sectorPattern(8)]));
    expect(ram(b, 0x40000 + 1024, 8)).toEqual(new Uint8Array(8));
    expect(d.bmStatus()).toBe(0);
    expect(b.irq(PRIMARY)).toBe(false);
  });

  it('waits while bus mastering is disabled in PCI Command, then runs once it is enabled', () => {
    const { b, d } = dmaBench();
    b.setConfig(0x04, 2, 0x0001);
    writePrd(b, TABLE, [[BUF, 512, true]]);
    d.setPrdTable(TABLE);
    d.bmCommand(0x09);
    d.lba28(0xc8, 3, 1);
    expect(d.altStatus()).toBe(DRDY | DSC | DRQ);
    expect(ram(b, BUF, 512)).toEqual(new Uint8Array(512));
    b.setConfig(0x04, 2, 0x0005);
    expectSectors(b, BUF, 3, 1);
    expect(d.bmStatus()).toBe(INTR);
  });

  it('stopping the engine clears ACTIVE; DMA capable bits are read/write, ACTIVE is read-only', () => {
    const { d } = dmaBench();
    d.bmCommand(0x01);
    expect(d.bmStatus()).toBe(ACTIVE);
    d.bmCommand(0x00);
    expect(d.bmStatus()).toBe(0);
    d.setBmStatus(0x60 | ACTIVE);
    expect(d.bmStatus()).toBe(0x60);
    expect(d.ports.in8(PRIMARY.bm)).toBe(0);
    d.bmCommand(0xff);
    expect(d.ports.in8(PRIMARY.bm)).toBe(0x09);
  });

  it('the secondary channel has its own engine at BMIBA+8 and interrupts on IRQ15', () => {
    const disk = new MemoryBackend(512, 1000);
    disk.stamp(1);
    const b = bench({ secondary: { master: { drive: 'hd1' } } }, { hd1: disk });
    const s = new Driver(b, SECONDARY);
    s.control(0);
    writePrd(b, TABLE, [[BUF, 512, true]]);
    s.setPrdTable(TABLE);
    s.bmCommand(0x08);
    s.lba28(0xc8, 1, 1);
    s.bmCommand(0x09);
    expect(ram(b, BUF, 512)).toEqual(sectorPattern(1));
    expect(s.bmStatus()).toBe(INTR);
    expect(new Driver(b, PRIMARY).bmStatus()).toBe(0);
    expect(b.irq(SECONDARY)).toBe(true);
  });

  it('nIEN keeps the interrupt and BMISP.IDEINTS quiet; the drive status still shows completion', () => {
    const { b, d } = dmaBench();
    d.control(0x02);
    writePrd(b, TABLE, [[BUF, 512, true]]);
    d.setPrdTable(TABLE);
    d.bmCommand(0x08);
    d.lba28(0xc8, 0, 1);
    d.bmCommand(0x09);
    expect(b.irq(PRIMARY)).toBe(false);
    expect(d.bmStatus()).toBe(0);
    expect(d.status()).toBe(DRDY | DSC);
  });

  it('a medium error during DMA ends the command with UNC and drops ACTIVE', () => {
    const { b, disk, d } = dmaBench();
    disk.failRead = 2;
    writePrd(b, TABLE, [[BUF, 4096, true]]);
    d.setPrdTable(TABLE);
    d.bmCommand(0x08);
    d.lba28(0xc8, 0, 8);
    d.bmCommand(0x09);
    expect(d.status()).toBe(DRDY | ERR);
    expect(d.in(1)).toBe(0x40);
    expect(d.bmStatus()).toBe(INTR);
  });
});
