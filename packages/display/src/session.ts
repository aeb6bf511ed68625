import type { Duplex } from 'node:stream';
import {
  type AbsolutePointerService,
  type Frame,
  POINTER_ABS_MAX,
  type Ps2InputService,
} from '@plugboard/core';
import { Damage, type Rect } from './damage.js';
import { DeflateStream } from './deflate-stream.js';
import { type DamageWatcher, type FrameSource, fitFrame } from './frame-source.js';
import { keysymToCode, xtKeycodeToSet1 } from './keysyms.js';
import {
  BGR233,
  PixelConverter,
  type PixelFormat,
  readPixelFormat,
  SERVER_PIXEL_FORMAT,
  writePixelFormat,
} from './pixel-format.js';
import { Button, ClientMessage, Encoding, PROTOCOL_VERSION, SecurityType, ServerMessage } from './rfb.js';
import { CHALLENGE_LENGTH, newChallenge, vncAuthOk } from './vnc-auth.js';
import { ZrleEncoder } from './zrle.js';

export interface SessionOptions {
  frames: FrameSource;
  /** Null on a machine without a keyboard controller: input is dropped. */
  input: () => Ps2InputService | null;
  /** An absolute pointing device (a USB tablet), when the machine has one: it gets the pointer instead of the mouse. */
  pointer?: () => AbsolutePointerService | null;
  name: string;
  log: (message: string) => void;
  /**
   * VNC authentication (QEMU's `password=on`): the password now, or null
   * while none is set (every attempt fails, as in QEMU). Absent: security type None.
   */
  password?: () => string | null;
}

/** Longer ClientCutText is taken for an attack; the text itself is ignored anyway. */
const MAX_CUT_TEXT = 1 << 20;
const MAX_ENCODINGS = 1024;
/** Updates to one client are at least this far apart (30 Hz), and an idle screen is polled this often. */
const UPDATE_INTERVAL_MS = 33;
/** A client that has not finished the handshake by then is dropped. */
const HANDSHAKE_TIMEOUT_MS = 10_000;

type Phase = 'version' | 'security' | 'auth' | 'init' | 'normal' | 'closed';

/**
 * One RFB connection: handshake, client messages, and framebuffer updates
 * made from the frames the client has not seen yet. Nothing a client sends
 * can throw out of here: a malformed message closes the connection.
 */
export class RfbSession {
  private phase: Phase = 'version';
  private minor = 8;
  private received: Buffer = Buffer.alloc(0);
  private challenge: Buffer | null = null;
  private discard = 0;
  private readonly handshakeTimer: NodeJS.Timeout;

  private conv = new PixelConverter(SERVER_PIXEL_FORMAT);
  private zrle: ZrleEncoder | null = null;
  private zrleStream: DeflateStream | null = null;
  private zlibStream: DeflateStream | null = null;
  private encoding: number = Encoding.Raw;
  private desktopSize = false;
  private extendedKeys = false;

  /** The framebuffer size the client knows. */
  private width = 0;
  private height = 0;
  /** What this client has not been sent yet. */
  private damage: Damage | null = null;
  private readonly watcher: DamageWatcher = (rects) => {
    const damage = this.damage;
    if (!damage) return;
    if (!rects) damage.addAll();
    else for (const r of rects) damage.add(r);
  };
  private request: Rect | null = null;
  private full = false;
  private busy = false;
  private timer: NodeJS.Timeout | null = null;
  private lastUpdate = 0;
  private examinedGeneration = -1;

  private buttons = 0;
  private pointerX = -1;
  private pointerY = 0;

  constructor(
    private readonly stream: Duplex,
    private readonly options: SessionOptions,
    private readonly onClose: () => void,
  ) {
    options.frames.watch(this.watcher);
    stream.on('data', (chunk: Buffer) => this.receive(chunk));
    stream.on('error', () => this.close());
    stream.on('close', () => this.close());
    this.handshakeTimer = setTimeout(() => {
      if (this.phase !== 'normal') this.close('handshake timed out');
    }, HANDSHAKE_TIMEOUT_MS);
    this.handshakeTimer.unref();
    this.write(Buffer.from(PROTOCOL_VERSION, 'latin1'));
  }

