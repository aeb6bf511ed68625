import { describe, expect, it } from 'vitest';
import { defineRegisters, MAX_ACCESS_BYTES } from '../src/index.js';

/** A small chip: a status register with W1C bits, a locked config byte, an array, a read-clear counter. */
const table = defineRegisters(
  [
    { name: 'ID0', offset: 0x00, width: 1, count: 2, reset: 0x5a, writable: 0 },
    { name: 'CTRL', offset: 0x04, width: 4, reset: 0x12345678, writable: 0x00ff00ff, softReset: true },
    { name: 'STAT', offset: 0x08, width: 2, w1c: 0x00ff, writable: 0xff00, bits: { RX: 0x01, TX: 0x02 } },
    { name: 'CFG', key: 'CONFIG', offset: 0x0a, width: 1, locked: true, reset: 0x0c },
    { name: 'DOOR', offset: 0x0c, width: 4, commitByte: 3 },
    { name: 'TSD0', offset: 0x10, width: 4, count: 4, reset: 0x2000, softReset: true },
    { name: 'MISSED', offset: 0x20, width: 2, readClear: true },
    { name: 'DESC', offset: 0x10, width: 8, overlay: true },
  ],
  { unnamed: (o) => `CSR+0x${o.toString(16)}` },
);

function fresh(): Uint8Array {
  const regs = new Uint8Array(table.size);
  table.reset(regs);
  return regs;
}

const touched = new Int32Array(MAX_ACCESS_BYTES);
const names = (n: number) => Array.from(touched.subarray(0, n), (i) => table.elements[i].name);

