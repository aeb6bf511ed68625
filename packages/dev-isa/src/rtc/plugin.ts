import {
  type CmosService,
  ConfigError,
  type DeviceContext,
  definePlugin,
  hostInputsOf,
  objectState,
  Tokens,
} from '@plugboard/core';
import { Cmos, initPcCmos } from './cmos.js';
import { Mc146818 } from './mc146818.js';

export interface RtcConfig {
  iobase: number;
  irq: number;
  base: string;
  cpus: number;
  boot: string;
  fdBootCheck: boolean;
}

export interface RtcDevice {
  readonly rtc: Mc146818;
  readonly cmos: CmosService;
  reset(): void;
  info(): string;
}

/** A fixed start time, so that runs repeat exactly unless the profile asks for the host's clock. */
export const DEFAULT_RTC_BASE = '2026-01-01T00:00:00Z';

/** Seconds since 1970 the clock starts at: `utc` and `localtime` read the host once, anything else is an ISO date. */
export function startSeconds(base: string, where: string): number {
  if (base === 'utc') return Math.floor(Date.now() / 1000);
  if (base === 'localtime') return Math.floor(Date.now() / 1000) - new Date().getTimezoneOffset() * 60;
  const ms = Date.parse(base);
  if (Number.isNaN(ms))
    throw new ConfigError(`${where}: base "${base}" is not "utc", "localtime" or an ISO date`);
  return Math.floor(ms / 1000);
}

export const mc146818Plugin = definePlugin<RtcConfig, RtcDevice>({
  meta: { id: 'mc146818', name: 'Motorola MC146818A real-time clock with CMOS RAM' },
  kind: 'isa',
  configSchema: {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    additionalProperties: false,
    properties: {
      iobase: { type: 'integer', minimum: 0, maximum: 0xfffe, default: 0x70 },
      irq: { type: 'integer', minimum: 0, maximum: 15, default: 8 },
      base: {
        type: 'string',
        default: DEFAULT_RTC_BASE,
        description:
          '"utc" or "localtime" (the host clock at start) or an ISO date; the clock then runs in virtual time.',
      },
      cpus: {
        type: 'integer',
        minimum: 1,
        maximum: 256,
        default: 1,
        description: 'CMOS 0x5f holds cpus - 1.',
      },
      boot: {
        type: 'string',
        pattern: '^[acdn]{0,3}$',
        default: 'cad',
        description: 'QEMU -boot order for CMOS 0x3d/0x38.',
      },
      fdBootCheck: {
        type: 'boolean',
        default: true,
        description: 'Check the floppy boot signature (CMOS 0x38 bit 0).',
      },
    },
  },
  create(ctx: DeviceContext, config) {
    const read = () => startSeconds(config.base, `/devices/${ctx.id}/config/base`);
    // "utc" and "localtime" read the host's calendar: a recording logs what it read, a replay reads the log.
    const inputs = hostInputsOf(ctx.container);
    const rtc = new Mc146818(
      ctx.clock,
      ctx.isaIrq(config.irq),
      inputs ? inputs.hostValue(`rtc:${ctx.id}`, read) : read(),
    );
    initPcCmos(rtc.cmos, {
      ramBytes: ctx.memory.ramSize,
      cpus: config.cpus,
      boot: config.boot,
      fdBootCheck: config.fdBootCheck,
    });
    ctx.ports.register(`${ctx.id} mc146818`, config.iobase, 2, rtc.ports);
    const cmos = new Cmos(rtc.cmos);
    ctx.container.bind(Tokens.Cmos).toConstantValue(cmos);
    return {
      rtc,
      cmos,
      // The time of day is the clock's (base seconds at power-on plus virtual time), saved with the rest.
      vmstate: objectState({ rtc }, { version: 1, skip: ['scratch'] }),
      reset: () => rtc.reset(),
      info: () =>
        `time ${new Date(rtc.seconds() * 1000).toISOString()}, NMI ${rtc.nmiMasked ? 'masked' : 'enabled'}`,
    };
  },
});
