import {
  type AbsolutePointerService,
  type Device,
  type DisplaySource,
  definePlugin,
  type HostListeners,
  type Ps2InputService,
  type RemoteConsoleService,
  Tokens,
} from '@plugboard/core';
import { parseDisplay, WEBSOCKET_BASE_PORT } from './display-address.js';
import { VncServer } from './vnc-server.js';

export interface VncConfig {
  display: string | number;
  host: string;
  websocket: boolean | number;
  maxClients: number;
  password: boolean;
  allowedOrigins: string[];
}

export interface VncDevice extends Device {
  readonly server: VncServer;
}

export const vncPlugin = definePlugin<VncConfig, VncDevice>({
  meta: { id: 'vnc', name: 'VNC server (RFB 3.8) for the screen, keyboard and mouse' },
  kind: 'system',
  configSchema: {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    additionalProperties: false,
    required: ['display'],
    properties: {
      display: {
        type: ['string', 'integer'],
        description: 'As after QEMU\'s -vnc: ":1", 1 or "host:1"; display N listens on TCP port 5900+N.',
      },
      host: {
        type: 'string',
        default: '127.0.0.1',
        description:
          'Address to listen on when `display` names none. Without `password` anyone who reaches it drives the console: keep it local.',
      },
      websocket: {
        type: ['boolean', 'integer'],
        default: false,
        minimum: 1,
        maximum: 65535,
        description: 'Also serve RFB over WebSocket (noVNC): true for port 5700+N as QEMU, or a port.',
      },
      maxClients: {
        type: 'integer',
        default: 4,
        minimum: 1,
        maximum: 64,
        description: 'Connections served at once; more are refused.',
      },
      password: {
        type: 'boolean',
        default: false,
        description:
          "VNC authentication (QEMU's password=on): clients need the password the monitor's `set_password vnc PASSWORD` sets; none gets in before.",
      },
      allowedOrigins: {
        type: 'array',
        items: { type: 'string' },
        default: [],
        description:
          'Web origins (scheme://host[:port], or "*") whose pages may open the WebSocket besides the server\'s own host.',
      },
    },
  },
  create(ctx, config) {
    const address = parseDisplay(config.display, config.host);
    const websocketPort =
      config.websocket === false
        ? null
        : config.websocket === true
          ? WEBSOCKET_BASE_PORT + address.display
          : config.websocket;
    const server = new VncServer({
      host: address.host,
      port: address.port,
      websocketPort,
      maxClients: config.maxClients,
      password: config.password,
      allowedOrigins: config.allowedOrigins,
      name: `Plugboard ${ctx.id}`,
      log: (m) => ctx.log(m),
    });
    const console: RemoteConsoleService = { protocol: 'vnc', setPassword: (p) => server.setPassword(p) };
    ctx.container.bind(Tokens.RemoteConsole).toConstantValue(console);
    return {
      server,
      // Host side only: clients reconnect.
      vmstate: null,
      async realize() {
        const c = ctx.container;
        const display = c.isBound(Tokens.Display) ? c.get<DisplaySource>(Tokens.Display) : null;
        const input = c.isBound(Tokens.Ps2Input) ? c.get<Ps2InputService>(Tokens.Ps2Input) : null;
        const pointer = c.isBound(Tokens.AbsolutePointer)
          ? c.get<AbsolutePointerService>(Tokens.AbsolutePointer)
          : null;
        if (!display) ctx.log('vnc: the machine has no display; clients see black');
        server.attach(display, input, pointer);
        await server.listen();
        // The guest must not reach the console through user-mode networking's gateway.
        const listeners = c.isBound(Tokens.HostListeners) ? c.get<HostListeners>(Tokens.HostListeners) : null;
        const { tcp, websocket } = server.ports;
        listeners?.add(tcp, 'VNC server');
        if (websocket !== null) listeners?.add(websocket, 'VNC WebSocket');
        ctx.log(`vnc: listening on ${address.host}:${address.port}`);
      },
      destroy: () => server.close(),
      info() {
        const { tcp, websocket } = server.ports;
        const ws = websocket ? `, WebSocket port ${websocket}` : '';
        return `${ctx.id}: VNC on ${address.host}:${tcp} (display :${address.display})${ws}, ${server.clients} client(s)`;
      },
    };
  },
});
