import { createDeviceContext, createMachineParts, type MachineParts } from '@plugboard/core';
import { type MemoryBackend, type UartDevice, uart16550aPlugin } from '@plugboard/dev-isa';
import { beforeEach, describe, expect, it } from 'vitest';

const system = { requestReset: () => {}, requestShutdown: () => {} };
const COM1 = 0x3f8;
let parts: MachineParts;
let dev: UartDevice;
let mem: MemoryBackend;

async function build(): Promise<void> {
  parts = createMachineParts({ memoryBytes: 1024 * 1024 });
  const ctx = createDeviceContext(parts, system, { id: 'com1' });
  dev = (await uart16550aPlugin.create(ctx, {
    iobase: COM1,
    irq: 4,
    backend: { type: 'memory', host: '127.0.0.1', wait: false },
  })) as UartDevice;
  dev.reset();
  mem = dev.backend as MemoryBackend;
}

const rd = (reg: number) => parts.ports.in8(COM1 + reg);
const wr = (reg: number, value: number) => parts.ports.out8(COM1 + reg, value);
const irq = () => parts.isaIrqs.level(4);

function runFor(ns: number): void {
  const end = parts.clock.now + ns;
  while (parts.clock.nextDeadline <= end) {
    parts.clock.advanceTo(parts.clock.nextDeadline);
    parts.clock.runDue();
  }
  parts.clock.advanceTo(end);
}

/** 115200 baud, 8N1: ten bits per character. */
const CHAR = 10e9 / 115200;

function init8n1(): void {
  wr(3, 0x80);
  wr(0, 1);
  wr(1, 0);
  wr(3, 0x03);
}

describe('16550A registers', () => {
  beforeEach(build);

  it('comes out of reset idle with an empty transmitter and carrier present', () => {
    expect(rd(2)).toBe(0x01);
    expect(rd(5)).toBe(0x60);
    expect(rd(6)).toBe(0xb0);
    expect(rd(4)).toBe(0);
  });

  it('reads the divisor latch back through DLAB and derives the character time', () => {
    wr(3, 0x80);
    wr(0, 0x0c);
    wr(1, 0x00);
    expect([rd(0), rd(1)]).toEqual([0x0c, 0]);
    wr(3, 0x03);
    expect(dev.uart.charTimeNs()).toBeCloseTo(12 * CHAR, 3);
    expect(rd(1)).toBe(0);
  });

  it('keeps the scratch register and reports FIFOs in IIR bits 7-6', () => {
    wr(7, 0xa5);
    expect(rd(7)).toBe(0xa5);
    wr(2, 0x01);
    expect(rd(2)).toBe(0xc1);
  });

  it('sends THR bytes to the backend at once', () => {
    for (const ch of 'hi\n') wr(0, ch.charCodeAt(0));
    expect(mem.text()).toBe('hi\n');
    expect(rd(5) & 0x60).toBe(0x60);
  });
});

describe('16550A interrupts', () => {
  beforeEach(async () => {
    await build();
    init8n1();
    wr(4, 0x08); // OUT2 gates the IRQ onto the bus
  });

  it('raises THRE when ETBEI is enabled, clears it on the IIR read, re-arms on the next enable', () => {
    wr(1, 0x02);
    expect(irq()).toBe(true);
    expect(rd(2)).toBe(0x02);
    expect(irq()).toBe(false);
    expect(rd(2)).toBe(0x01);
    wr(1, 0x00);
    wr(1, 0x02);
    expect(rd(2)).toBe(0x02);
    wr(0, 0x41);
    expect(irq()).toBe(true);
    expect(rd(2)).toBe(0x02);
  });

  it('needs OUT2 to drive the line', () => {
    wr(4, 0x00);
    wr(1, 0x02);
    expect(rd(2) & 0x0f).toBe(0x02);
    expect(irq()).toBe(false);
  });

  it('signals received data at the FIFO trigger level', () => {
    wr(2, 0x81); // FIFO on, trigger 8
    wr(1, 0x01);
    mem.inject('abcdefgh');
    runFor(7 * CHAR);
    expect(rd(5) & 0x01).toBe(1);
    expect(rd(2)).toBe(0xc1);
    runFor(CHAR);
    expect(rd(2)).toBe(0xc4);
    expect(irq()).toBe(true);
    const got = Array.from({ length: 8 }, () => String.fromCharCode(rd(0))).join('');
    expect(got).toBe('abcdefgh');
    expect(rd(2)).toBe(0xc1);
    expect(irq()).toBe(false);
  });

  it('raises the character timeout four character times after the last byte below the trigger', () => {
    wr(2, 0xc1); // trigger 14
    wr(1, 0x01);
    mem.inject('xyz');
    runFor(3 * CHAR + 4 * CHAR - 1);
    expect(rd(2)).toBe(0xc1);
    runFor(1);
    expect(rd(2)).toBe(0xcc);
    expect(rd(0)).toBe(0x78);
    expect(rd(2)).toBe(0xc1);
    runFor(4 * CHAR);
    expect(rd(2)).toBe(0xcc);
  });

  it('reports overrun in LSR and as a line status interrupt, cleared by reading LSR', () => {
    wr(4, 0x18); // loopback + OUT2
    wr(1, 0x04);
    wr(0, 1);
    wr(0, 2);
    expect(rd(2)).toBe(0x06);
    expect(rd(5) & 0x03).toBe(0x03);
    expect(rd(5) & 0x02).toBe(0);
    expect(rd(2)).toBe(0x01);
    expect(rd(0)).toBe(2);
  });

  it('reports modem status changes in loopback', () => {
    wr(4, 0x18);
    rd(6);
    wr(1, 0x08);
    wr(4, 0x1b);
    expect(rd(2)).toBe(0x00);
    expect(rd(6)).toBe(0x80 | 0x20 | 0x10 | 0x03);
    expect(rd(2)).toBe(0x01);
  });
});

