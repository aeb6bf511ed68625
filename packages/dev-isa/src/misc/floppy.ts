import {
  type DeviceContext,
  definePlugin,
  type IrqLine,
  objectState,
  type PortHandler,
} from '@plugboard/core';

/** Main status register (0x3F4 read). */
const MSR_RQM = 0x80;
const MSR_DIO = 0x40;
const MSR_CB = 0x10;
/** Digital output register (0x3F2): bit 2 low holds the controller in reset, bit 3 gates IRQ and DMA. */
const DOR_NRESET = 0x04;
const DOR_DMAEN = 0x08;

/** ST0 bits. */
const ST0_INVALID = 0x80;
const ST0_ABNORMAL = 0x40;
const ST0_SEEK_END = 0x20;
const ST0_EQUIP_CHECK = 0x10;
const ST0_NOT_READY = 0x08;
const ST0_READY_CHANGED = 0xc0;

/** Command opcodes (low five bits) and their total lengths, command byte included. */
const CMD_SPECIFY = 0x03;
const CMD_SENSE_DRIVE = 0x04;
const CMD_RECALIBRATE = 0x07;
const CMD_SENSE_INT = 0x08;
const CMD_DUMPREG = 0x0e;
const CMD_SEEK = 0x0f;
const CMD_VERSION = 0x10;
const CMD_PERPENDICULAR = 0x12;
const CMD_CONFIGURE = 0x13;
const CMD_LOCK = 0x14;
const CMD_PART_ID = 0x18;
const LENGTH: Record<number, number> = {
  [CMD_SPECIFY]: 3,
  [CMD_SENSE_DRIVE]: 2,
  [CMD_RECALIBRATE]: 2,
  [CMD_SENSE_INT]: 1,
  [CMD_DUMPREG]: 1,
  [CMD_SEEK]: 3,
  [CMD_VERSION]: 1,
  [CMD_PERPENDICULAR]: 2,
  [CMD_CONFIGURE]: 4,
  [CMD_LOCK]: 1,
  [CMD_PART_ID]: 1,
  2: 9, // read track
  5: 9, // write data
  6: 9, // read data
  9: 9, // write deleted data
  10: 2, // read ID
  12: 9, // read deleted data
  13: 6, // format track
  17: 9, // scan equal
  22: 9, // verify
  25: 9, // scan low or equal
  29: 9, // scan high or equal
};

/**
 * An 82077AA-compatible floppy controller with no drives attached: it
 * resets, identifies itself and answers every drive operation with "not
 * ready", so SeaBIOS (which reads CMOS 0x10 = 0) and Linux's floppy driver
 * probe it and move on. 0x3F6 is the IDE controller's, so the ports are
 * 0x3F0-0x3F5 and 0x3F7.
 */
export class EmptyFloppyController {
  private dor = 0;
  private command = new Uint8Array(9);
  private commandLength = 0;
  private commandWanted = 0;
  private result = new Uint8Array(10);
  private resultLength = 0;
  private resultPos = 0;
  /** Sense-interrupt answers owed after a reset (one per drive) or a seek. */
  private readonly pendingSense: number[] = [];
  private locked = false;

  readonly ports: PortHandler = {
    read8: (off) => {
      switch (off) {
        case 4:
          return this.msr();
        case 5:
          return this.readFifo();
        case 7:
          return 0x00; // DIR: no disk change
        default:
          return off === 2 ? this.dor : 0xff;
      }
    },
    write8: (off, value) => {
      if (off === 2) this.writeDor(value);
      else if (off === 4 && value & 0x80) this.softReset();
      else if (off === 5) this.writeFifo(value);
    },
  };

  constructor(private readonly irq: IrqLine) {}

  reset(): void {
    this.dor = 0;
    this.locked = false;
    this.clearPhase();
    this.pendingSense.length = 0;
    this.irq.set(false);
  }

  private clearPhase(): void {
    this.commandLength = 0;
    this.commandWanted = 0;
    this.resultLength = 0;
    this.resultPos = 0;
  }

  private msr(): number {
    if (this.resultPos < this.resultLength) return MSR_RQM | MSR_DIO | MSR_CB;
    return MSR_RQM | (this.commandLength > 0 ? MSR_CB : 0);
  }

