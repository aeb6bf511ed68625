import type { Clock, PortHandler } from '@plugboard/core';
import { TimeSource } from '@plugboard/core';
import type { PitCounter } from './counter.js';

/** NMISC (port 0x61) bits. */
export const NMISC = {
  TIM2GATE: 0x01,
  SPKRDAT: 0x02,
  PCIERR_EN_N: 0x04,
  IOCHK_EN_N: 0x08,
  REFRESH: 0x10,
  OUT2: 0x20,
  IOCHK_STS: 0x40,
  SERR_STS: 0x80,
} as const;

const WRITABLE = NMISC.TIM2GATE | NMISC.SPKRDAT | NMISC.PCIERR_EN_N | NMISC.IOCHK_EN_N;
/** The refresh request toggle flips once per DRAM refresh period (15.085 us, 18 PIT clocks). */
const REFRESH_PERIOD_NS = 15_085;

/**
 * NMI Status and Control (port 0x61): counter 2's gate and the speaker data
 * bit, the refresh toggle firmware busy-waits on, and counter 2's OUT. No
 * source of IOCHK# or SERR# exists, so their status bits read 0. The speaker
 * itself makes no sound.
 */
export class NmiStatusControl {
  value = 0;

  readonly ports: PortHandler = {
    read8: () => {
      this.clock.polls.timeRead(TimeSource.pit);
      const now = this.clock.now;
      const refresh = Math.floor(now / REFRESH_PERIOD_NS) & 1 ? NMISC.REFRESH : 0;
      return this.value | refresh | (this.counter2.out(now) ? NMISC.OUT2 : 0);
    },
    write8: (_, value) => {
      this.value = value & WRITABLE;
      this.counter2.setGate(this.clock.now, (value & NMISC.TIM2GATE) !== 0);
    },
  };

  constructor(
    private readonly clock: Clock,
    private readonly counter2: PitCounter,
  ) {}

  reset(): void {
    this.value = 0;
  }
}
