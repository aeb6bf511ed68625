import {
  createDeviceContext,
  createMachineParts,
  type MachineParts,
  type Ps2InputService,
  Tokens,
} from '@plugboard/core';
import { type I8042Device, i8042Plugin } from '@plugboard/dev-isa';
import { beforeEach, describe, expect, it } from 'vitest';

let parts: MachineParts;
let dev: I8042Device;
let resets: string[];
let a20: boolean[];

function build(withGate = true): void {
  parts = createMachineParts({ memoryBytes: 2 * 1024 * 1024 });
  resets = [];
  a20 = [];
  if (withGate) {
    parts.container.bind(Tokens.A20).toConstantValue({
      setSource: (name: string, on: boolean) => {
        expect(name).toBe('kbc');
        a20.push(on);
      },
    });
  }
  const system = { requestReset: (r: string) => resets.push(r), requestShutdown: () => {} };
  dev = i8042Plugin.create(createDeviceContext(parts, system, { id: 'kbc' }), {
    intelliMouse: true,
  }) as I8042Device;
  dev.realize();
  dev.reset();
}

const status = () => parts.ports.in8(0x64);
const cmd = (c: number) => parts.ports.out8(0x64, c);
const data = (d: number) => parts.ports.out8(0x60, d);

/** Everything in the output buffer, in order. */
function drain(): number[] {
  const out: number[] = [];
  for (let i = 0; i < 64 && status() & 1; i++) out.push(parts.ports.in8(0x60));
  return out;
}

describe('i8042 controller', () => {
  beforeEach(() => build());

  it('passes its self-test with 0x55 and sets the system flag', () => {
    expect(status() & 0x04).toBe(0);
    cmd(0xaa);
    expect(status() & 0x05).toBe(0x05);
    expect(drain()).toEqual([0x55]);
    cmd(0xab);
    cmd(0xa9);
    expect(drain()).toEqual([0x00, 0x00]);
  });

  it('reads and writes the command byte and marks command writes in status bit 3', () => {
    cmd(0x20);
    expect(status() & 0x08).toBe(0x08);
    expect(drain()).toEqual([0x03]);
    cmd(0x60);
    data(0x65);
    expect(status() & 0x08).toBe(0);
    cmd(0x20);
    expect(drain()).toEqual([0x65]);
    expect(dev.controller.commandByte).toBe(0x65);
  });

  it('raises IRQ1 for keyboard bytes only while the command byte enables it', () => {
    cmd(0x60);
    data(0x00);
    dev.key('KeyA', true);
    expect(status() & 1).toBe(1);
    expect(parts.isaIrqs.level(1)).toBe(false);
    cmd(0x60);
    data(0x01);
    // The command byte write is itself no data: the key still waits in the buffer.
    expect(parts.isaIrqs.level(1)).toBe(true);
    expect(drain()).toEqual([0x1c]);
    expect(parts.isaIrqs.level(1)).toBe(false);
  });

  it('gives each queued byte its own IRQ1 edge, as an edge-triggered 8259 needs', () => {
    const edges: boolean[] = [];
    parts.isaIrqs.connect({ setInput: (pin, level) => pin === 1 && edges.push(level) });
    dev.key('KeyA', true);
    dev.key('KeyA', false);
    expect(edges).toEqual([true]);
    // Set 2 (no translation after reset): make 1c, break f0 1c.
    expect(parts.ports.in8(0x60)).toBe(0x1c);
    // The next byte loaded at once, but only after the line dropped.
    expect(edges).toEqual([true, false, true]);
    expect(parts.ports.in8(0x60)).toBe(0xf0);
    expect(parts.ports.in8(0x60)).toBe(0x1c);
    expect(edges).toEqual([true, false, true, false, true, false]);
  });

  it('holds keys while the keyboard interface is disabled', () => {
    cmd(0xad);
    dev.key('KeyB', true);
    expect(status() & 1).toBe(0);
    cmd(0xae);
    expect(drain()).toEqual([0x32]);
  });

  it('drives A20 through the output port and the 0xDD/0xDF commands', () => {
    expect(a20.at(-1)).toBe(true);
    cmd(0xd1);
    data(0xdd);
    expect(a20.at(-1)).toBe(false);
    cmd(0xd0);
    expect(drain()).toEqual([0xcd]);
    cmd(0xdf);
    expect(a20.at(-1)).toBe(true);
    expect(resets).toEqual([]);
  });

  it('falls back to the memory map when no chipset A20 gate exists', () => {
    build(false);
    cmd(0xd1);
    data(0xcd);
    expect(parts.memory.a20Mask).toBe(~(1 << 20));
    cmd(0xd1);
    data(0xcf);
    expect(parts.memory.a20Mask).toBe(-1);
  });

  it('resets the system on 0xFE and on a low output port bit 0', () => {
    cmd(0xfe);
    expect(resets).toHaveLength(1);
    cmd(0xff);
    expect(resets).toHaveLength(1);
    cmd(0xd1);
    data(0xce);
    expect(resets).toHaveLength(2);
  });
});

