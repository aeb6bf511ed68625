import type { IrqLine, PortHandler } from '@plugboard/core';
import type { ByteQueue } from './byte-queue.js';
import type { Ps2Keyboard } from './ps2-keyboard.js';
import type { Ps2Mouse } from './ps2-mouse.js';
import { translateToSet1 } from './scancodes.js';

/** Status register (port 0x64 read). */
export const STAT_OBF = 0x01;
export const STAT_IBF = 0x02;
export const STAT_SYS = 0x04;
export const STAT_CMD = 0x08;
export const STAT_UNLOCKED = 0x10;
export const STAT_AUX_OBF = 0x20;

/** Command byte (controller RAM 0). */
export const CTR_KBDINT = 0x01;
export const CTR_AUXINT = 0x02;
export const CTR_SYS = 0x04;
export const CTR_KBDDIS = 0x10;
export const CTR_AUXDIS = 0x20;
export const CTR_XLATE = 0x40;

/** Output port (commands 0xD0/0xD1). */
export const OUT_RESET = 0x01; // low = reset the CPU
export const OUT_A20 = 0x02;
export const OUT_OBF = 0x10;
export const OUT_AUX_OBF = 0x20;
const OUT_POWER_ON = 0xcf;

/** Controller commands (port 0x64 write). */
export const CCMD_READ_CTR = 0x20;
export const CCMD_WRITE_CTR = 0x60;
export const CCMD_AUX_DISABLE = 0xa7;
export const CCMD_AUX_ENABLE = 0xa8;
export const CCMD_AUX_TEST = 0xa9;
export const CCMD_SELF_TEST = 0xaa;
export const CCMD_KBD_TEST = 0xab;
export const CCMD_KBD_DISABLE = 0xad;
export const CCMD_KBD_ENABLE = 0xae;
export const CCMD_READ_INPORT = 0xc0;
export const CCMD_READ_OUTPORT = 0xd0;
export const CCMD_WRITE_OUTPORT = 0xd1;
export const CCMD_WRITE_KBD_OBUF = 0xd2;
export const CCMD_WRITE_AUX_OBUF = 0xd3;
export const CCMD_WRITE_AUX = 0xd4;
export const CCMD_DISABLE_A20 = 0xdd;
export const CCMD_ENABLE_A20 = 0xdf;
export const CCMD_READ_TEST_INPUTS = 0xe0;
export const CCMD_PULSE_BITS = 0xf0;

export const SELF_TEST_PASSED = 0x55;
const MAX_REPLIES = 8;

/** What the controller does to the rest of the board. */
export interface I8042Board {
  setA20(enabled: boolean): void;
  reset(reason: string): void;
}

/**
 * The Intel 8042 keyboard controller of a PC/AT with PS/2 mouse support.
 * Commands complete at once, so IBF never shows. The output buffer takes, in
 * order, the controller's own replies, then keyboard bytes (translated to set
 * 1 when XLATE is on), then mouse bytes; IRQ1 or IRQ12 follows a full
 * buffer whose source has its interrupt enabled.
 */
export class I8042 {
  private readonly ram = new Uint8Array(32);
  private status = STAT_UNLOCKED;
  private outport = OUT_POWER_ON;
  private obuf = 0;
  private obufAux = false;
  private obufFull = false;
  /** Controller replies waiting for the output buffer: byte | 0x100 when from the mouse side. */
  private readonly replies: number[] = [];
  /** Command waiting for its data byte on port 0x60, or 0. */
  private pendingCommand = 0;
  /** An F0 from the keyboard seen while translating: the next code is a break. */
  private breakPrefix = false;

  readonly dataPort: PortHandler = {
    read8: () => this.readData(),
    write8: (_off, value) => this.writeData(value),
  };

  readonly commandPort: PortHandler = {
    read8: () =>
      this.status | (this.obufFull ? STAT_OBF : 0) | (this.obufFull && this.obufAux ? STAT_AUX_OBF : 0),
    write8: (_off, value) => this.writeCommand(value),
  };

  constructor(
    readonly keyboard: Ps2Keyboard,
    readonly mouse: Ps2Mouse,
    private readonly kbdIrq: IrqLine,
    private readonly auxIrq: IrqLine,
    private readonly board: I8042Board,
  ) {}

  get commandByte(): number {
    return this.ram[0];
  }

  reset(): void {
    this.ram.fill(0);
    this.ram[0] = CTR_KBDINT | CTR_AUXINT;
    this.status = STAT_UNLOCKED;
    this.outport = OUT_POWER_ON;
    this.obufFull = false;
    this.obufAux = false;
    this.replies.length = 0;
    this.pendingCommand = 0;
    this.breakPrefix = false;
    this.keyboard.reset();
    this.mouse.reset();
    this.board.setA20(true);
    this.update();
  }

  /** Call after putting bytes in a device's queue from outside (host input). */
  update(): void {
    if (!this.obufFull) this.fill();
    const ctr = this.ram[0];
    this.kbdIrq.set(this.obufFull && !this.obufAux && (ctr & CTR_KBDINT) !== 0);
    this.auxIrq.set(this.obufFull && this.obufAux && (ctr & CTR_AUXINT) !== 0);
  }

