import {
  type Clock,
  type Dma,
  type IrqLine,
  MAX_ACCESS_BYTES,
  type PortHandler,
  type Timer,
  type TraceHook,
} from '@plugboard/core';
import { BusMaster, DMA_NS_PER_BYTE, DMA_STEP_BYTES } from './bus-master.js';
import { DMA_DONE, DMA_FAULT, DMA_MORE, type IdeBus, IdeDevice } from './ide-device.js';
import {
  ALTERNATE_STATUS,
  BMICP,
  BMIDTP,
  BMISP_BMIDEA,
  BMISP_ERROR,
  BMISP_IDEINTS,
  BUS_MASTER,
  COMMAND,
  COMMAND_BLOCK_READ,
  COMMAND_BLOCK_WRITE,
  CONTROL_BLOCK_READ,
  CONTROL_BLOCK_WRITE,
  CONTROL_HOB,
  CONTROL_NIEN,
  CONTROL_SRST,
  DATA,
  DEVICE,
  DEVICE_CONTROL,
  DEVICE_DEV,
  ERROR,
  STATUS,
} from './registers.js';

/** The bus master's touched registers, unused: only BMICP has an effect, and the offset says whether it was written. */
const TOUCHED = new Int32Array(MAX_ACCESS_BYTES);

/** One access to a named IDE register, for `trace`. */
export interface IdeRegisterEvent {
  channel: 0 | 1;
  register: string;
  write: boolean;
  value: number;
}

/**
 * One IDE channel of the PIIX3: the two device positions on its cable, the
 * Device Control register, the INTRQ line to IRQ14/15 and the channel's bus
 * master. The legacy command block (0x1F0/0x170) and control block
 * (0x3F6/0x376) answer only while `decode` is set (IOSE and IDETIM.IDE).
 *
 * A bus master transfer moves at most `DMA_STEP_BYTES` in the write that
 * starts it; a longer one goes on in steps of that size from the channel's
 * timer, `DMA_STEP_BYTES * DMA_NS_PER_BYTE` of virtual time apart, with
 * BMIDEA set, until the device's command ends (the interrupt comes from the
 * last step). Clearing SSBM between steps cancels the rest: nothing more
 * moves, BMIDEA drops, no interrupt; the device keeps what it has left of
 * its command (DRQ), which the next start sends through the table it is
 * given, as QEMU's PIIX restarts a device's pending transfer. A reset or
 * SRST leaves no step pending.
 */
export class IdeChannel implements IdeBus {
  readonly busMaster: BusMaster;
  readonly devices: [IdeDevice, IdeDevice];
  /** Device Control: nIEN, SRST, HOB. */
  control = CONTROL_BLOCK_WRITE.resetImage[DEVICE_CONTROL];
  /** The position the DEV bit selects. */
  unit = 0;
  /** INTRQ of the devices, before nIEN. */
  irqPending = false;
  decode = false;
  /** The position whose bus master transfer goes on in steps from `timer`, or -1. */
  stepping = -1;
  private level = false;
  private readonly timer: Timer;

  /** `name` names the timer that runs the bus master's steps. */
  constructor(
    readonly index: 0 | 1,
    private readonly irq: IrqLine,
    dma: Dma,
    clock: Clock,
    name: string,
    private readonly trace: TraceHook<IdeRegisterEvent>,
    private readonly masterEnabled: () => boolean,
  ) {
    this.busMaster = new BusMaster(dma, clock);
    this.timer = clock.createTimer(`${name} bus master`, () => this.step());
    this.devices = [new IdeDevice(this, 0), new IdeDevice(this, 1)];
  }

  attach(unit: 0 | 1, device: IdeDevice): void {
    this.devices[unit] = device;
  }

  /** Neither position holds a device: every register reads zero, as on QEMU. */
  private get empty(): boolean {
    return !this.devices[0].present && !this.devices[1].present;
  }

  reset(): void {
    this.control = CONTROL_BLOCK_WRITE.resetImage[DEVICE_CONTROL];
    this.unit = 0;
    this.irqPending = false;
    this.updateLine();
    this.stopSteps();
    this.busMaster.reset();
    for (const d of this.devices) d.reset();
  }

  // ---- Interrupts -------------------------------------------------------

  raiseIrq(): void {
    this.irqPending = true;
    this.updateLine();
  }

  private lowerIrq(): void {
    this.irqPending = false;
    this.updateLine();
  }

