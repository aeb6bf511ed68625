import { type DeviceContext, definePlugin, objectState, Tokens } from '@plugboard/core';
import type { SerialBackend } from './backend.js';
import { createSerialBackend, SERIAL_BACKEND_SCHEMA, type SerialBackendConfig } from './create-backend.js';
import { Uart16550a } from './uart16550a.js';

export interface UartConfig {
  iobase: number;
  irq: number;
  backend: SerialBackendConfig;
}

export interface UartDevice {
  readonly uart: Uart16550a;
  /** The backend, a MemoryBackend when `type` is `memory`. */
  readonly backend: SerialBackend;
  /** The TCP port listened on (useful with port 0), or 0. */
  readonly tcpPort: number;
  realize(): void;
  reset(): void;
  destroy(): void | Promise<void>;
  info(): string;
}

export const uart16550aPlugin = definePlugin<UartConfig, UartDevice>({
  meta: { id: 'uart16550a', name: 'National Semiconductor 16550A UART' },
  kind: 'isa',
  configSchema: {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    additionalProperties: false,
    properties: {
      iobase: {
        type: 'integer',
        minimum: 0,
        maximum: 0xfff8,
        default: 0x3f8,
        description: 'COM1 0x3f8, COM2 0x2f8, COM3 0x3e8, COM4 0x2e8.',
      },
      irq: { type: 'integer', minimum: 0, maximum: 15, default: 4, description: 'COM1/3: 4, COM2/4: 3.' },
      backend: { ...SERIAL_BACKEND_SCHEMA, default: { type: 'null' } },
    },
  },
  async create(ctx: DeviceContext, config) {
    const { backend, tcpPort } = await createSerialBackend(
      ctx,
      config.backend,
      `/devices/${ctx.id}/config/backend`,
    );
    const uart = new Uart16550a(ctx.clock, ctx.isaIrq(config.irq), backend);
    ctx.ports.register(`${ctx.id} 16550A`, config.iobase, 8, uart.ports);
    return {
      uart,
      backend,
      tcpPort,
      realize() {
        if (ctx.container.isBound(Tokens.Machine)) {
          const machine = ctx.container.get<{ wake(): void }>(Tokens.Machine);
          uart.onHostInput = () => machine.wake();
        }
      },
      reset: () => uart.reset(),
      // Bytes the host typed that the guest has not received yet stay the host's: a restore starts with none.
      vmstate: objectState(
        { uart },
        { version: 1, skip: ['backend', 'hostQueue', 'hostHead', 'hostCount', 'dropped'] },
      ),
      destroy: () => uart.close(),
      info: () => uart.info(),
    };
  },
});
