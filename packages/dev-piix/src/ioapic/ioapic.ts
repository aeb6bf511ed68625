import type { ApicBus, ApicMessage, EoiListener, InterruptSink, MmioHandler } from '@plugboard/core';
import { objectState } from '@plugboard/core';

export const IOAPIC_BASE = 0xfec00000;
export const IOAPIC_PINS = 24;

/** Memory-mapped registers (offsets in the 4 KiB window). */
export const IOREGSEL = 0x00;
export const IOWIN = 0x10;

/** Indirect registers selected by IOREGSEL. */
export const IOAPICID = 0x00;
export const IOAPICVER = 0x01;
export const IOAPICARB = 0x02;
export const IOREDTBL = 0x10;

/** 82093AA version 0x11, maximum redirection entry 23. */
const VERSION = 0x11 | ((IOAPIC_PINS - 1) << 16);

/** Redirection table entry bits (low dword). */
export const REDIR = {
  VECTOR: 0xff,
  DELMOD_SHIFT: 8,
  DESTMOD: 1 << 11,
  DELIVS: 1 << 12,
  INTPOL: 1 << 13,
  REMOTE_IRR: 1 << 14,
  TRIGGER_MODE: 1 << 15,
  MASK: 1 << 16,
} as const;

/** Low-dword bits the guest may write: all but Delivery Status and Remote IRR. */
const REDIR_WRITABLE = 0x1afff;

export interface IoApicOptions {
  /** Reproduce the KVM in-kernel irqchip, which ignores each pin's polarity bit. */
  ignorePolarity: boolean;
  /** The initial IOAPICID. */
  id: number;
  /**
   * Pins whose board wiring is active low (the PCI PIRQs, 16-19 and up).
   * Inputs arrive as "asserted"; the wire's electrical level is what the
   * polarity bit interprets.
   */
  activeLowPins: number;
}

/**
 * The 82093AA I/O APIC: 24 inputs, each with a redirection entry that turns
 * an edge or a level into an APIC message on `ApicBus`. Level entries set
 * Remote IRR when delivered and clear it on the EOI of their vector, then
 * deliver again if the input is still asserted. An edge on a masked pin is
 * lost, as the datasheet says.
 *
 * Polarity: a pin's electrical level is its asserted state, inverted for
 * the active-low (PCI) pins; INTPOL=1 (active low) inverts it back. A guest
 * that programs a pin's polarity against the wiring sees it asserted while
 * idle, as on a board. With `ignorePolarity` the controller uses the asserted
 * state whatever INTPOL says, like KVM's irqchip.
 */
export class IoApic implements InterruptSink, EoiListener {
  id = 0;
  ioregsel = 0;
  readonly redirLow = new Uint32Array(IOAPIC_PINS);
  readonly redirHigh = new Uint32Array(IOAPIC_PINS);
  /** Asserted state of each input, as the wiring reports it. */
  private asserted = 0;
  readonly vmstate = objectState({ ioapic: this }, { version: 1, skip: ['bus', 'options'] });

  readonly mmio: MmioHandler = {
    read8: (offset) => (this.read32(offset & ~3) >>> ((offset & 3) * 8)) & 0xff,
    write8: (offset, value) => {
      if ((offset & ~3) === IOREGSEL) this.ioregsel = value & 0xff;
    },
    read32: (offset) => this.read32(offset),
    write32: (offset, value) => {
      if (offset === IOREGSEL) this.ioregsel = value & 0xff;
      else if (offset === IOWIN) this.writeRegister(value >>> 0);
    },
  };

  constructor(
    private readonly bus: ApicBus,
    private readonly options: IoApicOptions,
  ) {}

  reset(): void {
    this.id = this.options.id & 0xf;
    this.ioregsel = 0;
    this.redirLow.fill(REDIR.MASK);
    this.redirHigh.fill(0);
  }

