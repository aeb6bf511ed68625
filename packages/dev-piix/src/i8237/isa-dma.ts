import type { Clock, Dma, DmaTransferHandler, IsaDmaController, PortHandler, Timer } from '@plugboard/core';
import { objectState } from '@plugboard/core';
import { DMA_MODE, I8237 } from './i8237.js';

/**
 * Virtual time between service rounds while a DREQ stays up: roughly one
 * ISA bus cycle, so a channel the guest keeps busy (autoinit, a device that
 * never drops DREQ) advances with time instead of spinning at one instant.
 */
const SERVICE_INTERVAL_NS = 1000;

/** Page register port (0x80 + index) to channel; -1 where the port is not a channel's page. */
const PAGE_PORT_CHANNEL = [-1, 2, 3, 1, -1, -1, -1, 0, -1, 6, 7, 5, -1, -1, -1, 4];

/**
 * The AT's two cascaded 8237As: DMA1 (channels 0-3, bytes) at 0x00-0x0F,
 * DMA2 (channels 4-7, words; channel 4 is the cascade) at 0xC0-0xDF on even
 * addresses, and the page registers. Transfers run from a zero-delay timer,
 * never inside the port write that started them.
 */
export class IsaDma implements IsaDmaController {
  readonly dma1 = new I8237();
  readonly dma2 = new I8237();
  /** Address bits 23-16 of each channel. */
  readonly pages = new Uint8Array(8);
  readonly vmstate = objectState({ dma: this }, { version: 1, skip: ['handlers'] });
  private readonly handlers: (DmaTransferHandler | null)[] = new Array(8).fill(null);
  private readonly timer: Timer;

  readonly dma1Ports: PortHandler = {
    read8: (offset) => this.dma1.read(offset),
    write8: (offset, value) => {
      this.dma1.write(offset, value);
      this.kick();
    },
  };

  readonly dma2Ports: PortHandler = {
    read8: (offset) => this.dma2.read(offset >> 1),
    write8: (offset, value) => {
      this.dma2.write(offset >> 1, value);
      this.kick();
    },
  };

  /** Registered at 0x80 and claimed port by port: 0x80 itself is the POST code port. */
  readonly pagePorts: PortHandler = {
    read8: (offset) => {
      const ch = PAGE_PORT_CHANNEL[offset & 0xf];
      return ch < 0 ? 0xff : this.pages[ch];
    },
    write8: (offset, value) => {
      const ch = PAGE_PORT_CHANNEL[offset & 0xf];
      if (ch >= 0) this.pages[ch] = value;
    },
  };

  constructor(
    clock: Clock,
    private readonly memory: Dma,
  ) {
    this.timer = clock.createTimer('i8237 DREQ service', () => this.run());
  }

  reset(): void {
    this.dma1.reset();
    this.dma2.reset();
    this.pages.fill(0);
    this.timer.cancel();
  }

  connect(channel: number, handler: DmaTransferHandler): void {
    this.checkChannel(channel);
    this.handlers[channel] = handler;
  }

  setDreq(channel: number, level: boolean): void {
    this.checkChannel(channel);
    const chip = channel < 4 ? this.dma1 : this.dma2;
    if (level) chip.dreq |= 1 << (channel & 3);
    else chip.dreq &= ~(1 << (channel & 3));
    this.kick();
  }

  readMemory(channel: number, position: number, dest: Uint8Array, offset: number, length: number): number {
    const n = this.clip(dest, offset, length);
    for (let i = 0; i < n; i++) dest[offset + i] = this.memory.read8(this.address(channel, position + i));
    return n;
  }

  writeMemory(channel: number, position: number, src: Uint8Array, offset: number, length: number): number {
    const n = this.clip(src, offset, length);
    for (let i = 0; i < n; i++) this.memory.write8(this.address(channel, position + i), src[offset + i]);
    return n;
  }

  /**
   * The bus address of byte `position` of the channel's transfer. The address
   * counter is 16 bits wide (words on DMA2) and wraps without carrying into
   * the page, as on the AT.
   */
  address(channel: number, position: number): number {
    const chip = channel < 4 ? this.dma1 : this.dma2;
    const ch = chip.channels[channel & 3];
    const step = ch.mode & DMA_MODE.DECREMENT ? -1 : 1;
    if (channel < 4) return (this.pages[channel] << 16) | ((ch.baseAddress + step * position) & 0xffff);
    const word = (ch.baseAddress + step * (position >> 1)) & 0xffff;
    return ((this.pages[channel] & 0xfe) << 16) | (word << 1) | (position & 1);
  }

  private clip(buf: Uint8Array, offset: number, length: number): number {
    if (!(offset >= 0) || !(length > 0)) return 0;
    return Math.max(0, Math.min(length, buf.length - offset, 0x20000));
  }

  private checkChannel(channel: number): void {
    if (!Number.isInteger(channel) || channel < 0 || channel > 7)
      throw new RangeError(`no DMA channel ${channel}`);
  }

  /** Arms the service timer when some connected channel has an unmasked DREQ. */
  private kick(): void {
    if (!this.timer.armed && this.serviceable().length > 0) this.timer.armIn(0);
  }

  private serviceable(): number[] {
    const out: number[] = [];
    for (let channel = 0; channel < 8; channel++) {
      const chip = channel < 4 ? this.dma1 : this.dma2;
      const bit = 1 << (channel & 3);
      const ch = chip.channels[channel & 3];
      const cascade = ch.mode >> DMA_MODE.MODE_SHIFT === 3;
      if (this.handlers[channel] && chip.enabled && chip.dreq & bit && !(chip.mask & bit) && !cascade)
        out.push(channel);
    }
    return out;
  }

  private run(): void {
    let progressed = false;
    for (const channel of this.serviceable()) {
      const chip = channel < 4 ? this.dma1 : this.dma2;
      const ch = chip.channels[channel & 3];
      const shift = channel < 4 ? 0 : 1;
      const size = (ch.baseCount + 1) << shift;
      const done = ((ch.baseCount - ch.currentCount) & 0xffff) << shift;
      const returned = this.handlers[channel]!(done, size);
      const position = Number.isFinite(returned)
        ? Math.max(done, Math.min(size, Math.floor(returned)))
        : done;
      if (position === done) continue;
      progressed = true;
      const units = position >> shift;
      const step = ch.mode & DMA_MODE.DECREMENT ? -1 : 1;
      ch.currentCount = (ch.baseCount - units) & 0xffff;
      ch.currentAddress = (ch.baseAddress + step * units) & 0xffff;
      if (position >= size) {
        const bit = 1 << (channel & 3);
        chip.status |= bit;
        if (ch.mode & DMA_MODE.AUTOINIT) {
          ch.currentCount = ch.baseCount;
          ch.currentAddress = ch.baseAddress;
        } else {
          chip.mask |= bit;
        }
      }
    }
    if (progressed && this.serviceable().length > 0) this.timer.armIn(SERVICE_INTERVAL_NS);
  }
}
