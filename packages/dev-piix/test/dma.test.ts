import { type IsaDmaController, Tokens } from '@plugboard/core';
import { describe, expect, it } from 'vitest';
import { installIsaDma } from '../src/index.js';
import { bareMachine } from './bare-machine.js';

function setup() {
  const m = bareMachine();
  const dma = installIsaDma(m.ctx('dma'));
  dma.reset();
  return { m, dma, ports: m.parts.ports };
}

describe('8237A DMA controllers', () => {
  it('moves address and count through the byte pointer flip-flop, current and base alike', () => {
    const { ports } = setup();
    ports.out8(0x0c, 0);
    ports.out8(0x04, 0x34);
    ports.out8(0x04, 0x12);
    ports.out8(0x05, 0xff);
    ports.out8(0x05, 0x01);
    expect(ports.in8(0x04) | (ports.in8(0x04) << 8)).toBe(0x1234);
    expect(ports.in8(0x05) | (ports.in8(0x05) << 8)).toBe(0x01ff);
    // DMA2 registers sit on even ports; channel 5's address is at 0xC4.
    ports.out8(0xd8, 0);
    ports.out8(0xc4, 0x78);
    ports.out8(0xc4, 0x56);
    expect(ports.in8(0xc4) | (ports.in8(0xc4) << 8)).toBe(0x5678);
    // Clearing the flip-flop mid-way restarts at the low byte.
    expect(ports.in8(0xc4)).toBe(0x78);
    ports.out8(0xd8, 0);
    expect(ports.in8(0xc4)).toBe(0x78);
  });

  it('keeps mask bits through single, all and clear-mask writes; master clear masks all', () => {
    const { ports, dma } = setup();
    expect(ports.in8(0x0f) & 0x0f).toBe(0x0f);
    ports.out8(0x0e, 0);
    expect(ports.in8(0x0f) & 0x0f).toBe(0);
    ports.out8(0x0a, 0x06);
    expect(ports.in8(0x0f) & 0x0f).toBe(0x04);
    ports.out8(0x0a, 0x02);
    ports.out8(0x0f, 0x09);
    expect(ports.in8(0x0f) & 0x0f).toBe(0x09);
    ports.out8(0x0b, 0x56);
    expect(dma.dma1.channels[2].mode).toBe(0x54);
    ports.out8(0x0d, 0);
    expect(ports.in8(0x0f) & 0x0f).toBe(0x0f);
  });

  it('decodes the page registers but leaves 0x80 (POST codes) and the unused pages alone', () => {
    const { m, ports, dma } = setup();
    ports.out8(0x81, 0x12);
    ports.out8(0x87, 0x34);
    ports.out8(0x8b, 0x56);
    expect(dma.pages[2]).toBe(0x12);
    expect(dma.pages[0]).toBe(0x34);
    expect(dma.pages[5]).toBe(0x56);
    expect(ports.in8(0x8b)).toBe(0x56);
    for (const p of [0x80, 0x84, 0x85, 0x86, 0x88, 0x8c, 0x8d, 0x8e])
      expect(m.parts.ports.claimAt(p)).toBeNull();
  });

  it('runs a device transfer into memory at page:address, counts TC and masks the channel', () => {
    const { m, ports } = setup();
    const dma = m.parts.container.get<IsaDmaController>(Tokens.IsaDma);
    const data = Uint8Array.from({ length: 16 }, (_, i) => i + 1);
    const calls: [number, number][] = [];
    dma.connect(2, (position, size) => {
      calls.push([position, size]);
      const n = dma.writeMemory(2, position, data, position, 8);
      return position + n;
    });
    ports.out8(0x0c, 0);
    ports.out8(0x04, 0x00);
    ports.out8(0x04, 0x30);
    ports.out8(0x05, 15);
    ports.out8(0x05, 0);
    ports.out8(0x81, 0x01);
    ports.out8(0x0b, 0x46); // single mode, write to memory, channel 2
    ports.out8(0x0a, 0x02); // unmask
    dma.setDreq(2, true);
    m.runFor(1000);
    expect(calls).toEqual([
      [0, 16],
      [8, 16],
    ]);
    expect([...m.parts.memory.ram.subarray(0x13000, 0x13010)]).toEqual([...data]);
    expect(ports.in8(0x08) & 0x0f).toBe(0x04);
    expect(ports.in8(0x08) & 0x0f).toBe(0); // reading status cleared TC
    expect(ports.in8(0x0f) & 0x04).toBe(0x04);
    ports.out8(0x0c, 0);
    expect(ports.in8(0x05) | (ports.in8(0x05) << 8)).toBe(0xffff);
  });

  it('addresses words on DMA2 and reloads with autoinit', () => {
    const { m, ports } = setup();
    const dma = m.parts.container.get<IsaDmaController>(Tokens.IsaDma);
    dma.connect(
      5,
      (position, size) => position + dma.writeMemory(5, position, new Uint8Array(size).fill(0xab), 0, size),
    );
    ports.out8(0xd8, 0);
    ports.out8(0xc4, 0x00);
    ports.out8(0xc4, 0x08); // word address 0x0800 -> byte 0x1000
    ports.out8(0xc6, 3);
    ports.out8(0xc6, 0); // 4 words
    ports.out8(0x8b, 0x03); // page bit 0 is ignored for 16-bit channels
    ports.out8(0xd6, 0x55); // single, write, autoinit, channel 5
    ports.out8(0xd4, 0x01);
    dma.setDreq(5, true);
    m.runFor(100);
    dma.setDreq(5, false);
    expect([...m.parts.memory.ram.subarray(0x21000, 0x21009)]).toEqual([...new Array(8).fill(0xab), 0]);
    expect(ports.in8(0xd0) & 0x02).toBe(0x02);
    expect(ports.in8(0xde) & 0x02).toBe(0); // autoinit left it unmasked
  });

  it('clips guest-chosen addresses to RAM and refuses unknown channels', () => {
    const { m, ports, dma } = setup();
    ports.out8(0x87, 0xff); // page 0xFF: far beyond 2 MiB of RAM
    const buf = new Uint8Array(4);
    expect(dma.readMemory(0, 0, buf, 0, 4)).toBe(4);
    expect([...buf]).toEqual([0xff, 0xff, 0xff, 0xff]);
    expect(dma.writeMemory(0, 0, buf, 2, 100)).toBe(2);
    expect(() => dma.setDreq(8, true)).toThrow(RangeError);
    expect(m.parts.memory.ram.every((b) => b === 0)).toBe(true);
  });
});
