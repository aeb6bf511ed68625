import { closeSync, fstatSync, openSync, readSync, realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { be16, put16 } from './bytes.js';
import type { Stack } from './stack.js';
import type { VirtualTimer } from './virtual-timers.js';

export const TFTP_PORT = 69;
const RRQ = 1;
const WRQ = 2;
const DATA = 3;
const ACK = 4;
const ERROR = 5;
const OACK = 6;

const ERR_UNDEFINED = 0;
const ERR_NOT_FOUND = 1;
const ERR_ACCESS = 2;
const ERR_ILLEGAL = 4;
const ERR_OPTION = 8;

/** Largest block that fits a 1500-byte MTU: 1500 - IP 20 - UDP 8 - TFTP 4. */
const MAX_BLKSIZE = 1468;
const DEFAULT_BLKSIZE = 512;
const DEFAULT_TIMEOUT_NS = 1e9;
const MAX_RETRIES = 5;

export interface TftpRequest {
  opcode: number;
  filename: string;
  mode: string;
  options: Map<string, string>;
}

/** Reads an RRQ/WRQ: NUL-terminated filename, mode and option pairs; null when malformed. */
export function parseRequest(b: Uint8Array): TftpRequest | null {
  if (b.length < 4 || b[b.length - 1] !== 0) return null;
  const opcode = be16(b, 0);
  if (opcode !== RRQ && opcode !== WRQ) return null;
  const fields: string[] = [];
  let start = 2;
  for (let i = 2; i < b.length; i++) {
    if (b[i] !== 0) continue;
    fields.push(String.fromCharCode(...b.subarray(start, i)));
    start = i + 1;
  }
  if (fields.length < 2 || fields.length % 2 !== 0 || fields[0] === '') return null;
  const options = new Map<string, string>();
  for (let i = 2; i < fields.length; i += 2) options.set(fields[i]!.toLowerCase(), fields[i + 1]!);
  return { opcode, filename: fields[0]!, mode: fields[1]!.toLowerCase(), options };
}

/**
 * `name` inside `root`, or null when it would leave it (`..`, absolute paths
 * outside, symlinks pointing out) or does not exist (nor does `root`).
 */
export function resolveInside(root: string, name: string): string | null {
  let realRoot: string;
  try {
    realRoot = realpathSync(root);
  } catch {
    // The folder went away (or never was): nothing inside it exists.
    return null;
  }
  const wanted = resolve(realRoot, `./${name.replace(/\\/g, '/').replace(/^\/+/, '')}`);
  let real: string;
  try {
    real = realpathSync(wanted);
  } catch {
    return null;
  }
  const rel = relative(realRoot, real);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? real : null;
}

interface Session {
  guestIp: number;
  guestPort: number;
  port: number;
  fd: number;
  size: number;
  blksize: number;
  timeoutNs: number;
  /** Block last sent (0 while an OACK waits for its ACK). */
  block: number;
  /** Bytes already sent before the current block. */
  offset: number;
  last: Uint8Array;
  retries: number;
  timer: VirtualTimer;
  finished: boolean;
}

/**
 * RFC 1350 TFTP at the gateway, read-only, over the configured folder, with
 * the blksize (2348), tsize (2349) and timeout options: enough for PXE.
 * Retransmission runs on virtual time; duplicate ACKs never trigger resends.
 */
export class TftpServer {
  private readonly sessions = new Set<Session>();

  constructor(
    private readonly stack: Stack,
    private readonly root: string | null,
  ) {}

  get active(): number {
    return this.sessions.size;
  }

  handleRequest(guestIp: number, guestPort: number, payload: Uint8Array): void {
    const req = parseRequest(payload);
    if (!req) {
      this.errorTo(guestIp, guestPort, TFTP_PORT, ERR_ILLEGAL, 'malformed request');
      return;
    }
    if (req.opcode === WRQ) {
      this.errorTo(guestIp, guestPort, TFTP_PORT, ERR_ACCESS, 'read-only server');
      return;
    }
    if (!this.root) {
      this.errorTo(guestIp, guestPort, TFTP_PORT, ERR_ACCESS, 'no TFTP folder');
      return;
    }
    if (this.sessions.size >= this.stack.config.limits.maxTftpSessions) {
      this.errorTo(guestIp, guestPort, TFTP_PORT, ERR_UNDEFINED, 'too many transfers');
      return;
    }
    const path = resolveInside(this.root, req.filename);
    let fd = -1;
    let size = 0;
    try {
      if (path) {
        fd = openSync(path, 'r');
        const st = fstatSync(fd);
        if (!st.isFile()) throw new Error('not a file');
        size = st.size;
      }
    } catch {
      if (fd >= 0) closeSync(fd);
      fd = -1;
    }
    if (fd < 0) {
      this.errorTo(guestIp, guestPort, TFTP_PORT, ERR_NOT_FOUND, 'file not found');
      return;
    }

    const oack: string[] = [];
    let blksize = DEFAULT_BLKSIZE;
    let timeoutNs = DEFAULT_TIMEOUT_NS;
    const bs = req.options.get('blksize');
    if (bs !== undefined) {
      const n = Number(bs);
      if (!Number.isInteger(n) || n < 8 || n > 65464) {
        closeSync(fd);
        this.errorTo(guestIp, guestPort, TFTP_PORT, ERR_OPTION, 'bad blksize');
        return;
      }
      blksize = Math.min(n, MAX_BLKSIZE);
      oack.push('blksize', String(blksize));
    }
    if (req.options.has('tsize')) oack.push('tsize', String(size));
    const to = Number(req.options.get('timeout'));
    if (Number.isInteger(to) && to >= 1 && to <= 255) {
      timeoutNs = to * 1e9;
      oack.push('timeout', String(to));
    }

    const session: Session = {
      guestIp,
      guestPort,
      port: 0,
      fd,
      size,
      blksize,
      timeoutNs,
      block: 0,
      offset: 0,
      last: new Uint8Array(0),
      retries: 0,
      timer: this.stack.timers.create(() => this.onTimeout(session)),
      finished: false,
    };
    session.port = this.stack.bindGatewayUdp((_ip, port, p) => {
      if (port === session.guestPort) this.onPacket(session, p);
    });
    this.sessions.add(session);
    if (oack.length > 0) {
      const body = new TextEncoder().encode(`${oack.join('\0')}\0`);
      const b = new Uint8Array(2 + body.length);
      put16(b, 0, OACK);
      b.set(body, 2);
      this.transmit(session, b);
    } else {
      this.sendBlock(session, 1);
    }
  }

  close(): void {
    for (const s of [...this.sessions]) this.end(s);
  }

  private onPacket(s: Session, p: Uint8Array): void {
    if (p.length < 4) return;
    const op = be16(p, 0);
    if (op === ERROR) {
      this.end(s);
      return;
    }
    if (op !== ACK) {
      this.errorTo(s.guestIp, s.guestPort, s.port, ERR_ILLEGAL, 'expected ACK');
      this.end(s);
      return;
    }
    if (be16(p, 2) !== (s.block & 0xffff)) return;
    if (s.finished) {
      this.end(s);
      return;
    }
    if (s.block > 0) s.offset += s.blksize;
    this.sendBlock(s, s.block + 1);
  }

  private sendBlock(s: Session, block: number): void {
    const b = new Uint8Array(4 + s.blksize);
    put16(b, 0, DATA);
    put16(b, 2, block & 0xffff);
    const n = s.offset < s.size ? readSync(s.fd, b, 4, Math.min(s.blksize, s.size - s.offset), s.offset) : 0;
    s.block = block;
    s.finished = n < s.blksize;
    this.transmit(s, b.subarray(0, 4 + n));
  }

  private transmit(s: Session, b: Uint8Array): void {
    s.last = b;
    s.retries = 0;
    this.stack.sendUdp(this.stack.vnet.host, s.port, s.guestIp, s.guestPort, b);
    s.timer.armIn(s.timeoutNs);
  }

  private onTimeout(s: Session): void {
    if (++s.retries > MAX_RETRIES) {
      this.end(s);
      return;
    }
    this.stack.sendUdp(this.stack.vnet.host, s.port, s.guestIp, s.guestPort, s.last);
    s.timer.armIn(s.timeoutNs);
  }

  private end(s: Session): void {
    if (!this.sessions.delete(s)) return;
    this.stack.timers.dispose(s.timer);
    this.stack.unbindGatewayUdp(s.port);
    closeSync(s.fd);
  }

  private errorTo(ip: number, port: number, from: number, code: number, message: string): void {
    const text = new TextEncoder().encode(message);
    const b = new Uint8Array(5 + text.length);
    put16(b, 0, ERROR);
    put16(b, 2, code);
    b.set(text, 4);
    this.stack.sendUdp(this.stack.vnet.host, from, ip, port, b);
  }
}
