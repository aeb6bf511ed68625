import { type DeviceContext, type DeviceState, definePlugin, objectState } from '@plugboard/core';

export interface Port80Config {
  iobase: number;
  log: boolean;
}

export interface Port80Device {
  /** The last POST code written, or -1. */
  readonly lastCode: number;
  reset(): void;
  info(): string;
  vmstate: DeviceState;
}

/**
 * The POST code port: firmware writes progress codes to 0x80 and Linux uses
 * it as an I/O delay. Reads float high. Codes go to the device log only when
 * `log` is set, since Linux writes here constantly.
 */
export const port80Plugin = definePlugin<Port80Config, Port80Device>({
  meta: { id: 'port80', name: 'POST code port' },
  kind: 'isa',
  configSchema: {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    additionalProperties: false,
    properties: {
      iobase: { type: 'integer', minimum: 0, maximum: 0xffff, default: 0x80 },
      log: { type: 'boolean', default: false, description: 'Log every POST code.' },
    },
  },
  create(ctx: DeviceContext, config) {
    const post = { lastCode: -1 };
    ctx.ports.register(`${ctx.id} POST`, config.iobase, 1, {
      read8: () => 0xff,
      write8: config.log
        ? (_off, value) => {
            post.lastCode = value;
            ctx.log(`POST 0x${value.toString(16).padStart(2, '0')}`);
          }
        : (_off, value) => {
            post.lastCode = value;
          },
    });
    return {
      get lastCode() {
        return post.lastCode;
      },
      reset() {
        post.lastCode = -1;
      },
      info: () => (post.lastCode < 0 ? 'no POST code yet' : `last POST code 0x${post.lastCode.toString(16)}`),
      vmstate: objectState({ post }, { version: 1 }),
    };
  },
});
