import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildMachine, loadProfile, PluginRegistry } from '@plugboard/core';
import { describe, expect, it } from 'vitest';
import { type I440fx, type IoApic, type Piix3Isa, PiixTokens, plugins } from '../src/index.js';

const CHIPSET = {
  hostbridge: { type: 'i440fx', pci: '00:00.0' },
  isa: { type: 'piix3-isa', pci: '00:01.0' },
  pm: { type: 'piix4-pm', pci: '00:01.3' },
  ioapic: { type: 'ioapic', config: { ignorePolarity: false } },
};

async function build(devices: Record<string, unknown>) {
  const dir = mkdtempSync(join(tmpdir(), 'piix-'));
  const file = join(dir, 'machine.json');
  writeFileSync(file, JSON.stringify({ name: 'chipset', memory: '32M', devices }));
  const registry = new PluginRegistry();
  registry.addPackage({ plugins }, '@plugboard/dev-piix');
  return buildMachine(loadProfile(file), registry);
}

describe('dev-piix plugins', () => {
  it('export every chipset plugin with a closed, defaulted config schema', () => {
    const ids = plugins.map((p) => p.meta.id);
    for (const id of ['i440fx', 'piix3-isa', 'piix4-pm', 'ioapic', 'i8259', 'i8254', 'i8237'])
      expect(ids).toContain(id);
    for (const p of plugins) {
      expect(p.configSchema.additionalProperties).toBe(false);
      expect(p.configSchema.type).toBe('object');
    }
  });

  it('rejects unknown config properties with the profile path', async () => {
    await expect(build({ ioapic: { type: 'ioapic', config: { polarity: true } } })).rejects.toThrow(
      /devices\/ioapic\/config.*polarity/,
    );
  });

  it('build the QEMU pc chipset from a profile: 0xCF9 through the host bridge, PIRQs on the I/O APIC', async () => {
    const machine = await build(CHIPSET);
    const { ports, pci } = machine;
    expect(pci.list().map((f) => f.name)).toEqual(['hostbridge', 'isa', 'pm']);
    ports.out32(0xcf8, 0x80000800);
    expect(ports.in32(0xcfc)).toBe(0x70008086);
    const pirqs: number[] = [];
    machine.apicBus.addTarget({ accepts: () => true, deliver: (m) => pirqs.push(m.vector) });
    const ioapic = machine.container.get<IoApic>(PiixTokens.IoApic);
    ioapic.mmio.write32(0, 0x10 + 2 * 16);
    ioapic.mmio.write32(0x10, 0x70 | (1 << 15) | (1 << 13));
    machine.device<Piix3Isa>('isa')!.router.setPirq(0, true);
    expect(pirqs).toEqual([0x70]);
    const isa = machine.device<Piix3Isa>('isa')!;
    expect(machine.device<I440fx>('hostbridge')!.configMechanism.port0cf9).toBe(isa.resetControl.port);
    ports.out8(0xcf9, 0x02);
    expect(ports.in8(0xcf9)).toBe(0x02);
    machine.reset();
    expect(ports.in8(0xcf9)).toBe(0x00);
    await machine.destroy();
  });

  it('build an ISA-only machine from the standalone 8259, 8254 and 8237 plugins', async () => {
    const machine = await build({
      pic: { type: 'i8259' },
      pit: { type: 'i8254' },
      dma: { type: 'i8237' },
    });
    const { ports } = machine;
    ports.out8(0x21, 0x5a);
    expect(ports.in8(0x21)).toBe(0x5a);
    expect(ports.in8(0x4d0)).toBe(0);
    ports.out8(0x43, 0x34);
    ports.out8(0x40, 0x10);
    ports.out8(0x40, 0x00);
    expect(machine.clock.nextDeadline).toBeLessThan(Number.POSITIVE_INFINITY);
    machine.reset();
    expect(ports.in8(0x21)).toBe(0);
    expect(machine.clock.nextDeadline).toBe(Number.POSITIVE_INFINITY);
    await machine.destroy();
  });
});
