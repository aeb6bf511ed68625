import { type DeviceContext, definePlugin, type ObjectState, objectState } from '@plugboard/core';
import { NmiStatusControl } from './nmisc.js';
import { I8254 } from './pit.js';

export interface PitDevice {
  pit: I8254;
  nmisc: NmiStatusControl;
  reset(): void;
  vmstate: ObjectState;
}

/** Builds the 8254 on 0x40-0x43 with OUT0 on ISA IRQ0, and port 0x61. */
export function installPit(ctx: DeviceContext): PitDevice {
  const pit = new I8254(ctx.clock, ctx.isaIrq(0));
  const nmisc = new NmiStatusControl(ctx.clock, pit.counters[2]);
  ctx.ports.register(`${ctx.id} 8254 PIT`, 0x40, 4, pit.ports);
  ctx.ports.register(`${ctx.id} NMI status and control`, 0x61, 1, nmisc.ports);
  return {
    pit,
    nmisc,
    vmstate: objectState({ pit, nmisc }, { version: 1 }),
    reset() {
      nmisc.reset();
      pit.reset();
    },
  };
}

export const i8254Plugin = definePlugin<Record<string, never>, PitDevice>({
  meta: { id: 'i8254', name: 'Intel 8254 programmable interval timer with port 0x61' },
  kind: 'isa',
  configSchema: {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    properties: {},
    additionalProperties: false,
    default: {},
  },
  create: (ctx) => installPit(ctx),
});