  private writeDor(value: number): void {
    const leavingReset = !(this.dor & DOR_NRESET) && value & DOR_NRESET;
    this.dor = value;
    if (!(value & DOR_NRESET)) {
      this.clearPhase();
      this.irq.set(false);
    } else if (leavingReset) this.softReset();
  }

  /** End of a reset: an interrupt and four "ready changed" sense answers, one per drive. */
  private softReset(): void {
    this.clearPhase();
    this.pendingSense.length = 0;
    for (let drive = 0; drive < 4; drive++) this.pendingSense.push(ST0_READY_CHANGED | drive);
    this.raise();
  }

  private raise(): void {
    if (this.dor & DOR_DMAEN) this.irq.set(true);
  }

  private readFifo(): number {
    if (this.resultPos >= this.resultLength) return 0xff;
    const byte = this.result[this.resultPos++];
    if (this.resultPos === this.resultLength) {
      this.resultLength = 0;
      this.resultPos = 0;
    }
    return byte;
  }

  private writeFifo(value: number): void {
    if (this.resultLength > 0) return; // Writing during the result phase is ignored.
    if (this.commandLength === 0) {
      this.commandWanted = LENGTH[value & 0x1f] ?? 1;
    }
    this.command[this.commandLength++] = value;
    if (this.commandLength < this.commandWanted) return;
    const length = this.commandLength;
    this.commandLength = 0;
    this.execute(length);
  }

  private answer(...bytes: number[]): void {
    bytes.forEach((b, i) => {
      this.result[i] = b;
    });
    this.resultLength = bytes.length;
    this.resultPos = 0;
  }

  private execute(length: number): void {
    const c = this.command;
    const op = c[0] & 0x1f;
    const drive = length > 1 ? c[1] & 3 : 0;
    this.irq.set(false);
    switch (op) {
      case CMD_SPECIFY:
      case CMD_PERPENDICULAR:
      case CMD_CONFIGURE:
        return;
      case CMD_SENSE_INT: {
        const st0 = this.pendingSense.shift();
        if (st0 === undefined) this.answer(ST0_INVALID);
        else this.answer(st0, 0);
        return;
      }
      case CMD_SENSE_DRIVE:
        this.answer(0x20 | drive); // ST3: two-sided line idle, no track 0, not ready
        return;
      case CMD_RECALIBRATE:
      case CMD_SEEK:
        // No drive: the head never reports track 0, so the seek ends abnormally.
        this.pendingSense.length = 0;
        this.pendingSense.push(ST0_ABNORMAL | ST0_SEEK_END | ST0_EQUIP_CHECK | drive);
        this.raise();
        return;
      case CMD_VERSION:
        this.answer(0x90);
        return;
      case CMD_PART_ID:
        this.answer(0x41);
        return;
      case CMD_LOCK:
        this.locked = (c[0] & 0x80) !== 0;
        this.answer(this.locked ? 0x10 : 0);
        return;
      case CMD_DUMPREG:
        this.answer(0, 0, 0, 0, 0, 0, 0, 0, this.locked ? 0x80 : 0, 0);
        return;
      default:
        if (LENGTH[op] === undefined) {
          this.answer(ST0_INVALID);
          return;
        }
        // Every data command: not ready, abnormal termination, no sector transferred.
        this.answer(ST0_ABNORMAL | ST0_NOT_READY | drive, 0, 0, c[2] ?? 0, c[3] ?? 0, c[4] ?? 0, c[5] ?? 2);
        this.raise();
    }
  }
}

export interface FloppyConfig {
  irq: number;
}

export const floppyPlugin = definePlugin<FloppyConfig, { reset(): void }>({
  meta: { id: 'floppy', name: 'Floppy disk controller (82077AA) with no drives' },
  kind: 'isa',
  configSchema: {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    additionalProperties: false,
    properties: {
      irq: { type: 'integer', minimum: 0, maximum: 15, default: 6 },
    },
  },
  create(ctx: DeviceContext, config) {
    const fdc = new EmptyFloppyController(ctx.isaIrq(config.irq));
    ctx.ports.register(`${ctx.id} FDC`, 0x3f0, 6, fdc.ports);
    ctx.ports.register(`${ctx.id} FDC DIR/CCR`, 0x3f7, 1, {
      read8: () => fdc.ports.read8(7),
      write8: (_off, value) => fdc.ports.write8(7, value),
    });
    return { reset: () => fdc.reset(), vmstate: objectState({ fdc }, { version: 1 }) };
  },
});
