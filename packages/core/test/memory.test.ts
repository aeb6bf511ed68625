import { Dma, type MmioHandler, PhysicalMemory } from '@plugboard/core';
import { describe, expect, it } from 'vitest';

function recorder() {
  const log: string[] = [];
  const handler: MmioHandler = {
    read8: (o) => {
      log.push(`r8 ${o.toString(16)}`);
      return 0x40 + (o & 0xf);
    },
    write8: (o, v) => log.push(`w8 ${o.toString(16)}=${v.toString(16)}`),
    read32: (o) => {
      log.push(`r32 ${o.toString(16)}`);
      return 0xdeadbeef;
    },
  };
  return { log, handler };
}

describe('PhysicalMemory', () => {
  it('tells the CPU of every remap after counting it', () => {
    const m = new PhysicalMemory(1 << 20);
    const seen: number[] = [];
    m.onRemap = () => seen.push(m.generation);
    const start = m.generation;
    m.setA20(false);
    m.setA20(false);
    m.mapBuffer(0xc0000, new Uint8Array(0x1000), 0, 0x1000, false);
    m.setRoute(0xc0000, 0x1000, 'write', null);
    m.unmap(0xc0000, 0x1000);
    expect(seen).toEqual([start + 1, start + 2, start + 3, start + 4]);
  });

  it('tells the CPU of writes to pages it decoded code from, by any writer, once per page', () => {
    const m = new PhysicalMemory(1 << 20);
    const dma = new Dma(m);
    const hits: number[] = [];
    m.onCodeWrite = (page) => {
      hits.push(page);
      m.codePages[page] = 0;
    };
    const mark = () => m.codePages.set([1, 1, 1], 4);
    mark();
    m.write8(0x5000, 1);
    m.write32(0x4ffe, 0x11223344);
    m.write16(0x6000, 1);
    expect(hits).toEqual([5, 4, 6]);
    hits.length = 0;
    mark();
    dma.write(0x4f00, new Uint8Array(0x1200));
    dma.write32(0x6004, 1);
    expect(hits).toEqual([4, 5, 6]);
    hits.length = 0;
    m.write32(0x8000, 1);
    dma.fill(0x9000, 0, 0x100);
    expect(hits).toEqual([]);
  });

  it('reads and writes RAM little-endian at every width, across page boundaries', () => {
    const m = new PhysicalMemory(1 << 20);
    m.write32(0xffe, 0x11223344);
    expect(m.read8(0xffe)).toBe(0x44);
    expect(m.read8(0x1001)).toBe(0x11);
    expect(m.read16(0xfff)).toBe(0x2233);
    expect(m.read32(0xffe)).toBe(0x11223344);
    m.write16(0x2fff, 0xabcd);
    expect(m.read32(0x2ffe)).toBe(0x00abcd00);
  });

  it('reads unmapped space as all ones and drops writes there', () => {
    const m = new PhysicalMemory(1 << 20);
    expect(m.read8(0x200000)).toBe(0xff);
    expect(m.read16(0x200000)).toBe(0xffff);
    expect(m.read32(0xfffffffc)).toBe(0xffffffff);
    m.write32(0x200000, 0);
    expect(m.read32(0x200000)).toBe(0xffffffff);
  });

  it('routes MMIO pages to a handler with region-relative offsets and splits missing widths', () => {
    const m = new PhysicalMemory(1 << 20);
    const { log, handler } = recorder();
    m.mapMmio('dev', 0xfebd0000, 0x2000, handler);
    expect(m.read32(0xfebd1004)).toBe(0xdeadbeef);
    expect(m.read16(0xfebd0002)).toBe(0x4342);
    m.write16(0xfebd0010, 0x1234);
    expect(log).toEqual(['r32 1004', 'r8 2', 'r8 3', 'w8 10=34', 'w8 11=12']);
  });

  it('keeps read and write routes apart, as PAM shadowing needs', () => {
    const m = new PhysicalMemory(1 << 20);
    const rom = new Uint8Array(0x1000).fill(0xaa);
    m.setRoute(0xf0000, 0x1000, 'read', { buf: rom, offset: 0 });
    m.write8(0xf0000, 0x55);
    expect(m.read8(0xf0000)).toBe(0xaa);
    expect(m.ram[0xf0000]).toBe(0x55);
    m.unmap(0xf0000, 0x1000);
    expect(m.read8(0xf0000)).toBe(0x55);
  });

  it('maps read-only buffers that ignore writes and bumps the generation on every change', () => {
    const m = new PhysicalMemory(1 << 20);
    const rom = new Uint8Array(0x2000).fill(0x90);
    const g = m.generation;
    m.mapBuffer(0xfffff000, rom, 0x1000, 0x1000, false);
    expect(m.generation).toBeGreaterThan(g);
    m.write8(0xfffffff0, 0);
    expect(m.read8(0xfffffff0)).toBe(0x90);
  });

  it('gates A20 by mask and counts the change', () => {
    const m = new PhysicalMemory(1 << 21);
    const g = m.generation;
    m.setA20(false);
    expect(m.a20Mask).toBe(~(1 << 20));
    expect(m.generation).toBe(g + 1);
    m.setA20(false);
    expect(m.generation).toBe(g + 1);
    m.setA20(true);
    expect(m.a20Mask).toBe(-1);
  });

  it('refuses unaligned or oversized mappings and RAM sizes', () => {
    const m = new PhysicalMemory(1 << 20);
    expect(() => m.mapMmio('x', 0x1001, 0x1000, recorder().handler)).toThrow(/not page aligned/);
    expect(() => new PhysicalMemory(1000)).toThrow(/multiple of 4 KiB/);
  });
});

describe('Dma', () => {
  it('clips transfers to RAM: reads past the end float high, writes past the end vanish', () => {
    const m = new PhysicalMemory(0x10000);
    const dma = new Dma(m);
    m.ram.fill(7);
    const buf = new Uint8Array(8);
    expect(dma.read(0xfffc, buf)).toBe(false);
    expect([...buf]).toEqual([7, 7, 7, 7, 0xff, 0xff, 0xff, 0xff]);
    expect(dma.write(0xfffe, new Uint8Array([1, 2, 3, 4]))).toBe(false);
    expect(m.ram[0xffff]).toBe(2);
    expect(dma.read32(0xfffffffe)).toBe(0xffffffff);
    expect(dma.write32(0x10000, 1)).toBe(false);
    expect(dma.read(0x100, buf)).toBe(true);
  });

  it('treats addresses as unsigned 32-bit', () => {
    const m = new PhysicalMemory(0x10000);
    const dma = new Dma(m);
    expect(dma.write8(-1, 5)).toBe(false);
    expect(dma.fill(0xfff0, 1, 0x100)).toBe(false);
    expect(m.ram[0xffff]).toBe(1);
  });
});

describe('crc32', () => {
  it('matches the IEEE 802.3 check value and a known frame FCS', async () => {
    const { crc32 } = await import('@plugboard/core');
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });
});
