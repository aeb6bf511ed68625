import {
  type DeviceContext,
  type HostInputs,
  type HostTerminalService,
  hostInputsOf,
  Tokens,
} from '@plugboard/core';
import { MemoryBackend, nullBackend, type SerialBackend } from './backend.js';
import { fileBackend, stdioBackend, tcpBackend, tcpClientBackend, terminalBackend } from './host-backends.js';

/** A character backend as profiles (and the CLI's QEMU chardev translation) spell it. */
export interface SerialBackendConfig {
  type: 'stdio' | 'file' | 'tcp' | 'null' | 'memory';
  path?: string;
  port?: number;
  host?: string;
  server?: boolean;
  wait?: boolean;
}

export const SERIAL_BACKEND_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['type'],
  properties: {
    type: { enum: ['stdio', 'file', 'tcp', 'null', 'memory'] },
    path: { type: 'string', minLength: 1, description: 'file: where output goes (relative to the profile).' },
    port: {
      type: 'integer',
      minimum: 0,
      maximum: 65535,
      description: 'tcp: the port (0 lets a server pick one).',
    },
    host: {
      type: 'string',
      default: '127.0.0.1',
      description: 'tcp: the address to listen on or connect to.',
    },
    server: { type: 'boolean', default: true, description: 'tcp: listen (true) or connect (false).' },
    wait: {
      type: 'boolean',
      default: false,
      description: 'tcp server: build the machine only once a client connects.',
    },
  },
} as const;

/**
 * Opens a backend; `where` names the config path in error messages. While
 * recording, its input goes through the gate (`HostInputs`); replaying, the
 * log's input replaces the host's: output still goes to the terminal or
 * file, what is typed is dropped, and no socket opens.
 */
export async function createSerialBackend(
  ctx: DeviceContext,
  config: SerialBackendConfig,
  where: string,
): Promise<{ backend: SerialBackend; tcpPort: number }> {
  const inputs = hostInputsOf(ctx.container);
  if (inputs === null) return openBackend(ctx, config, where);
  const { backend, tcpPort } =
    inputs.mode === 'replay' && config.type === 'tcp'
      ? { backend: nullBackend(), tcpPort: 0 }
      : await openBackend(ctx, config, where);
  return { backend: gateInput(backend, inputs, `serial:${ctx.id}`), tcpPort };
}

function gateInput(backend: SerialBackend, inputs: HostInputs, name: string): SerialBackend {
  return {
    write: (byte) => backend.write(byte),
    // Replaying, the channel drops host input, but the backend attaches as usual: a terminal shared
    // with the monitor behaves the same (Ctrl-A still works).
    attach: (receive) => backend.attach(inputs.channel(name, receive)),
    close: () => backend.close(),
  };
}

async function openBackend(
  ctx: DeviceContext,
  config: SerialBackendConfig,
  where: string,
): Promise<{ backend: SerialBackend; tcpPort: number }> {
  switch (config.type) {
    case 'stdio':
      if (ctx.container.isBound(Tokens.HostTerminal))
        return {
          backend: terminalBackend(ctx.container.get<HostTerminalService>(Tokens.HostTerminal)),
          tcpPort: 0,
        };
      return {
        backend: stdioBackend(() => ctx.system.requestShutdown('Ctrl-A x on the console', 0)),
        tcpPort: 0,
      };
    case 'file':
      if (!config.path) throw new Error(`${where}/path: a file backend needs a path`);
      return { backend: fileBackend(ctx.resolvePath(config.path)), tcpPort: 0 };
    case 'tcp': {
      if (config.port === undefined) throw new Error(`${where}/port: a tcp backend needs a port`);
      const host = config.host ?? '127.0.0.1';
      if (config.server === false) {
        const client = tcpClientBackend(host, config.port);
        await client.ready;
        return { backend: client.backend, tcpPort: config.port };
      }
      const server = tcpBackend(host, config.port, config.wait ?? false);
      await server.ready;
      return { backend: server.backend, tcpPort: server.port() };
    }
    case 'memory':
      return { backend: new MemoryBackend(), tcpPort: 0 };
    default:
      return { backend: nullBackend(), tcpPort: 0 };
  }
}
