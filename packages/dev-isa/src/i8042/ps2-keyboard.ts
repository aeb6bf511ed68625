import { ByteQueue } from './byte-queue.js';
import { SET1_TO_SET2 } from './scancodes.js';

export const PS2_ACK = 0xfa;
export const PS2_RESEND = 0xfe;
export const PS2_BAT_OK = 0xaa;
export const PS2_ECHO = 0xee;

/** Keyboard commands (IBM PS/2 technical reference). */
const KBD_CMD_SET_LEDS = 0xed;
const KBD_CMD_ECHO = 0xee;
const KBD_CMD_SCANCODE = 0xf0;
const KBD_CMD_GET_ID = 0xf2;
const KBD_CMD_SET_RATE = 0xf3;
const KBD_CMD_ENABLE = 0xf4;
const KBD_CMD_RESET_DISABLE = 0xf5;
const KBD_CMD_RESET_ENABLE = 0xf6;
const KBD_CMD_RESEND = 0xfe;
const KBD_CMD_RESET = 0xff;

/** Typematic 10.9 cps, 500 ms delay: the power-on default. */
const DEFAULT_TYPEMATIC = 0x2b;

/**
 * A PS/2 (MF2) keyboard. Keys arrive as set 1 make codes (0xe0xx for
 * extended keys) and leave in the keyboard's current set: set 1, or set 2
 * (which the controller may translate back). Set 3 is answered but keys go
 * out as set 2.
 */
export class Ps2Keyboard {
  readonly queue = new ByteQueue(64);
  scancodeSet = 2;
  scanning = true;
  leds = 0;
  typematic = DEFAULT_TYPEMATIC;
  /** The command whose argument byte comes next, or 0. */
  private expect = 0;
  private last = 0;

  reset(): void {
    this.queue.clear();
    this.setDefaults();
    this.leds = 0;
    this.expect = 0;
    this.last = 0;
  }

  private setDefaults(): void {
    this.scancodeSet = 2;
    this.scanning = true;
    this.typematic = DEFAULT_TYPEMATIC;
  }

  private reply(byte: number): void {
    this.last = byte;
    this.queue.push(byte);
  }

  /** A byte from the host (the controller's data port). */
  write(byte: number): void {
    const pending = this.expect;
    if (pending !== 0) {
      this.expect = 0;
      if (pending === KBD_CMD_SET_LEDS) {
        this.leds = byte & 0x07;
        this.reply(PS2_ACK);
        return;
      }
      if (pending === KBD_CMD_SET_RATE) {
        this.typematic = byte & 0x7f;
        this.reply(PS2_ACK);
        return;
      }
      if (pending === KBD_CMD_SCANCODE) {
        if (byte === 0) {
          this.reply(PS2_ACK);
          this.reply(this.scancodeSet);
        } else if (byte <= 3) {
          this.scancodeSet = byte;
          this.reply(PS2_ACK);
        } else this.reply(PS2_RESEND);
        return;
      }
    }
    switch (byte) {
      case KBD_CMD_SET_LEDS:
      case KBD_CMD_SET_RATE:
      case KBD_CMD_SCANCODE:
        this.expect = byte;
        this.reply(PS2_ACK);
        return;
      case KBD_CMD_ECHO:
        this.reply(PS2_ECHO);
        return;
      case KBD_CMD_GET_ID:
        this.reply(PS2_ACK);
        this.reply(0xab);
        this.reply(0x83);
        return;
      case KBD_CMD_ENABLE:
        this.queue.clear();
        this.scanning = true;
        this.reply(PS2_ACK);
        return;
      case KBD_CMD_RESET_DISABLE:
        this.setDefaults();
        this.scanning = false;
        this.reply(PS2_ACK);
        return;
      case KBD_CMD_RESET_ENABLE:
        this.setDefaults();
        this.reply(PS2_ACK);
        return;
      case KBD_CMD_RESEND:
        this.queue.push(this.last);
        return;
      case KBD_CMD_RESET:
        this.reset();
        this.reply(PS2_ACK);
        this.reply(PS2_BAT_OK);
        return;
      default:
        // 0xf7-0xfd (set 3 key types) are acknowledged and ignored; anything else is refused.
        this.reply(byte >= 0xf7 ? PS2_ACK : PS2_RESEND);
    }
  }

  /** A key went down or up: `code` is a set 1 make code, 0xe0xx for extended keys. */
  key(code: number, down: boolean): void {
    if (!this.scanning) return;
    const extended = code >>> 8 === 0xe0;
    const base = code & 0x7f;
    if (this.scancodeSet === 1) {
      if (this.queue.free < 2) return;
      if (extended) this.queue.push(0xe0);
      this.queue.push(base | (down ? 0 : 0x80));
      return;
    }
    const s2 = SET1_TO_SET2[base];
    if (s2 === 0 || this.queue.free < 3) return;
    if (extended) this.queue.push(0xe0);
    if (!down) this.queue.push(0xf0);
    this.queue.push(s2);
  }

  /** Pause/Break: one make-only sequence, no break codes. */
  pause(): void {
    if (!this.scanning) return;
    const seq =
      this.scancodeSet === 1
        ? [0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5]
        : [0xe1, 0x14, 0x77, 0xe1, 0xf0, 0x14, 0xf0, 0x77];
    if (this.queue.free < seq.length) return;
    for (const b of seq) this.queue.push(b);
  }
}
