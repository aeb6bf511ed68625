import type { Clock, IrqLine, PortHandler, Timer } from '@plugboard/core';
import type { SerialBackend } from './backend.js';
import {
  FCR_FIFO_ENABLE,
  FCR_RCVR_RESET,
  FCR_TRIGGER_MASK,
  FIFO_SIZE,
  IER_EDSSI,
  IER_ELSI,
  IER_ERBFI,
  IER_ETBEI,
  IIR_CTI,
  IIR_FIFO_ENABLED,
  IIR_MSI,
  IIR_NO_INT,
  IIR_RDI,
  IIR_RLSI,
  IIR_THRI,
  LCR_DLAB,
  LCR_PEN,
  LCR_STB,
  LCR_WLS_MASK,
  LSR_DR,
  LSR_ERR_IN_FIFO,
  LSR_ERRORS,
  LSR_OE,
  LSR_TEMT,
  LSR_THRE,
  MCR_DTR,
  MCR_LOOP,
  MCR_OUT1,
  MCR_OUT2,
  MCR_RTS,
  MSR_CTS,
  MSR_DCD,
  MSR_DELTAS,
  MSR_DSR,
  MSR_RI,
  MSR_TERI,
  RX_TRIGGER,
  UART_CLOCK_HZ,
  UART_FCR,
  UART_IER,
  UART_IIR,
  UART_LCR,
  UART_LSR,
  UART_MCR,
  UART_MSR,
  UART_RBR,
  UART_SCR,
  UART_THR,
} from './registers.js';

/** Host input waiting for the receiver; beyond this the host's bytes are dropped. */
export const HOST_QUEUE_SIZE = 64 * 1024;
/** What the modem lines show with no loopback: a cable with carrier, DSR and CTS. */
const MSR_CONNECTED = MSR_DCD | MSR_DSR | MSR_CTS;

/**
 * A National Semiconductor 16550A UART.
 *
 * Transmission is instantaneous, as in QEMU: a byte written to THR goes to
 * the backend at once, so THR and the transmitter are always empty again
 * (LSR THRE|TEMT) and the THRE interrupt re-arms after every write. Reception
 * is paced: host input is queued and moved into the receiver one character
 * time (at the programmed baud rate, in virtual time) apart, and only while
 * the receive FIFO has room, so the host side never overruns the guest.
 */
export class Uart16550a {
  private readonly rx = new Uint8Array(FIFO_SIZE);
  private rxHead = 0;
  private rxCount = 0;
  private ier = 0;
  private lcr = 0;
  private mcr = 0;
  private lsr = LSR_THRE | LSR_TEMT;
  private msr = MSR_CONNECTED;
  private scr = 0;
  private divisor = 0;
  private fifoEnabled = false;
  private trigger = 1;
  /** THR emptied since the guest last saw THRE in IIR (or wrote THR). */
  private thrIpending = false;
  private timeoutPending = false;
  private irqLevel = false;

  private readonly hostQueue = new Uint8Array(HOST_QUEUE_SIZE);
  private hostHead = 0;
  private hostCount = 0;
  /** Host bytes dropped because the queue was full. */
  dropped = 0;

  private readonly receiveTimer: Timer;
  private readonly timeoutTimer: Timer;
  /** Called when host input arrives, to end an idle wait of the machine. */
  onHostInput: (() => void) | null = null;

  readonly ports: PortHandler = {
    read8: (off) => this.read(off),
    write8: (off, value) => this.write(off, value),
  };

  constructor(
    clock: Clock,
    private readonly irq: IrqLine,
    private readonly backend: SerialBackend,
  ) {
    this.receiveTimer = clock.createTimer('uart receive', () => this.receiveOne());
    this.timeoutTimer = clock.createTimer('uart rx timeout', () => {
      if (this.rxCount > 0 && this.fifoEnabled) {
        this.timeoutPending = true;
        this.updateIrq();
      }
    });
    backend.attach((data) => this.hostInput(data));
  }

  reset(): void {
    this.rxHead = 0;
    this.rxCount = 0;
    this.ier = 0;
    this.lcr = 0;
    this.mcr = 0;
    this.lsr = LSR_THRE | LSR_TEMT;
    this.msr = MSR_CONNECTED;
    this.scr = 0;
    this.divisor = 0;
    this.fifoEnabled = false;
    this.trigger = 1;
    this.thrIpending = false;
    this.timeoutPending = false;
    this.timeoutTimer.cancel();
    this.receiveTimer.cancel();
    this.updateIrq();
    if (this.hostCount > 0) this.receiveTimer.armIn(this.charTimeNs());
  }