  info(): string {
    const lines = [`I/O APIC id ${this.id}${this.options.ignorePolarity ? ' (ignoring polarity)' : ''}`];
    for (let pin = 0; pin < IOAPIC_PINS; pin++) {
      const low = this.redirLow[pin];
      if (low & REDIR.MASK) continue;
      const kind = `${low & REDIR.TRIGGER_MODE ? 'level' : 'edge'} ${low & REDIR.INTPOL ? 'low' : 'high'}`;
      const irr = low & REDIR.REMOTE_IRR ? ' remote-IRR' : '';
      lines.push(
        `pin ${pin}: vector 0x${(low & 0xff).toString(16)} ${kind} dest ${this.redirHigh[pin] >>> 24}${irr}`,
      );
    }
    return lines.join('\n');
  }

  private read32(offset: number): number {
    if (offset === IOREGSEL) return this.ioregsel;
    if (offset !== IOWIN) return 0;
    const reg = this.ioregsel;
    if (reg === IOAPICID) return this.id << 24;
    if (reg === IOAPICVER) return VERSION;
    if (reg === IOAPICARB) return this.id << 24;
    const pin = (reg - IOREDTBL) >> 1;
    if (reg < IOREDTBL || pin >= IOAPIC_PINS) return 0;
    return reg & 1 ? this.redirHigh[pin] : this.redirLow[pin];
  }

  private writeRegister(value: number): void {
    const reg = this.ioregsel;
    if (reg === IOAPICID) {
      this.id = (value >>> 24) & 0xf;
      return;
    }
    const pin = (reg - IOREDTBL) >> 1;
    if (reg < IOREDTBL || pin >= IOAPIC_PINS) return;
    if (reg & 1) {
      this.redirHigh[pin] = value & 0xff000000;
      return;
    }
    const old = this.redirLow[pin];
    let low = (old & ~REDIR_WRITABLE) | (value & REDIR_WRITABLE);
    // Remote IRR has no meaning for an edge entry.
    if (!(low & REDIR.TRIGGER_MODE)) low &= ~REDIR.REMOTE_IRR;
    this.redirLow[pin] = low >>> 0;
    // Unmasking, or switching polarity or trigger, lets a pending level through.
    if (low & REDIR.TRIGGER_MODE) this.serviceLevel(pin);
  }

  /** The input as this pin's entry interprets it. */
  private active(pin: number): boolean {
    const asserted = (this.asserted & (1 << pin)) !== 0;
    if (this.options.ignorePolarity) return asserted;
    const electrical = asserted !== ((this.options.activeLowPins & (1 << pin)) !== 0);
    return electrical !== ((this.redirLow[pin] & REDIR.INTPOL) !== 0);
  }

  setInput(pin: number, level: boolean): void {
    if (pin < 0 || pin >= IOAPIC_PINS) return;
    const bit = 1 << pin;
    const before = this.active(pin);
    if (level) this.asserted |= bit;
    else this.asserted &= ~bit;
    const after = this.active(pin);
    const entry = this.redirLow[pin];
    if (entry & REDIR.TRIGGER_MODE) this.serviceLevel(pin);
    else if (after && !before && !(entry & REDIR.MASK)) this.deliver(pin);
  }

  /** A level entry fires while its input is active, unmasked and not awaiting EOI. */
  private serviceLevel(pin: number): void {
    const entry = this.redirLow[pin];
    if (entry & (REDIR.MASK | REDIR.REMOTE_IRR) || !this.active(pin)) return;
    this.redirLow[pin] = (entry | REDIR.REMOTE_IRR) >>> 0;
    this.deliver(pin);
  }

  endOfInterrupt(vector: number): void {
    for (let pin = 0; pin < IOAPIC_PINS; pin++) {
      const entry = this.redirLow[pin];
      if ((entry & REDIR.VECTOR) !== vector || !(entry & REDIR.REMOTE_IRR)) continue;
      this.redirLow[pin] = (entry & ~REDIR.REMOTE_IRR) >>> 0;
      this.serviceLevel(pin);
    }
  }

  private deliver(pin: number): void {
    const low = this.redirLow[pin];
    // A fresh message each time: a local APIC may keep it queued.
    const message: ApicMessage = {
      vector: low & REDIR.VECTOR,
      deliveryMode: (low >> REDIR.DELMOD_SHIFT) & 7,
      destinationMode: low & REDIR.DESTMOD ? 1 : 0,
      triggerMode: low & REDIR.TRIGGER_MODE ? 1 : 0,
      destination: this.redirHigh[pin] >>> 24,
    };
    this.bus.send(message);
  }
}
