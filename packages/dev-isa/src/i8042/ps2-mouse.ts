import { ByteQueue } from './byte-queue.js';
import { PS2_ACK, PS2_BAT_OK, PS2_RESEND } from './ps2-keyboard.js';

const AUX_SET_SCALE11 = 0xe6;
const AUX_SET_SCALE21 = 0xe7;
const AUX_SET_RES = 0xe8;
const AUX_GET_STATUS = 0xe9;
const AUX_SET_STREAM = 0xea;
const AUX_POLL = 0xeb;
const AUX_RESET_WRAP = 0xec;
const AUX_SET_WRAP = 0xee;
const AUX_SET_REMOTE = 0xf0;
const AUX_GET_TYPE = 0xf2;
const AUX_SET_SAMPLE = 0xf3;
const AUX_ENABLE_DEV = 0xf4;
const AUX_DISABLE_DEV = 0xf5;
const AUX_SET_DEFAULT = 0xf6;
const AUX_RESET = 0xff;

/** Status byte 1 of AUX_GET_STATUS. */
const STATUS_REMOTE = 0x40;
const STATUS_ENABLED = 0x20;
const STATUS_SCALE21 = 0x10;

/** Packet byte 0. */
const PKT_ALWAYS1 = 0x08;
const PKT_X_SIGN = 0x10;
const PKT_Y_SIGN = 0x20;

/** The sample-rate sequence that turns a PS/2 mouse into an IntelliMouse (ID 3, wheel byte). */
const INTELLIMOUSE_KNOCK = [200, 100, 80];

/** Buttons as `mouseEvent` takes them: bit 0 left, bit 1 right, bit 2 middle (the packet's order). */
export const MOUSE_LEFT = 1;
export const MOUSE_RIGHT = 2;
export const MOUSE_MIDDLE = 4;

/** A PS/2 mouse, optionally IntelliMouse-capable (wheel). */
export class Ps2Mouse {
  readonly queue = new ByteQueue(256);
  enabled = false;
  remote = false;
  scale21 = false;
  resolution = 2;
  sampleRate = 100;
  deviceId = 0;
  private buttons = 0;
  private expect = 0;
  private last = 0;
  private readonly recentRates = [0, 0, 0];
  private dx = 0;
  private dy = 0;
  private dz = 0;

  constructor(private readonly intelliMouse: boolean) {}

  reset(): void {
    this.queue.clear();
    this.setDefaults();
    this.deviceId = 0;
    this.expect = 0;
    this.last = 0;
    this.recentRates.fill(0);
    this.buttons = 0;
    this.dx = this.dy = this.dz = 0;
  }

  private setDefaults(): void {
    this.enabled = false;
    this.remote = false;
    this.scale21 = false;
    this.resolution = 2;
    this.sampleRate = 100;
  }

  private reply(byte: number): void {
    this.last = byte;
    this.queue.push(byte);
  }

  write(byte: number): void {
    const pending = this.expect;
    if (pending !== 0) {
      this.expect = 0;
      if (pending === AUX_SET_RES) this.resolution = byte & 3;
      else {
        this.sampleRate = byte;
        this.recentRates.shift();
        this.recentRates.push(byte);
        if (this.intelliMouse && this.recentRates.every((r, i) => r === INTELLIMOUSE_KNOCK[i]))
          this.deviceId = 3;
      }
      this.reply(PS2_ACK);
      return;
    }
    switch (byte) {
      case AUX_SET_RES:
      case AUX_SET_SAMPLE:
        this.expect = byte;
        this.reply(PS2_ACK);
        return;
      case AUX_SET_SCALE11:
      case AUX_SET_SCALE21:
        this.scale21 = byte === AUX_SET_SCALE21;
        this.reply(PS2_ACK);
        return;
      case AUX_GET_STATUS:
        this.reply(PS2_ACK);
        this.reply(
          (this.remote ? STATUS_REMOTE : 0) |
            (this.enabled ? STATUS_ENABLED : 0) |
            (this.scale21 ? STATUS_SCALE21 : 0) |
            // The status byte orders buttons left (bit 2), middle (bit 1), right (bit 0).
            (this.buttons & MOUSE_LEFT ? 4 : 0) |
            (this.buttons & MOUSE_MIDDLE ? 2 : 0) |
            (this.buttons & MOUSE_RIGHT ? 1 : 0),
        );
        this.reply(this.resolution);
        this.reply(this.sampleRate);
        return;
      case AUX_SET_STREAM:
      case AUX_SET_REMOTE:
        this.remote = byte === AUX_SET_REMOTE;
        this.reply(PS2_ACK);
        return;
      case AUX_POLL:
        this.reply(PS2_ACK);
        this.sendPacket();
        return;
      case AUX_RESET_WRAP:
      case AUX_SET_WRAP:
        this.reply(PS2_ACK);
        return;
      case AUX_GET_TYPE:
        this.reply(PS2_ACK);
        this.reply(this.deviceId);
        return;
      case AUX_ENABLE_DEV:
      case AUX_DISABLE_DEV:
        this.enabled = byte === AUX_ENABLE_DEV;
        this.reply(PS2_ACK);
        return;
      case AUX_SET_DEFAULT:
        this.setDefaults();
        this.reply(PS2_ACK);
        return;
      case PS2_RESEND:
        this.queue.push(this.last);
        return;
      case AUX_RESET:
        this.reset();
        this.reply(PS2_ACK);
        this.reply(PS2_BAT_OK);
        this.reply(0);
        return;
      default:
        this.reply(PS2_RESEND);
    }
  }

  /**
   * Movement and buttons from the host: dx right, dy down (screen
   * directions), dz wheel down. Streams packets while reporting is on;
   * movement beyond one packet's range is split over several.
   */
  event(dx: number, dy: number, dz: number, buttons: number): void {
    this.buttons = buttons & 7;
    if (!this.enabled && !this.remote) return;
    // Remote mode keeps counting until polled; keep the count in a sane range.
    this.dx = clamp(this.dx + dx, -4096, 4096);
    this.dy = clamp(this.dy - dy, -4096, 4096); // PS/2 counts up as positive
    this.dz = clamp(this.dz + dz, -64, 64);
    if (this.remote) return;
    // At most eight packets per event; what does not fit waits for the next one.
    let packets = 0;
    do {
      if (!this.sendPacket()) break;
      packets++;
    } while (packets < 8 && (this.dx !== 0 || this.dy !== 0 || this.dz !== 0));
  }

  /** Queues one packet of the accumulated movement; false when the queue lacks room. */
  private sendPacket(): boolean {
    const size = this.deviceId === 3 ? 4 : 3;
    if (this.queue.free < size) return false;
    const dx = clamp(this.dx, -256, 255);
    const dy = clamp(this.dy, -256, 255);
    const dz = clamp(this.dz, -8, 7);
    this.queue.push(PKT_ALWAYS1 | this.buttons | (dx < 0 ? PKT_X_SIGN : 0) | (dy < 0 ? PKT_Y_SIGN : 0));
    this.queue.push(dx & 0xff);
    this.queue.push(dy & 0xff);
    if (size === 4) this.queue.push(dz & 0x0f);
    this.dx -= dx;
    this.dy -= dy;
    this.dz = size === 4 ? this.dz - dz : 0;
    return true;
  }
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}