  /** Ends the connection; `flush` lets what was written go out first (a failed SecurityResult). */
  close(reason?: string, flush = false): void {
    if (this.phase === 'closed') return;
    if (reason) this.options.log(`vnc: closing a connection: ${reason}`);
    this.phase = 'closed';
    this.options.frames.unwatch(this.watcher);
    clearTimeout(this.handshakeTimer);
    if (this.timer) clearTimeout(this.timer);
    this.zrleStream?.close();
    this.zlibStream?.close();
    if (flush) this.stream.end();
    else this.stream.destroy();
    this.onClose();
  }

  private write(data: Uint8Array): void {
    if (this.phase !== 'closed' && !this.stream.destroyed) this.stream.write(data);
  }

  private receive(chunk: Buffer): void {
    this.received = this.received.length ? Buffer.concat([this.received, chunk]) : chunk;
    try {
      while (this.received.length) {
        if (this.discard) {
          const skip = Math.min(this.discard, this.received.length);
          this.discard -= skip;
          this.received = this.received.subarray(skip);
          continue;
        }
        const used = this.phase === 'closed' ? 0 : this.parse(this.received);
        if (!used) break;
        this.received = this.received.subarray(used);
      }
    } catch (err) {
      this.close(`internal error: ${(err as Error).message}`);
    }
  }

  /** Handles one message at the start of `b`; returns the bytes used, 0 when more are needed. */
  private parse(b: Buffer): number {
    switch (this.phase) {
      case 'version':
        return this.parseVersion(b);
      case 'security':
        if (b[0] !== this.securityType) {
          this.close(`security type ${b[0]} was not offered`);
          return 0;
        }
        if (this.securityType === SecurityType.VncAuthentication) this.sendChallenge();
        else {
          if (this.minor >= 8) this.write(Buffer.alloc(4)); // SecurityResult: OK
          this.phase = 'init';
        }
        return 1;
      case 'auth':
        return this.checkResponse(b);
      case 'init':
        this.serverInit();
        return 1; // the shared flag: every client shares the screen
      case 'normal':
        return this.parseMessage(b);
      default:
        return 0;
    }
  }

  private parseVersion(b: Buffer): number {
    if (b.length < 12) return 0;
    const m = /^RFB (\d{3})\.(\d{3})\n$/.exec(b.toString('latin1', 0, 12));
    if (!m || Number(m[1]) !== 3) {
      this.close('not an RFB 3.x client');
      return 0;
    }
    // RFC 6143 7.1.1: 3.3, 3.7 and 3.8 exist; anything else above 3.8 is 3.8, below 3.7 is 3.3.
    const minor = Number(m[2]);
    this.minor = minor >= 8 ? 8 : minor === 7 ? 7 : 3;
    if (this.minor === 3) {
      // 3.3: the server names the one type; no SecurityResult for None.
      const security = Buffer.alloc(4);
      security.writeUInt32BE(this.securityType);
      this.write(security);
      if (this.securityType === SecurityType.VncAuthentication) this.sendChallenge();
      else this.phase = 'init';
    } else {
      this.write(Buffer.from([1, this.securityType]));
      this.phase = 'security';
    }
    return 12;
  }

  private get securityType(): number {
    return this.options.password ? SecurityType.VncAuthentication : SecurityType.None;
  }

  private sendChallenge(): void {
    this.challenge = newChallenge();
    this.write(this.challenge);
    this.phase = 'auth';
  }

  /** RFC 6143 7.2.2: the DES of the challenge, then SecurityResult; a failure ends the connection. */
  private checkResponse(b: Buffer): number {
    if (b.length < CHALLENGE_LENGTH) return 0;
    const ok = vncAuthOk(this.options.password?.() ?? null, this.challenge!, b.subarray(0, CHALLENGE_LENGTH));
    this.challenge = null;
    if (ok) {
      this.write(Buffer.alloc(4)); // SecurityResult: OK
      this.phase = 'init';
      return CHALLENGE_LENGTH;
    }
    const reason = Buffer.from('Authentication failed', 'latin1');
    const result = Buffer.alloc(this.minor >= 8 ? 8 + reason.length : 4);
    result.writeUInt32BE(1, 0);
    if (this.minor >= 8) {
      result.writeUInt32BE(reason.length, 4);
      reason.copy(result, 8);
    }
    this.write(result);
    this.close('authentication failed', true);
    return 0;
  }