describe('PS/2 keyboard', () => {
  beforeEach(() => build());

  it('answers reset with ACK and BAT, identify with AB 83', () => {
    data(0xff);
    expect(drain()).toEqual([0xfa, 0xaa]);
    data(0xf2);
    expect(drain()).toEqual([0xfa, 0xab, 0x83]);
    data(0xee);
    expect(drain()).toEqual([0xee]);
    data(0x12);
    expect(drain()).toEqual([0xfe]);
  });

  it('sends set 2 codes untranslated, with F0 breaks and E0 prefixes', () => {
    dev.key('KeyA', true);
    dev.key('KeyA', false);
    dev.key('ArrowUp', true);
    dev.key('ArrowUp', false);
    dev.key('F7', true);
    expect(drain()).toEqual([0x1c, 0xf0, 0x1c, 0xe0, 0x75, 0xe0, 0xf0, 0x75, 0x83]);
  });

  it('translates set 2 to set 1 when XLATE is on', () => {
    cmd(0x60);
    data(0x61);
    dev.key('KeyA', true);
    dev.key('KeyA', false);
    dev.key('ArrowUp', true);
    dev.key('ArrowUp', false);
    dev.key('F7', true);
    dev.keyCode(0x1c, true);
    expect(drain()).toEqual([0x1e, 0x9e, 0xe0, 0x48, 0xe0, 0xc8, 0x41, 0x1c]);
    data(0xf2);
    expect(drain()).toEqual([0xfa, 0xab, 0x41]);
  });

  it('switches to scan code set 1 and reports the set in use', () => {
    data(0xf0);
    data(0x00);
    expect(drain()).toEqual([0xfa, 0xfa, 0x02]);
    data(0xf0);
    data(0x01);
    expect(drain()).toEqual([0xfa, 0xfa]);
    dev.key('KeyA', true);
    dev.key('ControlRight', false);
    expect(drain()).toEqual([0x1e, 0xe0, 0x9d]);
  });

  it('takes LED and typematic arguments, and stops scanning on F5', () => {
    data(0xed);
    data(0x07);
    data(0xf3);
    data(0x20);
    expect(drain()).toEqual([0xfa, 0xfa, 0xfa, 0xfa]);
    expect(dev.controller.keyboard.leds).toBe(7);
    expect(dev.controller.keyboard.typematic).toBe(0x20);
    data(0xf5);
    drain();
    dev.key('KeyA', true);
    expect(drain()).toEqual([]);
    data(0xf4);
    drain();
    dev.key('KeyA', true);
    expect(drain()).toEqual([0x1c]);
  });

  it('sends Pause as one make-only sequence and rejects unknown key names', () => {
    dev.key('Pause', true);
    expect(drain()).toEqual([0xe1, 0x14, 0x77, 0xe1, 0xf0, 0x14, 0xf0, 0x77]);
    expect(dev.key('NoSuchKey', true)).toBe(false);
  });

  it('is reachable through the container token', () => {
    const input = parts.container.get<Ps2InputService>(Tokens.Ps2Input);
    input.key('Space', true);
    expect(drain()).toEqual([0x29]);
  });
});

describe('PS/2 mouse', () => {
  beforeEach(() => build());

  function aux(byte: number): number[] {
    cmd(0xd4);
    data(byte);
    return drain();
  }

  it('answers through the aux side with IRQ12 and the AUX_OBF status bit', () => {
    cmd(0xa8);
    aux(0xff);
    cmd(0xd4);
    data(0xf2);
    expect(status() & 0x21).toBe(0x21);
    expect(parts.isaIrqs.level(12)).toBe(true);
    expect(drain()).toEqual([0xfa, 0x00]);
    expect(parts.isaIrqs.level(12)).toBe(false);
  });

  it('streams three-byte packets once enabled, y up positive', () => {
    dev.mouse(5, 3, 0, 1);
    expect(drain()).toEqual([]);
    expect(aux(0xf4)).toEqual([0xfa]);
    dev.mouse(5, 3, 0, 1);
    expect(drain()).toEqual([0x08 | 0x01 | 0x20, 5, 0xfd]);
    dev.mouse(-300, 0, 0, 0);
    expect(drain()).toEqual([0x18, 0x00, 0x00, 0x18, 0xd4, 0x00]);
  });

  it('becomes an IntelliMouse after the 200/100/80 sample-rate knock and adds a wheel byte', () => {
    for (const rate of [200, 100, 80]) expect(aux(0xf3).concat(aux(rate))).toEqual([0xfa, 0xfa]);
    expect(aux(0xf2)).toEqual([0xfa, 0x03]);
    aux(0xf4);
    dev.mouse(0, 0, -1, 0);
    expect(drain()).toEqual([0x08, 0, 0, 0x0f]);
  });

  it('reports status, resolution and sample rate', () => {
    aux(0xe8);
    aux(0x03);
    aux(0xe7);
    aux(0xf4);
    expect(aux(0xe9)).toEqual([0xfa, 0x20 | 0x10, 0x03, 100]);
  });
});