  private fill(): void {
    if (this.replies.length > 0) {
      const r = this.replies.shift()!;
      this.load(r & 0xff, r > 0xff);
      return;
    }
    const ctr = this.ram[0];
    if (!(ctr & CTR_KBDDIS)) {
      const q = this.keyboard.queue;
      while (q.length > 0) {
        const byte = q.shift();
        if (!(ctr & CTR_XLATE)) {
          this.load(byte, false);
          return;
        }
        if (byte === 0xf0) {
          this.breakPrefix = true;
          continue;
        }
        this.load(translateToSet1(byte) | (this.breakPrefix ? 0x80 : 0), false);
        this.breakPrefix = false;
        return;
      }
    }
    if (!(ctr & CTR_AUXDIS) && this.mouse.queue.length > 0) this.load(this.mouse.queue.shift(), true);
  }

  private load(byte: number, aux: boolean): void {
    this.obuf = byte;
    this.obufAux = aux;
    this.obufFull = true;
  }

  private reply(byte: number, aux = false): void {
    // The real 8042 has one output buffer; a guest that never reads loses replies beyond a few.
    if (this.replies.length < MAX_REPLIES) this.replies.push(byte | (aux ? 0x100 : 0));
    this.update();
  }

  private readData(): number {
    const byte = this.obuf;
    this.obufFull = false;
    // Reading empties the buffer, which drops IRQ1/IRQ12 before the next byte
    // loads: each byte is a rising edge the (edge-triggered) 8259 sees.
    this.kbdIrq.set(false);
    this.auxIrq.set(false);
    this.update();
    return byte;
  }

  private writeData(value: number): void {
    this.status &= ~STAT_CMD;
    const command = this.pendingCommand;
    this.pendingCommand = 0;
    if (command >= CCMD_WRITE_CTR && command < CCMD_WRITE_CTR + 0x20) {
      this.ram[command - CCMD_WRITE_CTR] = value;
      if (command === CCMD_WRITE_CTR) this.status = (this.status & ~STAT_SYS) | (value & CTR_SYS);
      this.update();
      return;
    }
    switch (command) {
      case CCMD_WRITE_OUTPORT:
        this.writeOutport(value);
        return;
      case CCMD_WRITE_KBD_OBUF:
        this.reply(value);
        return;
      case CCMD_WRITE_AUX_OBUF:
        this.reply(value, true);
        return;
      case CCMD_WRITE_AUX:
        this.mouse.write(value);
        this.update();
        return;
    }
    // Sending to the keyboard re-enables its interface, as on QEMU's controller.
    this.ram[0] &= ~CTR_KBDDIS;
    this.keyboard.write(value);
    this.update();
  }

  private writeOutport(value: number): void {
    const a20Changed = (value ^ this.outport) & OUT_A20;
    this.outport = value;
    if (a20Changed) this.board.setA20((value & OUT_A20) !== 0);
    if (!(value & OUT_RESET)) this.board.reset('i8042 output port reset line');
  }

  private writeCommand(value: number): void {
    this.status |= STAT_CMD;
    if (value >= CCMD_READ_CTR && value < CCMD_READ_CTR + 0x20) {
      this.reply(this.ram[value - CCMD_READ_CTR]);
      return;
    }
    if (value >= CCMD_WRITE_CTR && value < CCMD_WRITE_CTR + 0x20) {
      this.pendingCommand = value;
      return;
    }
    if (value >= CCMD_PULSE_BITS) {
      // Pulsing bit 0 low (0xFE and every even code) resets the CPU.
      if (!(value & 1)) this.board.reset('i8042 reset command');
      return;
    }
    switch (value) {
      case CCMD_AUX_DISABLE:
        this.ram[0] |= CTR_AUXDIS;
        break;
      case CCMD_AUX_ENABLE:
        this.ram[0] &= ~CTR_AUXDIS;
        break;
      case CCMD_AUX_TEST:
      case CCMD_KBD_TEST:
        this.reply(0x00);
        return;
      case CCMD_SELF_TEST:
        this.status |= STAT_SYS;
        this.ram[0] |= CTR_SYS;
        this.reply(SELF_TEST_PASSED);
        return;
      case CCMD_KBD_DISABLE:
        this.ram[0] |= CTR_KBDDIS;
        break;
      case CCMD_KBD_ENABLE:
        this.ram[0] &= ~CTR_KBDDIS;
        break;
      case CCMD_READ_INPORT:
        this.reply(0x80); // keyboard not inhibited
        return;
      case CCMD_READ_OUTPORT:
        this.reply(
          (this.outport & ~(OUT_OBF | OUT_AUX_OBF)) |
            (this.obufFull && !this.obufAux ? OUT_OBF : 0) |
            (this.obufFull && this.obufAux ? OUT_AUX_OBF : 0),
        );
        return;
      case CCMD_WRITE_OUTPORT:
      case CCMD_WRITE_KBD_OBUF:
      case CCMD_WRITE_AUX_OBUF:
      case CCMD_WRITE_AUX:
        this.pendingCommand = value;
        return;
      case CCMD_DISABLE_A20:
      case CCMD_ENABLE_A20:
        this.writeOutport(value === CCMD_ENABLE_A20 ? this.outport | OUT_A20 : this.outport & ~OUT_A20);
        return;
      case CCMD_READ_TEST_INPUTS:
        this.reply(0x00);
        return;
      default:
        return; // Unknown commands are ignored.
    }
    this.update();
  }

  /** For `info`: queues and state. */
  describe(): string {
    const q = (x: ByteQueue) => x.length;
    return `command byte 0x${this.ram[0].toString(16)}, output port 0x${this.outport.toString(16)}, keyboard queue ${q(this.keyboard.queue)}, mouse queue ${q(this.mouse.queue)}`;
  }
}