  private serverInit(): void {
    const frame = this.options.frames.current();
    this.resize(frame.width, frame.height);
    const name = Buffer.from(this.options.name, 'utf8');
    const out = Buffer.alloc(24 + name.length);
    out.writeUInt16BE(this.width, 0);
    out.writeUInt16BE(this.height, 2);
    writePixelFormat(SERVER_PIXEL_FORMAT, out, 4);
    out.writeUInt32BE(name.length, 20);
    name.copy(out, 24);
    this.write(out);
    this.phase = 'normal';
    clearTimeout(this.handshakeTimer);
  }

  private resize(width: number, height: number): void {
    this.width = Math.min(width, 0xffff);
    this.height = Math.min(height, 0xffff);
    this.damage = new Damage(this.width, this.height);
    this.full = true;
  }

  private parseMessage(b: Buffer): number {
    switch (b[0]) {
      case ClientMessage.SetPixelFormat: {
        if (b.length < 20) return 0;
        const pf = readPixelFormat(b, 4);
        if (!pf) {
          this.close('unsupported pixel format');
          return 0;
        }
        this.setPixelFormat(pf);
        return 20;
      }
      case ClientMessage.SetEncodings: {
        if (b.length < 4) return 0;
        const count = b.readUInt16BE(2);
        if (count > MAX_ENCODINGS) {
          this.close(`${count} encodings`);
          return 0;
        }
        if (b.length < 4 + count * 4) return 0;
        const list: number[] = [];
        for (let i = 0; i < count; i++) list.push(b.readInt32BE(4 + i * 4));
        this.setEncodings(list);
        return 4 + count * 4;
      }
      case ClientMessage.FramebufferUpdateRequest: {
        if (b.length < 10) return 0;
        this.updateRequest(b[1] !== 0, {
          x: b.readUInt16BE(2),
          y: b.readUInt16BE(4),
          w: b.readUInt16BE(6),
          h: b.readUInt16BE(8),
        });
        return 10;
      }
      case ClientMessage.KeyEvent:
        if (b.length < 8) return 0;
        this.keyEvent(b[1] !== 0, b.readUInt32BE(4), 0);
        return 8;
      case ClientMessage.PointerEvent:
        if (b.length < 6) return 0;
        this.pointerEvent(b[1], b.readUInt16BE(2), b.readUInt16BE(4));
        return 6;
      case ClientMessage.ClientCutText: {
        if (b.length < 8) return 0;
        const length = b.readUInt32BE(4);
        if (length > MAX_CUT_TEXT) {
          this.close(`ClientCutText of ${length} bytes`);
          return 0;
        }
        this.discard = length;
        return 8;
      }
      case ClientMessage.Qemu: {
        if (b.length < 2) return 0;
        if (b[1] !== 0 || !this.extendedKeys) {
          this.close(`QEMU message ${b[1]} was not offered`);
          return 0;
        }
        if (b.length < 12) return 0;
        this.keyEvent(b.readUInt16BE(2) !== 0, b.readUInt32BE(4), b.readUInt32BE(8));
        return 12;
      }
      default:
        this.close(`unknown message type ${b[0]}`);
        return 0;
    }
  }

  private setPixelFormat(pf: PixelFormat): void {
    this.conv = new PixelConverter(pf);
    this.zrle = null;
    this.full = true;
    if (pf.trueColour) return;
    // A colour-mapped client: load the 3-3-2 map the converter packs into.
    const out = Buffer.alloc(6 + 256 * 6);
    out[0] = ServerMessage.SetColourMapEntries;
    out.writeUInt16BE(0, 2);
    out.writeUInt16BE(256, 4);
    for (let i = 0; i < 256; i++) {
      const r = (i >> BGR233.redShift) & BGR233.redMax;
      const g = (i >> BGR233.greenShift) & BGR233.greenMax;
      const bl = (i >> BGR233.blueShift) & BGR233.blueMax;
      out.writeUInt16BE(Math.round((r * 65535) / BGR233.redMax), 6 + i * 6);
      out.writeUInt16BE(Math.round((g * 65535) / BGR233.greenMax), 8 + i * 6);
      out.writeUInt16BE(Math.round((bl * 65535) / BGR233.blueMax), 10 + i * 6);
    }
    this.write(out);
  }

