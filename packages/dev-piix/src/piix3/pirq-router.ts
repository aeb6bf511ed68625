import type { InterruptSink, IrqLine, IrqLines, PciIntxRouter } from '@plugboard/core';
import { IRQROUTEN_DISABLED, PIRQ_IRQ_MASK, PIRQ_ROUTABLE } from './registers.js';

/** The I/O APIC pin PIRQA reaches; B-D follow. */
export const PIRQ_IOAPIC_PIN = 16;

/**
 * Steers PIRQA-D onto ISA IRQs as PIRQRC[A:D] say. Each PIRQ has its own
 * handle on every routable ISA line, so a PIRQ is wired-ORed with the ISA
 * devices on that line and moving the route releases the old line. Every
 * PIRQ also reaches I/O APIC pins 16-19, whatever the routing.
 */
export class PirqRouter implements PciIntxRouter {
  /** PIRQRC[A:D] as last written. */
  readonly routes = new Uint8Array([0x80, 0x80, 0x80, 0x80]);
  readonly levels = [false, false, false, false];
  private readonly lines: (IrqLine | null)[][];
  private readonly driven = new Int8Array([-1, -1, -1, -1]);
  ioapic: InterruptSink | null = null;

  constructor(isaIrqs: IrqLines) {
    this.lines = [0, 1, 2, 3].map(() =>
      Array.from({ length: 16 }, (_, irq) => (PIRQ_ROUTABLE & (1 << irq) ? isaIrqs.line(irq) : null)),
    );
  }

  reset(): void {
    this.routes.fill(IRQROUTEN_DISABLED);
    for (let p = 0; p < 4; p++) this.update(p);
  }

  setRoute(pirq: number, value: number): void {
    this.routes[pirq] = value;
    this.update(pirq);
  }

  setPirq(pirq: number, level: boolean): void {
    if (pirq < 0 || pirq > 3 || this.levels[pirq] === level) return;
    this.levels[pirq] = level;
    this.ioapic?.setInput(PIRQ_IOAPIC_PIN + pirq, level);
    this.update(pirq);
  }

  /** The ISA IRQ PIRQ `pirq` reaches now, or -1. */
  target(pirq: number): number {
    const route = this.routes[pirq];
    const irq = route & PIRQ_IRQ_MASK;
    return route & IRQROUTEN_DISABLED || !(PIRQ_ROUTABLE & (1 << irq)) ? -1 : irq;
  }

  private update(pirq: number): void {
    const want = this.levels[pirq] ? this.target(pirq) : -1;
    const old = this.driven[pirq];
    if (want === old) return;
    if (old >= 0) this.lines[pirq][old]?.set(false);
    if (want >= 0) this.lines[pirq][want]?.set(true);
    this.driven[pirq] = want;
  }

  /** Connects the I/O APIC and tells it the PIRQs' present levels. */
  connectIoApic(ioapic: InterruptSink): void {
    this.ioapic = ioapic;
    for (let p = 0; p < 4; p++) ioapic.setInput(PIRQ_IOAPIC_PIN + p, this.levels[p]);
  }
}
