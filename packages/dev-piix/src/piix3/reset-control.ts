import type { PortHandler, SystemControl } from '@plugboard/core';
import { RC } from './registers.js';

/** The Reset Control register at 0xCF9, reached through the host bridge's CONFIG_ADDRESS block. */
export class ResetControl {
  value = 0;

  readonly port: PortHandler = {
    read8: () => this.value,
    write8: (_, value) => {
      this.value = value & RC.SRST;
      if (value & RC.RCPU) {
        this.system.requestReset(`reset control register 0xCF9 (${value & RC.SRST ? 'hard' : 'soft'} reset)`);
      }
    },
  };

  constructor(private readonly system: SystemControl) {}

  reset(): void {
    this.value = 0;
  }
}