  private setEncodings(list: number[]): void {
    const preferred = list.find((e) => e === Encoding.ZRLE || e === Encoding.Zlib || e === Encoding.Raw);
    this.encoding = preferred ?? Encoding.Raw;
    this.desktopSize = list.includes(Encoding.DesktopSize);
    const extendedKeys = list.includes(Encoding.QemuExtendedKeyEvent);
    if (extendedKeys && !this.extendedKeys) {
      // The acknowledgement: an update with one empty pseudo-rectangle.
      const ack = Buffer.alloc(16);
      ack[0] = ServerMessage.FramebufferUpdate;
      ack.writeUInt16BE(1, 2);
      ack.writeInt32BE(Encoding.QemuExtendedKeyEvent, 12);
      this.write(ack);
    }
    this.extendedKeys = extendedKeys;
  }

  private keyEvent(down: boolean, keysym: number, keycode: number): void {
    const input = this.options.input();
    if (!input) return;
    const set1 = keycode ? xtKeycodeToSet1(keycode) : undefined;
    if (set1 !== undefined) {
      input.keyCode(set1, down);
      return;
    }
    const name = keysymToCode(keysym);
    if (name) input.key(name, down);
  }

  private pointerEvent(mask: number, x: number, y: number): void {
    const input = this.options.input();
    const first = this.pointerX < 0;
    const dx = first ? 0 : x - this.pointerX;
    const dy = first ? 0 : y - this.pointerY;
    this.pointerX = x;
    this.pointerY = y;
    // Wheel "buttons" are clicks: count presses, not the time held.
    let dz = 0;
    if (mask & Button.WheelUp && !(this.buttons & Button.WheelUp)) dz--;
    if (mask & Button.WheelDown && !(this.buttons & Button.WheelDown)) dz++;
    const changed = mask !== this.buttons;
    this.buttons = mask;
    const absolute = this.options.pointer?.() ?? null;
    // The first position is news to an absolute pointer; a relative one has nothing to move from.
    if (!changed && dx === 0 && dy === 0 && !(first && absolute)) return;
    const held =
      (mask & Button.Left ? 1 : 0) | (mask & Button.Right ? 2 : 0) | (mask & Button.Middle ? 4 : 0);
    if (absolute) {
      // As QEMU scales a VNC position: the screen's width (or height) spans the whole axis.
      const axis = (v: number, size: number) =>
        Math.min(POINTER_ABS_MAX, Math.floor((v * POINTER_ABS_MAX) / Math.max(1, size)));
      absolute.pointer(axis(x, this.width), axis(y, this.height), dz, held);
    } else input?.mouse(dx, dy, dz, held);
  }

  private updateRequest(incremental: boolean, r: Rect): void {
    // Clip to the framebuffer the client knows.
    const x = Math.min(r.x, this.width);
    const y = Math.min(r.y, this.height);
    const area = { x, y, w: Math.min(r.w, this.width - x), h: Math.min(r.h, this.height - y) };
    if (this.request) {
      const x0 = Math.min(this.request.x, area.x);
      const y0 = Math.min(this.request.y, area.y);
      const x1 = Math.max(this.request.x + this.request.w, area.x + area.w);
      const y1 = Math.max(this.request.y + this.request.h, area.y + area.h);
      this.request = { x: x0, y: y0, w: x1 - x0, h: y1 - y0 };
    } else this.request = area;
    if (!incremental) this.full = true;
    this.pump();
  }

  /** Runs from requests, timers and finished updates: nothing may throw out of it. */
  private pump(): void {
    try {
      this.update();
    } catch (err) {
      this.close(`cannot update the screen: ${(err as Error).message}`);
    }
  }

