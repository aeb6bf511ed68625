import type { PortHandler } from '../io/port-bus.js';
import type { PciBus } from './pci-bus.js';

/**
 * PCI configuration mechanism #1: CONFIG_ADDRESS at 0xCF8 (32-bit only) and
 * CONFIG_DATA at 0xCFC-0xCFF. Byte accesses to 0xCF9 are not configuration
 * cycles: on PIIX-based boards they reach the reset control register, which
 * the chipset plugs in as `port0cf9`.
 */
export class ConfigMechanism1 {
  private address = 0;
  port0cf9: PortHandler | null = null;

  constructor(private readonly bus: PciBus) {}

  /** RESET#: CONFIG_ADDRESS clears. */
  reset(): void {
    this.address = 0;
  }

  readonly addressPorts: PortHandler = {
    read8: (offset) => (offset === 1 && this.port0cf9 ? this.port0cf9.read8(0) : 0xff),
    write8: (offset, value) => {
      if (offset === 1) this.port0cf9?.write8(0, value);
    },
    read32: () => this.address >>> 0,
    write32: (_, value) => {
      // Bits 1:0 are reserved and read back as zero.
      this.address = value & 0x80fffffc;
    },
  };

  readonly dataPorts: PortHandler = {
    read8: (offset) => this.read(offset, 1),
    write8: (offset, value) => this.write(offset, 1, value),
    read16: (offset) => this.read(offset, 2),
    write16: (offset, value) => this.write(offset, 2, value),
    read32: (offset) => this.read(offset, 4),
    write32: (offset, value) => this.write(offset, 4, value),
  };

  private read(offset: number, size: 1 | 2 | 4): number {
    if (!(this.address & 0x80000000)) return size === 4 ? 0xffffffff : (1 << (size * 8)) - 1;
    const reg = (this.address & 0xfc) + offset;
    return this.bus.readConfig((this.address >>> 16) & 0xff, (this.address >>> 8) & 0xff, reg, size);
  }

  private write(offset: number, size: 1 | 2 | 4, value: number): void {
    if (!(this.address & 0x80000000)) return;
    const reg = (this.address & 0xfc) + offset;
    this.bus.writeConfig((this.address >>> 16) & 0xff, (this.address >>> 8) & 0xff, reg, size, value);
  }
}
