import { type DeviceContext, definePlugin } from '@plugboard/core';
import { PiixTokens } from '../tokens.js';
import { IOAPIC_BASE, IoApic } from './ioapic.js';

export interface IoApicConfig {
  ignorePolarity: boolean;
  id: number;
}

/** ISA IRQ n reaches pin n, except IRQ0 (the PIT), which QEMU's pc board wires to pin 2. */
export function isaToIoApic(line: number): number {
  if (line === 0) return 2;
  return line === 2 ? -1 : line;
}

/** PIRQA-D arrive on pins 16-19; PCI interrupts are active low on the wire. */
const PCI_PINS_ACTIVE_LOW = 0xf << 16;

export function installIoApic(ctx: DeviceContext, config: IoApicConfig): IoApic {
  const ioapic = new IoApic(ctx.apicBus, {
    ignorePolarity: config.ignorePolarity,
    id: config.id,
    activeLowPins: PCI_PINS_ACTIVE_LOW,
  });
  ctx.memory.mapMmio(`${ctx.id} I/O APIC`, IOAPIC_BASE, 0x1000, ioapic.mmio);
  ctx.apicBus.addEoiListener(ioapic);
  ctx.isaIrqs.connect(ioapic, isaToIoApic);
  if (ctx.container.isBound(PiixTokens.IoApic))
    throw new Error(`${ctx.id}: the machine already has an I/O APIC`);
  ctx.container.bind(PiixTokens.IoApic).toConstantValue(ioapic);
  ioapic.reset();
  return ioapic;
}

export const ioapicPlugin = definePlugin<IoApicConfig, IoApic>({
  meta: { id: 'ioapic', name: 'Intel 82093AA I/O APIC (24 pins at 0xFEC00000)' },
  kind: 'system',
  configSchema: {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    properties: {
      ignorePolarity: {
        type: 'boolean',
        default: false,
        description: "Ignore each pin's polarity bit, as KVM's in-kernel irqchip does (for driver testing)",
      },
      id: { type: 'integer', minimum: 0, maximum: 15, default: 0, description: 'IOAPICID at reset' },
    },
    additionalProperties: false,
    default: {},
  },
  create: (ctx, config) =>
    installIoApic(ctx, { ignorePolarity: config.ignorePolarity ?? false, id: config.id ?? 0 }),
});
