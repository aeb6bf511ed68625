import { type DeviceContext, definePlugin, Tokens } from '@plugboard/core';
import { IsaDma } from './isa-dma.js';

/** Page register ports: 0x80 is the POST code port, and the unused pages are left to others. */
const PAGE_RANGES: readonly [number, number][] = [
  [0x81, 3],
  [0x87, 1],
  [0x89, 3],
  [0x8f, 1],
];

/** Builds both 8237As and their page registers, and offers them as `Tokens.IsaDma`. */
export function installIsaDma(ctx: DeviceContext): IsaDma {
  const dma = new IsaDma(ctx.clock, ctx.dma);
  ctx.ports.register(`${ctx.id} 8237A DMA1`, 0x00, 0x10, dma.dma1Ports);
  ctx.ports.register(`${ctx.id} 8237A DMA2`, 0xc0, 0x20, dma.dma2Ports);
  for (const [base, length] of PAGE_RANGES) {
    ctx.ports.register(`${ctx.id} DMA page`, base, length, {
      read8: (offset) => dma.pagePorts.read8(base - 0x80 + offset),
      write8: (offset, value) => dma.pagePorts.write8(base - 0x80 + offset, value),
    });
  }
  if (ctx.container.isBound(Tokens.IsaDma))
    throw new Error(`${ctx.id}: the machine already has ISA DMA controllers`);
  ctx.container.bind(Tokens.IsaDma).toConstantValue(dma);
  return dma;
}

export const i8237Plugin = definePlugin<Record<string, never>, IsaDma>({
  meta: { id: 'i8237', name: 'Intel 8237A DMA controller pair with page registers' },
  kind: 'isa',
  configSchema: {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    properties: {},
    additionalProperties: false,
    default: {},
  },
  create: (ctx) => installIsaDma(ctx),
});
