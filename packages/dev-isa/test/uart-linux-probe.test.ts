import { createDeviceContext, createMachineParts, type MachineParts } from '@plugboard/core';
import { uart16550aPlugin } from '@plugboard/dev-isa';
import { beforeEach, describe, expect, it } from 'vitest';

/**
 * The register sequences Linux's 8250 driver (drivers/tty/serial/8250/8250_port.c,
 * autoconfig() and serial8250_do_startup()) runs against a legacy port,
 * replayed step by step: the UART must come out as a plain 16550A with no
 * THRE or TXEN bug flags.
 */
let parts: MachineParts;
const base = 0x3f8;
const rd = (reg: number) => parts.ports.in8(base + reg);
const wr = (reg: number, v: number) => parts.ports.out8(base + reg, v);

beforeEach(async () => {
  parts = createMachineParts({ memoryBytes: 1024 * 1024 });
  const ctx = createDeviceContext(
    parts,
    { requestReset: () => {}, requestShutdown: () => {} },
    { id: 'com1' },
  );
  const dev = await uart16550aPlugin.create(ctx, { iobase: base, irq: 4, backend: { type: 'null' } });
  dev.reset();
});

describe('Linux 8250 probing', () => {
  it('passes autoconfig as a 16550A', () => {
    // IER scratch test
    const saved = rd(1);
    wr(1, 0);
    const scratch2 = rd(1) & 0x0f;
    wr(1, 0x0f);
    const scratch3 = rd(1) & 0x0f;
    wr(1, saved);
    expect([scratch2, scratch3]).toEqual([0, 0x0f]);
    // loopback test: MCR = LOOP | OUT2 | RTS must show DCD | CTS
    const saveMcr = rd(4);
    const saveLcr = rd(3);
    wr(4, 0x10 | 0x0a);
    expect(rd(6) & 0xf0).toBe(0x90);
    wr(4, saveMcr);
    // EFR probe, then FIFO detection: IIR bits 7-6 = 3 means 16550A
    wr(3, 0xbf);
    wr(2, 0);
    wr(3, 0);
    wr(2, 0x01);
    expect(rd(2) >> 6).toBe(3);
    // ST16C650 EFR checks read IIR here: never 0
    wr(3, 0x80);
    expect(rd(2)).not.toBe(0);
    wr(3, 0xbf);
    expect(rd(2)).not.toBe(0);
    // National SuperIO check: IIR bit 4 never follows MCR LOOP
    wr(3, 0);
    const status1 = rd(4);
    wr(3, 0xe0);
    const status2 = rd(2);
    expect((status2 ^ status1) & 0x10).toBe(0);
    wr(3, 0);
    wr(4, status1 ^ 0x10);
    wr(3, 0xe0);
    const status3 = rd(2);
    wr(3, 0);
    wr(4, status1);
    expect((status3 ^ status1) & 0x10).toBe(0); // not an NS16550 SuperIO
    // 16750 check: IIR >> 5 must not become 7 with the 64-byte bit under DLAB
    wr(3, 0);
    wr(2, 0x21);
    const s750a = rd(2) >> 5;
    wr(2, 0x01);
    wr(3, 0x80);
    wr(2, 0x21);
    const s750b = rd(2) >> 5;
    wr(2, 0x01);
    wr(3, 0);
    expect(s750a === 6 && s750b === 7).toBe(false);
    // XScale UUE bit (IER bit 6) must not stick
    const ier = rd(1);
    wr(1, ier | 0x40);
    expect(rd(1) & 0x40).toBe(0);
    wr(3, saveLcr);
  });

  it('shows neither UART_BUG_THRE nor UART_BUG_TXEN at start-up', () => {
    wr(3, 0x03);
    wr(4, 0x0b); // DTR | RTS | OUT2
    // THRE re-assertion test
    expect(rd(5) & 0x20).toBe(0x20);
    wr(1, 0x02);
    const iir1 = rd(2);
    wr(1, 0);
    wr(1, 0x02);
    const iir = rd(2);
    wr(1, 0);
    expect(iir1 & 1).toBe(0);
    expect(iir & 1).toBe(0);
    // TXEN test: enabling THRI must interrupt at once
    wr(1, 0x02);
    const lsr = rd(5);
    const iir2 = rd(2);
    wr(1, 0);
    expect(lsr & 0x40).toBe(0x40);
    expect(iir2 & 1).toBe(0);
    // start_tx: enable THRI, the IRQ rises, the handler writes a burst of 16
    wr(1, 0x03);
    expect(parts.isaIrqs.level(4)).toBe(true);
    expect(rd(2) & 0x0f).toBe(0x02);
    for (let i = 0; i < 16; i++) wr(0, 0x41 + i);
    expect(rd(2) & 0x0f).toBe(0x02);
    expect(rd(2) & 0x0f).toBe(0x01);
    expect(parts.isaIrqs.level(4)).toBe(false);
  });
});