  /** One character on the wire (start, data, parity, stop bits) at the programmed rate, in ns. */
  charTimeNs(): number {
    const bits =
      1 + 5 + (this.lcr & LCR_WLS_MASK) + (this.lcr & LCR_PEN ? 1 : 0) + (this.lcr & LCR_STB ? 2 : 1);
    const baud = UART_CLOCK_HZ / (this.divisor || 1);
    return (bits * 1e9) / baud;
  }

  /** Queues host input; it reaches the receiver at the line rate. */
  hostInput(data: Uint8Array): void {
    for (let i = 0; i < data.length; i++) {
      if (this.hostCount === HOST_QUEUE_SIZE) {
        this.dropped += data.length - i;
        break;
      }
      this.hostQueue[(this.hostHead + this.hostCount) % HOST_QUEUE_SIZE] = data[i];
      this.hostCount++;
    }
    if (!this.receiveTimer.armed && this.hostCount > 0) this.receiveTimer.armIn(this.charTimeNs());
    this.onHostInput?.();
  }

  private receiveOne(): void {
    if (this.hostCount === 0 || this.rxCount >= this.rxCapacity()) return;
    const byte = this.hostQueue[this.hostHead];
    this.hostHead = (this.hostHead + 1) % HOST_QUEUE_SIZE;
    this.hostCount--;
    this.pushRx(byte);
    if (this.hostCount > 0 && this.rxCount < this.rxCapacity()) this.receiveTimer.armIn(this.charTimeNs());
  }

  private rxCapacity(): number {
    return this.fifoEnabled ? FIFO_SIZE : 1;
  }

  /** A character reaches the receiver: into the FIFO (or the single RBR), or lost with OE set. */
  private pushRx(byte: number): void {
    if (this.rxCount >= this.rxCapacity()) {
      this.lsr |= LSR_OE;
      if (!this.fifoEnabled) this.rx[this.rxHead] = byte; // Without a FIFO the new byte overwrites RBR.
    } else {
      this.rx[(this.rxHead + this.rxCount) % FIFO_SIZE] = byte;
      this.rxCount++;
    }
    this.timeoutPending = false;
    if (this.fifoEnabled) this.timeoutTimer.armIn(4 * this.charTimeNs());
    this.updateIrq();
  }

  private read(off: number): number {
    switch (off) {
      case UART_RBR: // DLL while DLAB is set
        return this.lcr & LCR_DLAB ? this.divisor & 0xff : this.readRbr();
      case UART_IER: // DLM while DLAB is set
        return this.lcr & LCR_DLAB ? this.divisor >>> 8 : this.ier;
      case UART_IIR: {
        const iir = this.iir();
        // Reading IIR while it reports THRE is what acknowledges that interrupt.
        if ((iir & 0x0f) === IIR_THRI) {
          this.thrIpending = false;
          this.updateIrq();
        }
        return iir;
      }
      case UART_LCR:
        return this.lcr;
      case UART_MCR:
        return this.mcr;
      case UART_LSR: {
        const lsr = this.lsr | (this.rxCount > 0 ? LSR_DR : 0);
        this.lsr &= ~(LSR_ERRORS | LSR_ERR_IN_FIFO);
        if (lsr & LSR_ERRORS) this.updateIrq();
        return lsr;
      }
      case UART_MSR: {
        const msr = this.msr;
        this.msr &= ~MSR_DELTAS;
        if (msr & MSR_DELTAS) this.updateIrq();
        return msr;
      }
      default:
        return this.scr;
    }
  }

  private readRbr(): number {
    if (this.rxCount === 0) return this.rx[this.rxHead];
    const byte = this.rx[this.rxHead];
    this.rxHead = (this.rxHead + 1) % FIFO_SIZE;
    this.rxCount--;
    this.timeoutPending = false;
    if (this.rxCount > 0 && this.fifoEnabled) this.timeoutTimer.armIn(4 * this.charTimeNs());
    else this.timeoutTimer.cancel();
    if (this.hostCount > 0 && !this.receiveTimer.armed) this.receiveTimer.armIn(this.charTimeNs());
    this.updateIrq();
    return byte;
  }

