import {
  type Device,
  definePlugin,
  type NetworkBackend,
  type NetworkClient,
  type NetworkPort,
} from '@plugboard/core';
import { FrameQueue } from '@plugboard/net';

export interface WebSocketNetConfig {
  url: string;
  queueFrames: number;
}

/** Frames larger than this from the proxy are not Ethernet frames (jumbo frames included); they are dropped. */
const MAX_FRAME = 65550;

/**
 * A netdev for a page: each WebSocket binary message is one Ethernet frame,
 * to and from `plugboard net-proxy`, which runs user-mode networking on the
 * host. Frames from the proxy arrive between run slices, as a Node slirp's
 * host-socket frames do; while the NIC has no room they wait, bounded.
 */
export class WebSocketNet implements NetworkBackend {
  private client: NetworkClient | null = null;
  private readonly queue: FrameQueue;
  private readonly socket: WebSocket;
  /** Frames the guest sent before the socket opened or after it closed. */
  sendDropped = 0;
  readonly opened: Promise<void>;

  constructor(
    readonly id: string,
    readonly url: string,
    queueFrames: number,
    log: (message: string) => void,
  ) {
    this.queue = new FrameQueue(queueFrames, queueFrames * 1514);
    this.socket = new WebSocket(url);
    this.socket.binaryType = 'arraybuffer';
    this.opened = new Promise((resolve, reject) => {
      this.socket.addEventListener('open', () => resolve(), { once: true });
      this.socket.addEventListener(
        'error',
        () =>
          reject(new Error(`${id}: cannot reach net-proxy at ${url} (is \`plugboard net-proxy\` running?)`)),
        { once: true },
      );
    });
    this.socket.addEventListener('message', (e) => {
      if (!(e.data instanceof ArrayBuffer) || e.data.byteLength > MAX_FRAME || !this.client) return;
      this.queue.deliver(this.client, new Uint8Array(e.data));
    });
    this.socket.addEventListener('close', () => {
      log(`${id}: net-proxy closed the connection`);
      this.client?.linkChanged?.(false);
    });
  }

  connect(client: NetworkClient): NetworkPort {
    this.client = client;
    return {
      send: (frame) => {
        if (this.socket.readyState === WebSocket.OPEN) this.socket.send(frame.slice());
        else this.sendDropped++;
      },
      receiveReady: () => {
        if (this.client) this.queue.flush(this.client);
      },
      disconnect: () => {
        this.client = null;
      },
    };
  }

  close(): void {
    this.socket.close();
  }
}

export const webSocketNetPlugin = definePlugin<WebSocketNetConfig, WebSocketNet & Device>({
  meta: { id: 'websocket', name: 'Ethernet frames over a WebSocket to plugboard net-proxy (a page)' },
  kind: 'netdev',
  configSchema: {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    additionalProperties: false,
    required: ['url'],
    properties: {
      url: { type: 'string', pattern: '^wss?://', description: 'The net-proxy, e.g. ws://127.0.0.1:8081/.' },
      queueFrames: {
        type: 'integer',
        minimum: 1,
        maximum: 65536,
        default: 256,
        description: 'Frames held while the NIC cannot receive; beyond, frames are dropped.',
      },
    },
  },
  async create(ctx, config) {
    const net = new WebSocketNet(ctx.id, config.url, config.queueFrames, (m) => ctx.log(m)) as WebSocketNet &
      Device;
    await net.opened;
    net.destroy = () => net.close();
    net.info = () => `websocket ${ctx.id}: ${config.url}, dropped ${net.sendDropped} out`;
    return net;
  },
});
