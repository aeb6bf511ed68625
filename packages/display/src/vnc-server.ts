import { createServer as createHttpServer, type Server as HttpServer, type IncomingMessage } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { AbsolutePointerService, DisplaySource, Ps2InputService } from '@plugboard/core';
import type { WebSocketServer } from 'ws';
import { FrameSource } from './frame-source.js';
import { RfbSession } from './session.js';

export interface VncServerOptions {
  host: string;
  port: number;
  /** Also serve RFB over WebSocket (for noVNC) on this port; null for none. */
  websocketPort?: number | null;
  maxClients?: number;
  /** The desktop name clients show. */
  name?: string;
  log?: (message: string) => void;
  /** VNC authentication (QEMU's `password=on`); no client gets in until `setPassword`. */
  password?: boolean;
  /**
   * Origins (`scheme://host[:port]`) whose web pages may open the WebSocket,
   * besides the server's own host; `*` for any. A browser sends any page's
   * Origin, so without this check any web site could drive the console.
   */
  allowedOrigins?: readonly string[];
}

/**
 * A VNC server for one screen: RFB 3.3/3.7/3.8, security type None. It runs
 * on Node's event loop and renders only when a client asks for an update.
 */
export class VncServer {
  private readonly frames = new FrameSource(null);
  private input: Ps2InputService | null = null;
  private pointer: AbsolutePointerService | null = null;
  private readonly sessions = new Set<RfbSession>();
  private tcp: Server | null = null;
  private http: HttpServer | null = null;
  private wss: WebSocketServer | null = null;
  private password: string | null = null;

  constructor(private readonly options: VncServerOptions) {}

  /**
   * QEMU's `set_password vnc PASSWORD`: RFB uses its first 8 characters.
   * Connections already in keep going, as in QEMU.
   */
  setPassword(password: string): void {
    this.password = password;
  }

  /** Connects the screen, the keyboard/mouse and an absolute pointer (a tablet, which then gets the pointer); any may be absent. */
  attach(
    display: DisplaySource | null,
    input: Ps2InputService | null,
    pointer: AbsolutePointerService | null = null,
  ): void {
    this.frames.attach(display);
    this.input = input;
    this.pointer = pointer;
  }

  /** The TCP port and (when enabled) the WebSocket port actually listened on. */
  get ports(): { tcp: number; websocket: number | null } {
    const port = (s: Server | HttpServer | null) => {
      const a = s?.address();
      return a && typeof a === 'object' ? a.port : null;
    };
    return { tcp: port(this.tcp) ?? 0, websocket: port(this.http) };
  }

  get clients(): number {
    return this.sessions.size;
  }

  async listen(): Promise<void> {
    const { host, port, websocketPort } = this.options;
    this.tcp = createServer((socket: Socket) => {
      socket.setNoDelay(true);
      this.accept(socket, `${socket.remoteAddress}:${socket.remotePort}`);
    });
    await listenOn(this.tcp, host, port);
    if (websocketPort === undefined || websocketPort === null) return;
    // ws is loaded only for a WebSocket port: a machine without one (a restore, a plain run) never pays for it.
    const { createWebSocketStream, WebSocketServer } = await import('ws');
    this.http = createHttpServer((_req, res) => res.writeHead(426).end('RFB over WebSocket only\n'));
    this.wss = new WebSocketServer({
      server: this.http,
      maxPayload: 1 << 20,
      verifyClient: ({ origin, req }: { origin: string; req: IncomingMessage }) => {
        const ok = originAllowed(origin, req.headers.host, this.options.allowedOrigins ?? []);
        if (!ok) (this.options.log ?? (() => {}))(`vnc: refusing a WebSocket from origin ${origin}`);
        return ok;
      },
    });
    this.wss.on('connection', (ws, req) => {
      const stream = createWebSocketStream(ws);
      this.accept(stream, `${req.socket.remoteAddress}:${req.socket.remotePort} (WebSocket)`);
    });
    await listenOn(this.http, host, websocketPort);
  }

  private accept(stream: Duplex, peer: string): void {
    const log = this.options.log ?? (() => {});
    if (this.sessions.size >= (this.options.maxClients ?? 4)) {
      log(`vnc: refusing ${peer}: too many clients`);
      stream.on('error', () => {});
      stream.destroy();
      return;
    }
    log(`vnc: client ${peer}`);
    const session: RfbSession = new RfbSession(
      stream,
      {
        frames: this.frames,
        input: () => this.input,
        pointer: () => this.pointer,
        name: this.options.name ?? 'Plugboard',
        log,
        ...(this.options.password ? { password: () => this.password } : {}),
      },
      () => this.sessions.delete(session),
    );
    this.sessions.add(session);
  }

  async close(): Promise<void> {
    for (const s of [...this.sessions]) s.close();
    this.wss?.close();
    await Promise.all(
      [this.tcp, this.http].map((s) => (s ? new Promise<void>((r) => s.close(() => r())) : null)),
    );
    this.tcp = null;
    this.http = null;
  }
}

function listenOn(server: Server | HttpServer, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) =>
      reject(new Error(`vnc: cannot listen on ${host}:${port} (${err.code ?? err.message})`));
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

/**
 * A WebSocket from a web page is allowed when the page comes from the host
 * the client reached the server by (Origin's host:port equals the Host
 * header) or from a listed origin. Clients that are not browsers send no Origin.
 */
export function originAllowed(
  origin: string | undefined,
  host: string | undefined,
  allowed: readonly string[],
): boolean {
  if (origin === undefined || origin === '') return true;
  if (allowed.includes('*') || allowed.includes(origin)) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  return host !== undefined && url.host === host.toLowerCase();
}
