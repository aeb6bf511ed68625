import type { Clock, Dma, PortHandler, Timer } from '@plugboard/core';
import type { UsbDevice, UsbPort } from '@plugboard/usb';
import {
  CMD_EGSM,
  CMD_FGR,
  CMD_GRESET,
  CMD_HCRESET,
  CMD_RS,
  CMD_WRITABLE,
  FRAME_LIST_ENTRIES,
  FRBASEADD,
  FRBASEADD_MASK,
  FRNUM,
  FRNUM_MASK,
  INTR_IOC,
  INTR_RESUME,
  INTR_SHORT_PACKET,
  INTR_TIMEOUT_CRC,
  INTR_WRITABLE,
  PORT_ALWAYS1,
  PORT_CCS,
  PORT_COUNT,
  PORT_CSC,
  PORT_LSDA,
  PORT_PE,
  PORT_PR,
  PORT_RD,
  PORT_SUSP,
  PORT_WRITABLE,
  PORT_WRITE_CLEAR,
  PORTSC1,
  SOFMOD,
  SOFMOD_DEFAULT,
  STS_HC_PROCESS_ERROR,
  STS_HCHALTED,
  STS_HOST_SYSTEM_ERROR,
  STS_RESUME_DETECT,
  STS_USBERRINT,
  STS_USBINT,
  USBCMD,
  USBINTR,
  USBSTS,
} from './registers.js';
import {
  FRAME_ERROR,
  FRAME_HOST_SYSTEM_ERROR,
  FRAME_IOC,
  FRAME_PROCESS_ERROR,
  FRAME_SHORT_PACKET,
  Schedule,
} from './schedule.js';

/** A full-speed frame: 1 ms of virtual time. */
export const FRAME_NS = 1_000_000;

/** All of the controller's state: snapshots save it, reset reloads `initialUhciState`. */
export interface UhciState {
  usbcmd: number;
  usbsts: number;
  usbintr: number;
  frnum: number;
  frbaseadd: number;
  sofmod: number;
  portsc: number[];
  /** IOC and short-packet interrupts of the frame in progress (FRAME_IOC, FRAME_SHORT_PACKET): USBINT rises when it ends. */
  frameInterrupts: number;
  /** Which of those USBINT stands for, so USBINTR's IOC and short-packet enables each gate their own (QEMU's status2). */
  usbintCauses: number;
  /** A frame is in progress (the controller runs): the next tick ends it before starting another. */
  inFrame: boolean;
  /** Virtual time (ns) the next frame starts: frames stay on a 1 ms grid from Run. */
  nextFrame: number;
}

export function initialUhciState(): UhciState {
  return {
    usbcmd: 0,
    // QEMU's reset value: the controller is stopped, and says so.
    usbsts: STS_HCHALTED,
    usbintr: 0,
    frnum: 0,
    frbaseadd: 0,
    sofmod: SOFMOD_DEFAULT,
    portsc: Array.from({ length: PORT_COUNT }, () => PORT_ALWAYS1),
    frameInterrupts: 0,
    usbintCauses: 0,
    inFrame: false,
    nextFrame: 0,
  };
}

/** What the controller is wired to. */
export interface UhciWiring {
  id: string;
  dma: Dma;
  clock: Clock;
  /** Drives INTD# (the caller gates it with LEGSUP's USBPIRQDEN). */
  setIrq(level: boolean): void;
  /** The controller's PCI location, `0000:00:01.2`. */
  location: string;
}

/**
 * The UHCI controller of the PIIX3: its I/O registers, two root ports and a
 * frame every millisecond of virtual time while Run is set.
 */
export class Uhci {
  readonly state = initialUhciState();
  readonly devices: (UsbDevice | null)[] = Array.from({ length: PORT_COUNT }, () => null);
  private readonly schedule: Schedule;
  private readonly timer: Timer;

  constructor(private readonly wiring: UhciWiring) {
    this.schedule = new Schedule({ dma: wiring.dma, device: (address) => this.device(address) });
    this.timer = wiring.clock.createTimer(`${wiring.id} frame`, (now) => this.frame(now));
  }

  /** Plugs a device into the first free root port. */
  attach(device: UsbDevice): UsbPort {
    const index = this.devices.indexOf(null);
    if (index < 0) throw new Error(`both root ports of ${this.wiring.id} are taken`);
    this.devices[index] = device;
    this.connect(index);
    return {
      number: index + 1,
      controller: this.wiring.location,
      wakeup: () => this.wakeup(index),
    };
  }

