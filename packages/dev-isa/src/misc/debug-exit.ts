import { type DeviceContext, definePlugin } from '@plugboard/core';

export interface DebugExitConfig {
  iobase: number;
  size: number;
}

/**
 * QEMU's isa-debug-exit: a write of v ends the run with exit code
 * (v << 1) | 1, so test programs report pass or fail without a chipset.
 */
export const debugExitPlugin = definePlugin<DebugExitConfig>({
  meta: { id: 'isa-debug-exit', name: 'Debug exit port (QEMU isa-debug-exit)' },
  kind: 'isa',
  configSchema: {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    additionalProperties: false,
    properties: {
      iobase: { type: 'integer', minimum: 0, maximum: 0xffff, default: 0x501 },
      size: { enum: [1, 2, 4], default: 1, description: 'Width of the port in bytes (QEMU iosize).' },
    },
  },
  create(ctx: DeviceContext, config) {
    const exit = (value: number) =>
      ctx.system.requestShutdown(`debug exit 0x${value.toString(16)}`, ((value << 1) | 1) & 0xff);
    ctx.ports.register(`${ctx.id} debug exit`, config.iobase, config.size, {
      read8: () => 0xff,
      write8: (_, v) => exit(v),
      write16: (_, v) => exit(v),
      write32: (_, v) => exit(v),
    });
    return { info: () => `port 0x${config.iobase.toString(16)}`, vmstate: null };
  },
});
