import { type DeviceContext, definePlugin } from '@plugboard/core';
import { DualPic } from './dual-pic.js';

/** ISA IRQ 2 has no input of its own: the master's IR2 carries the slave. */
export function isaToPic(line: number): number {
  return line === 2 ? -1 : line;
}

/** Builds the 8259 pair with its ELCR, on its ports, between the ISA IRQs and the CPU's INTR. */
export function installDualPic(ctx: DeviceContext): DualPic {
  const pic = new DualPic(ctx.cpuPins);
  ctx.ports.register(`${ctx.id} 8259A master`, 0x20, 2, pic.masterPorts);
  ctx.ports.register(`${ctx.id} 8259A slave`, 0xa0, 2, pic.slavePorts);
  ctx.ports.register(`${ctx.id} ELCR`, 0x4d0, 2, pic.elcrPorts);
  ctx.isaIrqs.connect(pic, isaToPic);
  ctx.cpuPins.intController = pic;
  return pic;
}

export const i8259Plugin = definePlugin<Record<string, never>, DualPic>({
  meta: { id: 'i8259', name: 'Intel 8259A interrupt controller pair (cascaded, with PIIX ELCR)' },
  kind: 'isa',
  configSchema: {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    properties: {},
    additionalProperties: false,
    default: {},
  },
  create: (ctx) => installDualPic(ctx),
});