  reset(): void {
    Object.assign(this.state, initialUhciState());
    this.timer.cancel();
    for (let i = 0; i < PORT_COUNT; i++) {
      if (!this.devices[i]) continue;
      this.devices[i]?.busReset();
      this.connect(i);
    }
    this.updateIrq();
  }

  /** The interrupt line's level before LEGSUP gates it (QEMU's uhci_update_irq). */
  get interrupt(): boolean {
    const s = this.state;
    const causes =
      (s.usbintCauses & FRAME_IOC && s.usbintr & INTR_IOC) |
      (s.usbintCauses & FRAME_SHORT_PACKET && s.usbintr & INTR_SHORT_PACKET) |
      (s.usbsts & STS_USBERRINT && s.usbintr & INTR_TIMEOUT_CRC) |
      (s.usbsts & STS_RESUME_DETECT && s.usbintr & INTR_RESUME) |
      (s.usbsts & (STS_HOST_SYSTEM_ERROR | STS_HC_PROCESS_ERROR));
    return causes !== 0;
  }

  updateIrq(): void {
    this.wiring.setIrq(this.interrupt);
  }

  readonly ports: PortHandler = {
    read8: (offset) =>
      offset === SOFMOD ? this.state.sofmod : (this.read16(offset & ~1) >>> ((offset & 1) * 8)) & 0xff,
    // Byte writes reach SOFMOD only, as QEMU's; the other registers are word registers.
    write8: (offset, value) => {
      if (offset === SOFMOD) this.state.sofmod = value & 0x7f;
    },
    read16: (offset) => this.read16(offset),
    write16: (offset, value) => this.write16(offset, value),
    read32: (offset) =>
      offset === FRBASEADD
        ? this.state.frbaseadd
        : (this.read16(offset) | (this.read16(offset + 2) << 16)) >>> 0,
    write32: (offset, value) => {
      if (offset === FRBASEADD) this.state.frbaseadd = (value & FRBASEADD_MASK) >>> 0;
      else {
        this.write16(offset, value & 0xffff);
        this.write16(offset + 2, value >>> 16);
      }
    },
  };

  private read16(offset: number): number {
    const s = this.state;
    switch (offset) {
      case USBCMD:
        return s.usbcmd;
      case USBSTS:
        return s.usbsts;
      case USBINTR:
        return s.usbintr;
      case FRNUM:
        return s.frnum;
      case FRBASEADD:
        return s.frbaseadd & 0xffff;
      case FRBASEADD + 2:
        return s.frbaseadd >>> 16;
      case SOFMOD:
        return s.sofmod;
      default: {
        const port = (offset - PORTSC1) >> 1;
        if (offset >= PORTSC1 && port < PORT_COUNT && !(offset & 1)) return s.portsc[port];
        // What QEMU reads past the ports: bit 7 clear, so drivers counting ports stop here.
        return 0xff7f;
      }
    }
  }

  private write16(offset: number, value: number): void {
    const s = this.state;
    switch (offset) {
      case USBCMD:
        this.writeCommand(value);
        return;
      case USBSTS:
        s.usbsts &= ~(value & ~STS_HCHALTED);
        if (value & STS_USBINT) s.usbintCauses = 0;
        this.updateIrq();
        return;
      case USBINTR:
        s.usbintr = value & INTR_WRITABLE;
        this.updateIrq();
        return;
      case FRNUM:
        // 2.1.4: software sets the frame number only while the controller is stopped.
        if (s.usbsts & STS_HCHALTED) s.frnum = value & FRNUM_MASK;
        return;
      case FRBASEADD:
        s.frbaseadd = ((s.frbaseadd & 0xffff0000) | (value & FRBASEADD_MASK & 0xffff)) >>> 0;
        return;
      case FRBASEADD + 2:
        s.frbaseadd = ((s.frbaseadd & 0xffff) | ((value & 0xffff) << 16)) >>> 0;
        return;
      case SOFMOD:
        s.sofmod = value & 0x7f;
        return;
      default: {
        const port = (offset - PORTSC1) >> 1;
        if (offset >= PORTSC1 && port < PORT_COUNT && !(offset & 1)) this.writePort(port, value);
      }
    }
  }

  private writeCommand(value: number): void {
    const s = this.state;
    if (value & CMD_GRESET) {
      // Global reset: reset signalling on every port, and the controller back to its reset state.
      this.reset();
      return;
    }
    if (value & CMD_HCRESET) {
      this.reset();
      return;
    }
    const wasRunning = (s.usbcmd & CMD_RS) !== 0;
    s.usbcmd = value & CMD_WRITABLE;
    if (value & CMD_RS && !wasRunning) {
      s.usbsts &= ~STS_HCHALTED;
      s.inFrame = false;
      s.nextFrame = this.wiring.clock.now;
      this.timer.arm(s.nextFrame);
    } else if (!(value & CMD_RS) && wasRunning) this.halt();
  }