  /** Sends an update if one is asked for, due, and has something in it; else waits. */
  private update(): void {
    if (this.busy || !this.request || this.phase !== 'normal' || this.timer) return;
    if (this.stream.writableNeedDrain) {
      // The client has not read the last update yet: requests merge until it has.
      this.busy = true;
      this.stream.once('drain', () => {
        this.busy = false;
        this.pump();
      });
      return;
    }
    const interval = UPDATE_INTERVAL_MS;
    const wait = this.lastUpdate + interval - performance.now();
    if (wait > 0) {
      this.schedule(wait);
      return;
    }
    const frames = this.options.frames;
    if (!this.full && frames.generation === this.examinedGeneration && this.damage?.empty) {
      this.schedule(interval);
      return;
    }
    this.examinedGeneration = frames.generation;
    let frame = frames.current();
    if (frame.width !== this.width || frame.height !== this.height) {
      if (this.desktopSize) {
        this.sendDesktopSize(frame);
        return;
      }
      frame = fitFrame(frame, this.width, this.height);
    }
    const area = this.request;
    let rects: Rect[];
    if (this.full) {
      this.damage?.take(area);
      rects = area.w && area.h ? [area] : [];
    } else {
      rects = (this.damage as Damage).take(area);
      if (!rects.length) {
        this.schedule(interval);
        return;
      }
    }
    this.request = null;
    this.full = false;
    this.sendUpdate(frame, rects);
  }

  private schedule(ms: number): void {
    this.timer = setTimeout(() => {
      this.timer = null;
      this.pump();
    }, ms);
    this.timer.unref();
  }

  private sendDesktopSize(frame: Frame): void {
    this.resize(frame.width, frame.height);
    this.request = null;
    const out = Buffer.alloc(16);
    out[0] = ServerMessage.FramebufferUpdate;
    out.writeUInt16BE(1, 2);
    out.writeUInt16BE(this.width, 8);
    out.writeUInt16BE(this.height, 10);
    out.writeInt32BE(Encoding.DesktopSize, 12);
    this.write(out);
    this.lastUpdate = performance.now();
  }

  /**
   * Converts every rectangle now (the frame may change once we yield), then
   * compresses them in order and writes the update as one piece.
   */
  private sendUpdate(frame: Frame, rects: Rect[]): void {
    const encoding = this.encoding;
    const parts: { rect: Rect; data: Uint8Array }[] = [];
    for (const rect of rects) {
      parts.push({ rect, data: this.pixels(frame, rect, encoding) });
    }
    this.busy = true;
    this.lastUpdate = performance.now();
    this.assemble(parts, encoding).then(
      (message) => {
        this.busy = false;
        this.write(message);
        this.pump();
      },
      (err: Error) => this.close(`encoder failed: ${err.message}`),
    );
  }

  private pixels(frame: Frame, r: Rect, encoding: number): Uint8Array {
    if (encoding === Encoding.ZRLE) {
      if (!this.zrle) this.zrle = new ZrleEncoder(this.conv);
      return Uint8Array.from(this.zrle.encode(frame.rgba, frame.width, r.x, r.y, r.w, r.h));
    }
    const out = new Uint8Array(r.w * r.h * this.conv.bytesPerPixel);
    this.conv.convert(frame.rgba, frame.width, r.x, r.y, r.w, r.h, out, 0);
    return out;
  }

  private deflater(encoding: number): DeflateStream {
    if (encoding === Encoding.ZRLE) {
      this.zrleStream ??= new DeflateStream();
      return this.zrleStream;
    }
    this.zlibStream ??= new DeflateStream();
    return this.zlibStream;
  }

  private async assemble(parts: { rect: Rect; data: Uint8Array }[], encoding: number): Promise<Buffer> {
    const chunks: Uint8Array[] = [];
    const head = Buffer.alloc(4);
    head[0] = ServerMessage.FramebufferUpdate;
    head.writeUInt16BE(parts.length, 2);
    chunks.push(head);
    for (const { rect, data } of parts) {
      const header = Buffer.alloc(encoding === Encoding.Raw ? 12 : 16);
      header.writeUInt16BE(rect.x, 0);
      header.writeUInt16BE(rect.y, 2);
      header.writeUInt16BE(rect.w, 4);
      header.writeUInt16BE(rect.h, 6);
      header.writeInt32BE(encoding, 8);
      if (encoding === Encoding.Raw) {
        chunks.push(header, data);
        continue;
      }
      const compressed = await this.deflater(encoding).compress(data);
      header.writeUInt32BE(compressed.length, 12);
      chunks.push(header, compressed);
    }
    return Buffer.concat(chunks);
  }
}