describe('16550A loopback and host input', () => {
  beforeEach(async () => {
    await build();
    init8n1();
  });

  it('loops TX to RX and modem outputs to inputs, sending nothing to the backend', () => {
    wr(4, 0x10 | 0x0a);
    expect(rd(6) & 0xf0).toBe(0x90);
    wr(0, 0x5a);
    expect(rd(5) & 0x01).toBe(1);
    expect(rd(0)).toBe(0x5a);
    expect(mem.output().length).toBe(0);
  });

  it('feeds a long host burst through the FIFO without overrun, in order', () => {
    wr(2, 0x01);
    const text = 'The quick brown fox jumps over the lazy dog. 0123456789';
    mem.inject(text);
    let got = '';
    for (let i = 0; i < 200 && got.length < text.length; i++) {
      runFor(CHAR * 20);
      expect(rd(5) & 0x02).toBe(0);
      while (rd(5) & 0x01) got += String.fromCharCode(rd(0));
    }
    expect(got).toBe(text);
  });

  it('drops host input beyond the bounded queue and counts it', () => {
    mem.inject(new Uint8Array(70 * 1024));
    expect(dev.uart.dropped).toBe(70 * 1024 - 64 * 1024);
  });
});

describe('16550A tcp backend', () => {
  it('serves one client on 127.0.0.1: guest output goes to it, its input reaches the guest', async () => {
    const { connect } = await import('node:net');
    parts = createMachineParts({ memoryBytes: 1024 * 1024 });
    const ctx = createDeviceContext(parts, system, { id: 'com1' });
    const tcp = (await uart16550aPlugin.create(ctx, {
      iobase: COM1,
      irq: 4,
      backend: { type: 'tcp', port: 0, host: '127.0.0.1', wait: false },
    })) as UartDevice;
    tcp.reset();
    init8n1();
    const client = connect(tcp.tcpPort, '127.0.0.1');
    const received: Buffer[] = [];
    client.on('data', (d) => received.push(d));
    const until = async (cond: () => boolean) => {
      for (let i = 0; i < 400 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
    };
    client.write('!');
    await until(() => {
      runFor(CHAR);
      return (rd(5) & 0x01) !== 0;
    });
    expect(rd(0)).toBe(0x21);
    wr(0, 0x4f);
    wr(0, 0x4b);
    await until(() => Buffer.concat(received).length >= 2);
    expect(Buffer.concat(received).toString()).toBe('OK');
    client.destroy();
    await tcp.destroy();
  });
});

describe('16550A tcp client backend', () => {
  it('connects out to a listening host (QEMU tcp: without server)', async () => {
    const { createServer } = await import('node:net');
    const got: Buffer[] = [];
    const server = createServer((s) => {
      s.on('data', (d) => got.push(d));
      s.write('Z');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    parts = createMachineParts({ memoryBytes: 1024 * 1024 });
    const ctx = createDeviceContext(parts, system, { id: 'com1' });
    const tcp = (await uart16550aPlugin.create(ctx, {
      iobase: COM1,
      irq: 4,
      backend: { type: 'tcp', port, host: '127.0.0.1', server: false },
    })) as UartDevice;
    tcp.reset();
    init8n1();
    wr(0, 0x61);
    for (let i = 0; i < 400 && (got.length === 0 || !(rd(5) & 1)); i++) {
      await new Promise((r) => setTimeout(r, 5));
      runFor(CHAR);
    }
    expect(Buffer.concat(got).toString()).toBe('a');
    expect(rd(0)).toBe(0x5a);
    await tcp.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  });
});

describe('stdio on a host terminal the front end owns', () => {
  it('writes through the bound HostTerminalService and hears the input it gives', async () => {
    const { Tokens } = await import('@plugboard/core');
    const written: number[] = [];
    let receive: ((data: Uint8Array) => void) | null = null;
    const terminal = {
      write: (data: Uint8Array) => written.push(...data),
      attach: (r: (data: Uint8Array) => void) => {
        receive = r;
      },
      detach: (r: (data: Uint8Array) => void) => {
        if (receive === r) receive = null;
      },
    };
    const p = createMachineParts({ memoryBytes: 1024 * 1024 });
    p.container.bind(Tokens.HostTerminal).toConstantValue(terminal);
    const ctx = createDeviceContext(p, system, { id: 'com1' });
    const uart = (await uart16550aPlugin.create(ctx, {
      iobase: COM1,
      irq: 4,
      backend: { type: 'stdio' },
    })) as UartDevice;
    uart.reset();
    p.ports.out8(COM1, 0x41);
    await new Promise((r) => setImmediate(r));
    expect(written).toEqual([0x41]);
    expect(receive).not.toBeNull();
    receive!(Uint8Array.of(0x42));
    for (let i = 0; i < 10 && !(p.ports.in8(COM1 + 5) & 1); i++) {
      p.clock.advanceTo(p.clock.nextDeadline);
      p.clock.runDue();
    }
    expect(p.ports.in8(COM1 + 5) & 1).toBe(1);
    expect(p.ports.in8(COM1)).toBe(0x42);
    await uart.destroy();
    expect(receive).toBeNull();
  });
});