  private write(off: number, value: number): void {
    switch (off) {
      case UART_THR: // DLL while DLAB is set
        if (this.lcr & LCR_DLAB) this.divisor = (this.divisor & 0xff00) | value;
        else this.transmit(value);
        return;
      case UART_IER:
        if (this.lcr & LCR_DLAB) {
          this.divisor = (this.divisor & 0xff) | (value << 8);
          return;
        }
        {
          const enabling = value & ~this.ier & IER_ETBEI;
          this.ier = value & 0x0f;
          // Enabling ETBEI while THR is empty raises THRE at once; Linux's 8250 driver tests and relies on it.
          if (enabling) this.thrIpending = true;
          this.updateIrq();
        }
        return;
      case UART_FCR:
        this.writeFcr(value);
        return;
      case UART_LCR:
        this.lcr = value;
        return;
      case UART_MCR:
        this.writeMcr(value & 0x1f);
        return;
      case UART_LSR:
      case UART_MSR:
        return; // Factory test registers: writes do nothing useful.
      case UART_SCR:
        this.scr = value;
        return;
    }
  }

  private transmit(byte: number): void {
    if (this.mcr & MCR_LOOP) this.pushRx(byte);
    else this.backend.write(byte);
    this.thrIpending = true;
    this.updateIrq();
  }

  private writeFcr(value: number): void {
    const enable = (value & FCR_FIFO_ENABLE) !== 0;
    if (enable !== this.fifoEnabled || value & FCR_RCVR_RESET) {
      this.rxHead = 0;
      this.rxCount = 0;
      this.timeoutPending = false;
      this.timeoutTimer.cancel();
      if (this.hostCount > 0 && !this.receiveTimer.armed) this.receiveTimer.armIn(this.charTimeNs());
    }
    this.fifoEnabled = enable;
    this.trigger = enable ? RX_TRIGGER[(value & FCR_TRIGGER_MASK) >>> 6] : 1;
    this.updateIrq();
  }

  private writeMcr(value: number): void {
    this.mcr = value;
    let lines = MSR_CONNECTED;
    if (value & MCR_LOOP) {
      // Loopback wires RTS->CTS, DTR->DSR, OUT1->RI, OUT2->DCD inside the chip.
      lines =
        (value & MCR_RTS ? MSR_CTS : 0) |
        (value & MCR_DTR ? MSR_DSR : 0) |
        (value & MCR_OUT1 ? MSR_RI : 0) |
        (value & MCR_OUT2 ? MSR_DCD : 0);
    }
    const old = this.msr;
    const changed = (old ^ lines) & 0xf0;
    let deltas = (changed >>> 4) & ~MSR_TERI;
    // TERI marks the trailing edge of RI only (RI going inactive).
    if (old & MSR_RI && !(lines & MSR_RI)) deltas |= MSR_TERI;
    this.msr = lines | (old & MSR_DELTAS) | deltas;
    this.updateIrq();
  }

  /** The highest-priority pending interrupt, in IIR form. */
  private iir(): number {
    const fifo = this.fifoEnabled ? IIR_FIFO_ENABLED : 0;
    const ier = this.ier;
    if (ier & IER_ELSI && this.lsr & LSR_ERRORS) return fifo | IIR_RLSI;
    if (ier & IER_ERBFI && this.timeoutPending) return fifo | IIR_CTI;
    if (ier & IER_ERBFI && this.rxCount >= this.trigger) return fifo | IIR_RDI;
    if (ier & IER_ETBEI && this.thrIpending) return fifo | IIR_THRI;
    if (ier & IER_EDSSI && this.msr & MSR_DELTAS) return fifo | IIR_MSI;
    return fifo | IIR_NO_INT;
  }

  /** The PC routes INTRPT to the IRQ line through OUT2. */
  private updateIrq(): void {
    const level = (this.iir() & IIR_NO_INT) === 0 && (this.mcr & MCR_OUT2) !== 0;
    if (level !== this.irqLevel) {
      this.irqLevel = level;
      this.irq.set(level);
    }
  }

  info(): string {
    const baud = Math.round(UART_CLOCK_HZ / (this.divisor || 1));
    return `${baud} baud, LCR 0x${this.lcr.toString(16)}, IER 0x${this.ier.toString(16)}, rx ${this.rxCount}, host queue ${this.hostCount}, dropped ${this.dropped}`;
  }

  close(): void | Promise<void> {
    return this.backend.close();
  }
}
