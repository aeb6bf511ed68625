import { closeSync, openSync, writeSync } from 'node:fs';
import { type DeviceContext, definePlugin } from '@plugboard/core';
import { OutputBuffer } from '../host/output-buffer.js';
import { MemoryBackend } from '../serial/backend.js';
import {
  createSerialBackend,
  SERIAL_BACKEND_SCHEMA,
  type SerialBackendConfig,
} from '../serial/create-backend.js';

export interface DebugconConfig {
  iobase: number;
  output: string | SerialBackendConfig;
  readback: number;
}

export interface DebugconDevice {
  /** What was written, when `output` is `memory`. */
  text(): string;
  destroy(): void | Promise<void>;
  info(): string;
}

/** A line longer than this goes to the log in pieces. */
const MAX_LOG_LINE = 1024;

/**
 * QEMU's isa-debugcon: every byte written to the port goes to the host.
 * Reading the port returns 0xE9, which is how SeaBIOS (at 0x402) and other
 * firmware detect it.
 */
export const debugconPlugin = definePlugin<DebugconConfig, DebugconDevice>({
  meta: { id: 'debugcon', name: 'Debug console port (QEMU isa-debugcon)' },
  kind: 'isa',
  configSchema: {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    additionalProperties: false,
    properties: {
      iobase: {
        type: 'integer',
        minimum: 0,
        maximum: 0xffff,
        default: 0xe9,
        description: 'SeaBIOS logs to 0x402.',
      },
      output: {
        oneOf: [{ type: 'string', minLength: 1 }, SERIAL_BACKEND_SCHEMA],
        default: 'stderr',
        description:
          '"stdout", "stderr", "memory", "log" (the device log, a line at a time), a file path, or a serial backend object.',
      },
      readback: { type: 'integer', minimum: 0, maximum: 255, default: 0xe9 },
    },
  },
  async create(ctx: DeviceContext, config) {
    if (typeof config.output === 'object') {
      const chardev = config.output;
      const { backend } = await createSerialBackend(ctx, chardev, `/devices/${ctx.id}/config/output`);
      ctx.ports.register(`${ctx.id} debugcon`, config.iobase, 1, {
        read8: () => config.readback,
        write8: (_off, value) => backend.write(value),
      });
      return {
        text: () => (backend instanceof MemoryBackend ? backend.text() : ''),
        destroy: () => backend.close(),
        info: () => `port 0x${config.iobase.toString(16)} -> ${chardev.type}`,
        // Output only: what it printed is the host's.
        vmstate: null,
      };
    }
    const output = config.output;
    const memory = new MemoryBackend();
    let line = '';
    let fd = -1;
    let write: (byte: number) => void;
    let flush = () => {};
    switch (output) {
      case 'memory':
        write = (byte) => memory.write(byte);
        break;
      case 'log':
        write = (byte) => {
          if (byte === 0x0a || line.length >= MAX_LOG_LINE) {
            ctx.log(line);
            line = byte === 0x0a ? '' : String.fromCharCode(byte);
          } else if (byte !== 0x0d) line += String.fromCharCode(byte);
        };
        break;
      case 'stdout':
      case 'stderr': {
        const stream = output === 'stdout' ? process.stdout : process.stderr;
        const out = new OutputBuffer((chunk) => stream.write(chunk));
        write = (byte) => out.push(byte);
        flush = () => out.flush();
        break;
      }
      default: {
        const path = ctx.resolvePath(output);
        try {
          fd = openSync(path, 'w');
        } catch (err) {
          throw new Error(`/devices/${ctx.id}/config/output: cannot open ${path}: ${(err as Error).message}`);
        }
        const file = fd;
        const out = new OutputBuffer((chunk) => writeSync(file, chunk));
        write = (byte) => out.push(byte);
        flush = () => out.flush();
      }
    }
    ctx.ports.register(`${ctx.id} debugcon`, config.iobase, 1, {
      read8: () => config.readback,
      write8: (_off, value) => write(value),
    });
    return {
      text: () => memory.text(),
      destroy() {
        flush();
        if (line) ctx.log(line);
        line = '';
        if (fd >= 0) closeSync(fd);
        fd = -1;
      },
      info: () => `port 0x${config.iobase.toString(16)} -> ${output}`,
      vmstate: null,
    };
  },
});