  private updateLine(): void {
    const level = this.irqPending && (this.control & CONTROL_NIEN) === 0;
    if (level === this.level) return;
    this.level = level;
    this.irq.set(level);
    // BMISP.IDEINTS latches every rising edge of the channel's interrupt.
    if (level) this.busMaster.status |= BMISP_IDEINTS;
  }

  diagnose(): void {
    for (const d of this.devices) if (d.present) d.resetProtocol();
    this.raiseIrq();
  }

  // ---- Command block ----------------------------------------------------

  readonly commandPorts: PortHandler = {
    read8: (offset) => (offset === DATA ? this.readData16() & 0xff : this.readRegister(offset)),
    write8: (offset, value) => {
      if (offset === DATA) this.writeData16(value);
      else this.writeRegister(offset, value);
    },
    read16: (offset) =>
      offset === DATA ? this.readData16() : this.readRegister(offset) | (this.readRegister(offset + 1) << 8),
    write16: (offset, value) => {
      if (offset === DATA) {
        this.writeData16(value);
      } else {
        this.writeRegister(offset, value & 0xff);
        this.writeRegister(offset + 1, value >>> 8);
      }
    },
    // The PIIX splits a 32-bit data port access into two 16-bit cycles.
    read32: (offset) =>
      offset === DATA
        ? (this.readData16() | (this.readData16() << 16)) >>> 0
        : (this.commandPorts.read16!(offset) | (this.commandPorts.read16!(offset + 2) << 16)) >>> 0,
    write32: (offset, value) => {
      if (offset === DATA) {
        this.writeData16(value & 0xffff);
        this.writeData16(value >>> 16);
      } else {
        this.commandPorts.write16!(offset, value & 0xffff);
        this.commandPorts.write16!(offset + 2, value >>> 16);
      }
    },
  };

  private readData16(): number {
    if (!this.decode) return 0xffff;
    const value = this.devices[this.unit].readData16();
    if (this.trace.active)
      this.trace.call({
        channel: this.index,
        register: COMMAND_BLOCK_READ.nameAt(DATA),
        write: false,
        value,
      });
    return value;
  }

  private writeData16(value: number): void {
    if (!this.decode) return;
    if (this.trace.active)
      this.trace.call({
        channel: this.index,
        register: COMMAND_BLOCK_WRITE.nameAt(DATA),
        write: true,
        value,
      });
    this.devices[this.unit].writeData16(value);
  }

  private readRegister(offset: number): number {
    if (!this.decode) return 0xff;
    const d = this.devices[this.unit];
    let value = 0;
    if (!this.empty) {
      if (offset === ERROR) value = d.error;
      else if (offset === STATUS) value = d.present ? d.status : 0;
      else if (this.control & CONTROL_HOB && offset !== DEVICE) value = d.hob[offset];
      else value = d.regs[offset];
    }
    // Reading Status (not Alternate Status) acknowledges the interrupt.
    if (offset === STATUS) this.lowerIrq();
    if (this.trace.active) {
      this.trace.call({
        channel: this.index,
        register: COMMAND_BLOCK_READ.nameAt(offset),
        write: false,
        value,
      });
    }
    return value;
  }

  private writeRegister(offset: number, value: number): void {
    if (!this.decode) return;
    if (this.trace.active) {
      this.trace.call({
        channel: this.index,
        register: COMMAND_BLOCK_WRITE.nameAt(offset),
        write: true,
        value,
      });
    }
    if (offset === COMMAND) {
      this.lowerIrq();
      this.devices[this.unit].execute(value);
      return;
    }
    // A write to any command block register clears HOB; both devices latch it.
    this.control &= ~CONTROL_HOB;
    if (offset === DEVICE) this.unit = (value & DEVICE_DEV) >>> 4;
    this.devices[0].writeRegister(offset, value);
    this.devices[1].writeRegister(offset, value);
  }

  // ---- Control block ----------------------------------------------------

  readonly controlPorts: PortHandler = {
    read8: () => {
      if (!this.decode) return 0xff;
      const d = this.devices[this.unit];
      const value = d.present ? d.status : 0;
      if (this.trace.active)
        this.trace.call({
          channel: this.index,
          register: CONTROL_BLOCK_READ.nameAt(ALTERNATE_STATUS),
          write: false,
          value,
        });
      return value;
    },
    write8: (_, value) => {
      if (!this.decode) return;
      if (this.trace.active)
        this.trace.call({
          channel: this.index,
          register: CONTROL_BLOCK_WRITE.nameAt(DEVICE_CONTROL),
          write: true,
          value,
        });
      this.writeControl(value);
    },
  };

