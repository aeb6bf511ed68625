import type { PortHandler, SystemControl } from '@plugboard/core';
import { type A20Gate, PORT92_SOURCE } from '../a20.js';

/** Port 92h bits. */
export const PORT92 = {
  /** ALT_RST: a 0-to-1 transition resets the processor. */
  ALT_RST: 0x01,
  /** ALT_A20_GATE: ORed with the keyboard controller's A20GATE. */
  ALT_A20_GATE: 0x02,
} as const;

/** System Control Port A (0x92): fast A20 and fast reset. */
export class Port92 {
  value = 0;

  readonly ports: PortHandler = {
    read8: () => this.value,
    write8: (_, value) => {
      const rising = value & ~this.value & PORT92.ALT_RST;
      this.value = value & (PORT92.ALT_RST | PORT92.ALT_A20_GATE);
      this.a20.setSource(PORT92_SOURCE, (value & PORT92.ALT_A20_GATE) !== 0);
      if (rising) this.system.requestReset('port 0x92 fast reset (ALT_RST)');
    },
  };

  constructor(
    private readonly a20: A20Gate,
    private readonly system: SystemControl,
  ) {}

  reset(): void {
    this.value = 0;
    this.a20.setSource(PORT92_SOURCE, false);
  }
}