describe('register table', () => {
  it('derives offsets, array elements and the window size from the entries', () => {
    expect(table.offsets.CONFIG).toBe(0x0a);
    expect(table.offsets.TSD0).toBe(0x10);
    expect(table.offsets.DESC).toBe(0x10);
    expect(table.elements.map((e) => e.name)).toEqual([
      'ID0',
      'ID1',
      'CTRL',
      'STAT',
      'CFG',
      'DOOR',
      'TSD0',
      'TSD1',
      'TSD2',
      'TSD3',
      'MISSED',
    ]);
    // 0x22 bytes of registers: the next power of two.
    expect(table.size).toBe(64);
    expect(defineRegisters([{ name: 'A', offset: 0, width: 1 }], { size: 256 }).size).toBe(256);
    const lettered = defineRegisters([{ name: 'PIRQRCA', offset: 0x60, width: 1, count: 4 }]);
    expect(lettered.elements.map((e) => e.name)).toEqual(['PIRQRCA', 'PIRQRCB', 'PIRQRCC', 'PIRQRCD']);
  });

  it('resets every register to its reset value, little-endian, arrays element by element', () => {
    const regs = fresh();
    expect(Array.from(regs.subarray(0, 8))).toEqual([0x5a, 0x5a, 0, 0, 0x78, 0x56, 0x34, 0x12]);
    expect(regs[0x0a]).toBe(0x0c);
    for (let i = 0; i < 4; i++) expect(table.read(regs, 0x10 + i * 4, 4)).toBe(0x2000);
  });

  it('a software reset reloads only the registers marked for it', () => {
    const regs = fresh();
    table.write(regs, 0x04, 4, 0xffffffff, false, touched);
    table.write(regs, 0x0a, 1, 0x77, true, touched);
    table.write(regs, 0x14, 4, 0xabcd, false, touched);
    table.softReset(regs);
    expect(table.read(regs, 0x04, 4)).toBe(0x12345678);
    expect(table.read(regs, 0x14, 4)).toBe(0x2000);
    expect(regs[0x0a]).toBe(0x77);
  });

  it('keeps read-only bits and registers', () => {
    const regs = fresh();
    expect(table.write(regs, 0x00, 2, 0xffff, false, touched)).toBe(0);
    expect(regs[0]).toBe(0x5a);
    table.write(regs, 0x04, 4, 0xffffffff, false, touched);
    expect(table.read(regs, 0x04, 4)).toBe(0x12ff56ff);
    table.write(regs, 0x04, 4, 0, false, touched);
    expect(table.read(regs, 0x04, 4)).toBe(0x12005600);
  });

  it('puts a byte written into a wider register in its lane and leaves the other lanes', () => {
    const regs = fresh();
    table.write(regs, 0x14, 4, 0x11223344, false, touched);
    table.write(regs, 0x16, 1, 0xee, false, touched);
    expect(table.read(regs, 0x14, 4)).toBe(0x11ee3344);
    // A misaligned word lands across two array elements; each one's effect is due once.
    const n = table.write(regs, 0x13, 2, 0x9988, false, touched);
    expect(names(n)).toEqual(['TSD0', 'TSD1']);
    expect(table.read(regs, 0x13, 2)).toBe(0x9988);
    expect(table.read(regs, 0x14, 4)).toBe(0x11ee3399);
  });

  it('clears W1C bits where the guest writes 1 and leaves those it writes 0', () => {
    const regs = fresh();
    regs[0x08] = 0x0f;
    table.write(regs, 0x08, 2, 0xab05, false, touched);
    expect(regs[0x08]).toBe(0x0a);
    expect(regs[0x09]).toBe(0xab);
    // One access touching both bytes runs the register's effect once.
    expect(names(table.write(regs, 0x08, 2, 0, false, touched))).toEqual(['STAT']);
  });

  it('changes a locked register only while unlocked, and then it is due', () => {
    const regs = fresh();
    expect(table.write(regs, 0x0a, 1, 0xff, false, touched)).toBe(0);
    expect(regs[0x0a]).toBe(0x0c);
    expect(names(table.write(regs, 0x0a, 1, 0xff, true, touched))).toEqual(['CFG']);
    expect(regs[0x0a]).toBe(0xff);
  });

  it('runs an effect only when the commit byte is written', () => {
    const regs = fresh();
    expect(table.write(regs, 0x0c, 2, 0x1234, false, touched)).toBe(0);
    expect(table.read(regs, 0x0c, 2)).toBe(0x1234);
    expect(names(table.write(regs, 0x0e, 2, 0x8000, false, touched))).toEqual(['DOOR']);
  });

  it('stores bytes no register owns and wraps offsets at the window', () => {
    const regs = fresh();
    expect(table.write(regs, 0x30, 1, 0x42, false, touched)).toBe(0);
    expect(table.read(regs, 0x30, 1)).toBe(0x42);
    // The chip decodes the low address lines only: 0x44 is CTRL's low byte.
    expect(names(table.write(regs, 0x44, 1, 0xaa, false, touched))).toEqual(['CTRL']);
    expect(regs[0x04]).toBe(0xaa);
  });

  it('drops writes to bytes no register owns where the table says they are ignored', () => {
    const reserved = defineRegisters([{ name: 'A', offset: 0, width: 1 }], { size: 4, unowned: 'ignored' });
    const regs = new Uint8Array(reserved.size);
    reserved.write(regs, 0, 4, 0xffffffff, false, touched);
    expect(Array.from(regs)).toEqual([0xff, 0, 0, 0]);
  });

  it('clears a read-clear register on read', () => {
    const regs = fresh();
    table.write(regs, 0x20, 2, 0x0102, false, touched);
    expect(table.read(regs, 0x20, 2)).toBe(0x0102);
    expect(table.read(regs, 0x20, 2)).toBe(0);
  });

  it('names accesses for the trace from the table', () => {
    expect(table.nameAt(0x01)).toBe('ID1');
    expect(table.nameAt(0x18)).toBe('TSD2');
    expect(table.nameAt(0x06)).toBe('CTRL+2');
    expect(table.nameAt(0x30)).toBe('CSR+0x30');
    expect(table.nameAt(0x100)).toBe('CSR+0x100');
    expect(table.describe(0x08, 0x03)).toBe('RX TX');
    expect(table.describe(0x08, 0x02)).toBe('TX');
    expect(table.describe(0x09, 0x02)).toBe('');
    expect(defineRegisters([{ name: 'A', offset: 0, width: 1 }]).nameAt(1)).toBe('0x1');
  });

  it('refuses overlapping registers and a name given twice', () => {
    expect(() =>
      defineRegisters([
        { name: 'A', offset: 0, width: 4 },
        { name: 'B', offset: 2, width: 2 },
      ]),
    ).toThrow('B overlaps A');
    expect(() =>
      defineRegisters([
        { name: 'A', offset: 0, width: 1 },
        { name: 'A', offset: 1, width: 1 },
      ]),
    ).toThrow('A twice');
  });
});
