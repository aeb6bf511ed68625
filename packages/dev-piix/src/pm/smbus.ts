import type { IrqLine, PortHandler } from '@plugboard/core';
import { SMB, SMB_SIZE, SMBHSTCNT, SMBHSTSTS } from './registers.js';

const HSTSTS_W1C = SMBHSTSTS.INTER | SMBHSTSTS.DEV_ERR | SMBHSTSTS.BUS_ERR | SMBHSTSTS.FAILED;

/**
 * The PIIX4 SMBus host controller with nothing on the bus: every transaction
 * ends at once with DEV_ERR, as when no device acknowledges its address.
 * With INTEREN set it interrupts on IRQ9 when SMBHSTCFG selects IRQ9.
 */
export class SmbusHost {
  readonly regs = new Uint8Array(SMB_SIZE);
  /** SMBHSTCFG selects IRQ9 (set by the PM function from its config space). */
  irq9Selected = false;

  readonly ports: PortHandler = {
    read8: (offset) => {
      const value = this.regs[offset & 0xf];
      if (offset === SMB.HSTCNT) return value & ~SMBHSTCNT.START & ~SMBHSTCNT.KILL;
      return value;
    },
    write8: (offset, value) => {
      offset &= 0xf;
      if (offset === SMB.HSTSTS) {
        this.regs[SMB.HSTSTS] &= ~(value & HSTSTS_W1C);
      } else if (offset === SMB.HSTCNT) {
        this.regs[SMB.HSTCNT] = value;
        if (value & SMBHSTCNT.KILL)
          this.regs[SMB.HSTSTS] = (this.regs[SMB.HSTSTS] & ~SMBHSTSTS.HOST_BUSY) | SMBHSTSTS.FAILED;
        else if (value & SMBHSTCNT.START) this.regs[SMB.HSTSTS] |= SMBHSTSTS.DEV_ERR;
      } else {
        this.regs[offset] = value;
      }
      this.updateIrq();
    },
  };

  constructor(private readonly irq9: IrqLine) {}

  reset(): void {
    this.regs.fill(0);
    this.updateIrq();
  }

  updateIrq(): void {
    const pending = (this.regs[SMB.HSTSTS] & HSTSTS_W1C) !== 0;
    this.irq9.set(this.irq9Selected && (this.regs[SMB.HSTCNT] & SMBHSTCNT.INTEREN) !== 0 && pending);
  }
}
