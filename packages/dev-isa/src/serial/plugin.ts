import { type DeviceContext, definePlugin, Tokens } from '@plugboard/core';
import { MemoryBackend, nullBackend, type SerialBackend } from './backend.js';
import { fileBackend, stdioBackend, tcpBackend } from './host-backends.js';
import { Uart16550a } from './uart16550a.js';

export interface SerialBackendConfig {
  type: 'stdio' | 'file' | 'tcp' | 'null' | 'memory';
  path?: string;
  port?: number;
  host: string;
  wait: boolean;
}

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
      backend: {
        type: 'object',
        additionalProperties: false,
        default: { type: 'null' },
        properties: {
          type: { enum: ['stdio', 'file', 'tcp', 'null', 'memory'], default: 'null' },
          path: {
            type: 'string',
            minLength: 1,
            description: 'file: where output goes (relative to the profile).',
          },
          port: {
            type: 'integer',
            minimum: 0,
            maximum: 65535,
            description: 'tcp: port to listen on (0: any).',
          },
          host: { type: 'string', default: '127.0.0.1', description: 'tcp: address to listen on.' },
          wait: {
            type: 'boolean',
            default: false,
            description: 'tcp: build the machine only once a client connects.',
          },
        },
        required: ['type'],
      },
    },
  },
  async create(ctx: DeviceContext, config) {
    const where = `/devices/${ctx.id}/config/backend`;
    const b = config.backend;
    let backend: SerialBackend;
    let tcpPort = 0;
    switch (b.type) {
      case 'stdio':
        backend = stdioBackend();
        break;
      case 'file':
        if (!b.path) throw new Error(`${where}/path: a file backend needs a path`);
        backend = fileBackend(ctx.resolvePath(b.path));
        break;
      case 'tcp': {
        if (b.port === undefined) throw new Error(`${where}/port: a tcp backend needs a port`);
        const tcp = tcpBackend(b.host ?? '127.0.0.1', b.port, b.wait ?? false);
        backend = tcp.backend;
        await tcp.ready;
        tcpPort = tcp.port();
        break;
      }
      case 'memory':
        backend = new MemoryBackend();
        break;
      default:
        backend = nullBackend();
    }
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
      destroy: () => uart.close(),
      info: () => uart.info(),
    };
  },
});