  /** Run cleared (or an error): the frame in progress ends and the controller stops. */
  private halt(): void {
    const s = this.state;
    s.usbcmd &= ~CMD_RS;
    this.endFrame();
    s.usbsts |= STS_HCHALTED;
    this.timer.cancel();
    this.updateIrq();
  }

  private writePort(port: number, value: number): void {
    const s = this.state;
    const old = s.portsc[port];
    const device = this.devices[port];
    // Reset signalling starts on the rising edge of PR, and a port in reset is disabled.
    if (value & PORT_PR && !(old & PORT_PR)) device?.busReset();
    let next = (old & ~PORT_WRITABLE) | (value & PORT_WRITABLE);
    next &= ~(value & PORT_WRITE_CLEAR);
    if (!(next & PORT_CCS) || next & PORT_PR) next &= ~PORT_PE;
    s.portsc[port] = next;
  }

  private connect(port: number): void {
    const device = this.devices[port];
    if (!device) return;
    const s = this.state;
    s.portsc[port] = (s.portsc[port] | PORT_CCS | PORT_CSC) & ~PORT_LSDA;
    if (device.lowSpeed) s.portsc[port] |= PORT_LSDA;
    this.resume();
  }

  private wakeup(port: number): void {
    const s = this.state;
    if (s.portsc[port] & PORT_SUSP && !(s.portsc[port] & PORT_RD)) {
      s.portsc[port] |= PORT_RD;
      this.resume();
    }
  }

  /** Resume signalling while the bus is globally suspended (2.1.1, EGSM). */
  private resume(): void {
    const s = this.state;
    if (!(s.usbcmd & CMD_EGSM)) return;
    s.usbcmd |= CMD_FGR;
    s.usbsts |= STS_RESUME_DETECT;
    this.updateIrq();
  }

  private device(address: number): UsbDevice | null {
    const s = this.state;
    for (let i = 0; i < PORT_COUNT; i++) {
      const d = this.devices[i];
      if (d !== null && s.portsc[i] & PORT_PE && !(s.portsc[i] & PORT_SUSP) && d.address === address)
        return d;
    }
    return null;
  }

  /** The end of a frame: its IOC and short-packet completions raise USBINT (3.2.2, IOC "at the end of the frame"). */
  private endFrame(): void {
    const s = this.state;
    if (s.inFrame) {
      if (s.frameInterrupts) {
        s.usbintCauses |= s.frameInterrupts;
        s.usbsts |= STS_USBINT;
      }
      s.frameInterrupts = 0;
      s.frnum = (s.frnum + 1) & FRNUM_MASK;
      s.inFrame = false;
    }
  }

  /** The frame timer: ends the last frame, walks this one. */
  private frame(now: number): void {
    const s = this.state;
    if (!(s.usbcmd & CMD_RS)) return;
    this.endFrame();
    const entry = (s.frbaseadd + (s.frnum % FRAME_LIST_ENTRIES) * 4) >>> 0;
    const result = this.schedule.run(entry);
    s.inFrame = true;
    s.frameInterrupts |= result & (FRAME_IOC | FRAME_SHORT_PACKET);
    if (result & FRAME_ERROR) s.usbsts |= STS_USBERRINT;
    if (result & (FRAME_HOST_SYSTEM_ERROR | FRAME_PROCESS_ERROR)) {
      // 2.1.2: either error halts the controller.
      s.usbsts |= result & FRAME_HOST_SYSTEM_ERROR ? STS_HOST_SYSTEM_ERROR : STS_HC_PROCESS_ERROR;
      this.halt();
      return;
    }
    this.updateIrq();
    s.nextFrame += FRAME_NS;
    // A frame the timer fired too late for is dropped, not run twice.
    if (s.nextFrame <= now) s.nextFrame = now + FRAME_NS;
    this.timer.arm(s.nextFrame);
  }

  describe(): string {
    const s = this.state;
    const hex = (v: number, w = 4) => `0x${v.toString(16).padStart(w, '0')}`;
    const ports = s.portsc
      .map((p, i) => `port ${i + 1} ${hex(p)}${this.devices[i] ? ` (${this.devices[i]?.product})` : ''}`)
      .join(', ');
    return `USBCMD=${hex(s.usbcmd)} USBSTS=${hex(s.usbsts)} USBINTR=${hex(s.usbintr)} FRNUM=${hex(s.frnum)} FRBASEADD=${hex(s.frbaseadd, 8)}; ${ports}`;
  }
}
