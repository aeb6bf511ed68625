/** The 8259's side of the INTA cycle: hands the CPU the vector of the interrupt it accepts. */
export interface InterruptAcknowledge {
  acknowledge(): number;
}

/**
 * The processor's interrupt pins as the board drives them: INTR from the
 * 8259 (LINT0 when a local APIC is enabled) and NMI (LINT1). Driving a pin is
 * a field write plus `attention`: the CPU looks at its interrupt sources only
 * between instructions where `attention` is set.
 */
export class CpuPins {
  intr = false;
  nmi = false;
  /**
   * Something may have become deliverable (a pin rose, the local APIC took an
   * interrupt): the CPU polls before its next instruction, and clears this
   * once nothing is left pending.
   */
  attention = true;
  /** Set by the interrupt controller that answers INTA. */
  intController: InterruptAcknowledge | null = null;
  /** Set by the CPU: called when a pin rises, so a halted CPU wakes. */
  onWake: (() => void) | null = null;

  setIntr(level: boolean): void {
    this.intr = level;
    if (level) {
      this.attention = true;
      this.onWake?.();
    }
  }

  raiseNmi(): void {
    this.nmi = true;
    this.attention = true;
    this.onWake?.();
  }

  /** Runs the INTA cycle; with no 8259 the data bus floats to 0xFF. */
  acknowledge(): number {
    return this.intController ? this.intController.acknowledge() & 0xff : 0xff;
  }
}
