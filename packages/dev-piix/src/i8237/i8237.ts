/** Mode register fields (written to register 0xB). */
export const DMA_MODE = {
  /** Bits 3-2: 00 verify, 01 write (device to memory), 10 read (memory to device). */
  TRANSFER_SHIFT: 2,
  AUTOINIT: 0x10,
  DECREMENT: 0x20,
  /** Bits 7-6: 00 demand, 01 single, 10 block, 11 cascade. */
  MODE_SHIFT: 6,
} as const;

/** Command register bit 2: controller disable. */
const COMMAND_DISABLE = 0x04;

export interface DmaChannelState {
  baseAddress: number;
  baseCount: number;
  currentAddress: number;
  currentCount: number;
  mode: number;
}

/**
 * One 8237A DMA controller's registers: four channels of base/current
 * address and count, the byte pointer flip-flop, command, status, request
 * and mask registers. Register `n` is what the datasheet numbers A3-A0 = n;
 * the board decides where that sits in I/O space.
 */
export class I8237 {
  readonly channels: DmaChannelState[] = [0, 1, 2, 3].map(() => ({
    baseAddress: 0,
    baseCount: 0,
    currentAddress: 0,
    currentCount: 0,
    mode: 0,
  }));
  command = 0;
  /** Status: bits 3-0 terminal count reached (cleared by reading), bits 7-4 DREQ. */
  status = 0;
  request = 0;
  mask = 0x0f;
  /** Byte pointer flip-flop: true when the next address/count access is the high byte. */
  flipFlop = false;
  /** DREQ lines from devices. */
  dreq = 0;

  reset(): void {
    for (const ch of this.channels) {
      ch.baseAddress = 0;
      ch.baseCount = 0;
      ch.currentAddress = 0;
      ch.currentCount = 0;
      ch.mode = 0;
    }
    this.masterClear();
    this.dreq = 0;
  }

  /** Master Clear: like RESET, except the channel registers keep their values. */
  private masterClear(): void {
    this.command = 0;
    this.status = 0;
    this.request = 0;
    this.mask = 0x0f;
    this.flipFlop = false;
  }

  get enabled(): boolean {
    return (this.command & COMMAND_DISABLE) === 0;
  }

  read(reg: number): number {
    if (reg < 8) {
      const ch = this.channels[reg >> 1];
      const value = reg & 1 ? ch.currentCount : ch.currentAddress;
      const byte = this.flipFlop ? value >> 8 : value & 0xff;
      this.flipFlop = !this.flipFlop;
      return byte & 0xff;
    }
    switch (reg) {
      case 8: {
        const value = (this.status & 0x0f) | ((this.dreq | this.request) << 4);
        this.status &= 0xf0;
        return value & 0xff;
      }
      case 0xf:
        return this.mask | 0xf0;
      default:
        // The temporary register (0xD) holds memory-to-memory data, which a PC never uses.
        return 0;
    }
  }

  write(reg: number, value: number): void {
    if (reg < 8) {
      const ch = this.channels[reg >> 1];
      const high = this.flipFlop;
      this.flipFlop = !this.flipFlop;
      const merge = (old: number) => (high ? (old & 0xff) | (value << 8) : (old & 0xff00) | value);
      if (reg & 1) {
        ch.baseCount = merge(ch.baseCount);
        ch.currentCount = ch.baseCount;
      } else {
        ch.baseAddress = merge(ch.baseAddress);
        ch.currentAddress = ch.baseAddress;
      }
      return;
    }
    const n = value & 3;
    switch (reg) {
      case 8:
        this.command = value;
        break;
      case 9:
        if (value & 4) this.request |= 1 << n;
        else this.request &= ~(1 << n);
        break;
      case 0xa:
        if (value & 4) this.mask |= 1 << n;
        else this.mask &= ~(1 << n);
        break;
      case 0xb:
        this.channels[n].mode = value & 0xfc;
        break;
      case 0xc:
        this.flipFlop = false;
        break;
      case 0xd:
        this.masterClear();
        break;
      case 0xe:
        this.mask = 0;
        break;
      default:
        // 0xf: write all mask bits
        this.mask = value & 0x0f;
        break;
    }
  }
}