  private writeControl(value: number): void {
    const before = this.control;
    this.control = value;
    if (value & CONTROL_SRST && !(before & CONTROL_SRST)) {
      // The devices drop their commands: no step of a transfer is left to run.
      this.stopSteps();
      for (const d of this.devices) d.beginSoftReset();
      this.irqPending = false;
    } else if (!(value & CONTROL_SRST) && before & CONTROL_SRST) {
      // After a soft reset device 0 is selected and both show their signatures.
      this.unit = 0;
      for (const d of this.devices) {
        d.regs[DEVICE] &= ~DEVICE_DEV;
        d.resetProtocol();
      }
    }
    this.updateLine();
  }

  // ---- Bus master registers (8 bytes of BMIBA per channel) -------------

  readBusMaster(offset: number): number {
    const value = this.busMaster.regs[offset];
    if (this.trace.active) {
      this.trace.call({ channel: this.index, register: BUS_MASTER.nameAt(offset), write: false, value });
    }
    return value;
  }

  writeBusMaster(offset: number, value: number): void {
    if (this.trace.active) {
      this.trace.call({ channel: this.index, register: BUS_MASTER.nameAt(offset), write: true, value });
    }
    this.writeRegisters(offset, 1, value);
  }

  readBusMasterTable(): number {
    const value = this.busMaster.table;
    if (this.trace.active)
      this.trace.call({ channel: this.index, register: BUS_MASTER.nameAt(BMIDTP), write: false, value });
    return value;
  }

  writeBusMasterTable(value: number): void {
    if (this.trace.active)
      this.trace.call({ channel: this.index, register: BUS_MASTER.nameAt(BMIDTP), write: true, value });
    this.writeRegisters(BMIDTP, 4, value);
  }

  /** The table's masks land the bytes; starting or stopping the engine is BMICP's effect. */
  private writeRegisters(offset: number, size: number, value: number): void {
    const bm = this.busMaster;
    const wasStarted = bm.started;
    BUS_MASTER.write(bm.regs, offset, size, value, true, TOUCHED);
    if (offset !== BMICP) return;
    if (!wasStarted && bm.started) {
      bm.status |= BMISP_BMIDEA;
      bm.rewind();
      this.requestDma();
    } else if (wasStarted && !bm.started) {
      // Stopping the engine abandons a transfer still in flight: its next steps never run.
      bm.status &= ~BMISP_BMIDEA;
      this.stopSteps();
    }
  }

  /**
   * Starts the selected device's DMA command once the engine is started and
   * may master the bus; a transfer already going on in steps is left to them.
   */
  requestDma(): void {
    if (this.stepping >= 0) return;
    const bm = this.busMaster;
    const d = this.devices[this.unit];
    if (!d.dmaPending || !bm.started || !(bm.status & BMISP_BMIDEA) || !this.masterEnabled()) return;
    this.stepping = this.unit;
    this.step();
  }

  /**
   * One step of the transfer in progress (the start write's, then the
   * timer's). A device that dropped its command meanwhile (DEVICE RESET, a
   * medium change) ends the steps; with bus mastering turned off they wait,
   * and the PCI Command write that turns it on again goes on (`requestDma`).
   */
  private step(): void {
    const unit = this.stepping;
    if (unit < 0) return;
    const bm = this.busMaster;
    const d = this.devices[unit];
    if (!d.dmaPending || !this.masterEnabled()) {
      this.stepping = -1;
      return;
    }
    const outcome = d.runDma(bm, DMA_STEP_BYTES);
    if (outcome === DMA_MORE) {
      this.timer.armIn(DMA_STEP_BYTES * DMA_NS_PER_BYTE);
      return;
    }
    this.stepping = -1;
    if (outcome === DMA_FAULT) bm.status |= BMISP_ERROR;
    // ACTIVE stays set only when the device finished and the PRDs described more than it moved.
    if (outcome !== DMA_DONE || bm.exhausted) bm.status &= ~BMISP_BMIDEA;
  }

  private stopSteps(): void {
    this.stepping = -1;
    this.timer.cancel();
  }

  describe(): string {
    const names = ['master', 'slave'];
    return this.devices.map((d, i) => `${names[i]}: ${d.describe()}`).join('; ');
  }
}
