import { UserError } from '../user-error.js';

/**
 * A device's block of I/O ports. Offsets are relative to the block's base.
 * A width a handler leaves out is split into byte accesses (low byte first),
 * as the ISA bus does for a 16-bit cycle to an 8-bit device.
 */
export interface PortHandler {
  read8(offset: number): number;
  write8(offset: number, value: number): void;
  read16?(offset: number): number;
  write16?(offset: number, value: number): void;
  read32?(offset: number): number;
  write32?(offset: number, value: number): void;
}

import { type BusWatch, UNWATCHED } from '../time/poll-watch.js';

const PORT_COUNT = 0x10000;
/** Keys ports apart from MMIO addresses in what the bus watch sees. */
const PORT_KEY = -PORT_COUNT;

/** Who owns a port, for conflict messages and `info mtree`-style listings. */
export interface PortClaim {
  readonly name: string;
  readonly base: number;
  readonly length: number;
}

/**
 * The 64 Ki x86 I/O port space. Dispatch is two array loads: the handler and
 * the base of its block, indexed by port. An unclaimed port reads all ones and
 * ignores writes.
 */
/** Two devices claiming the same I/O port: a machine profile's mistake, not a bug. */
export class PortConflictError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'PortConflictError';
  }
}

export class PortBus {
  private readonly handlers: (PortHandler | null)[] = new Array<PortHandler | null>(PORT_COUNT).fill(null);
  private readonly bases = new Uint16Array(PORT_COUNT);
  private readonly claims: (PortClaim | null)[] = new Array<PortClaim | null>(PORT_COUNT).fill(null);
  /**
   * The port whose handler is running, -1 between accesses: when a handler
   * throws, it stays set, and the machine knows whom to blame (see
   * `Machine.run`). Two stores per access instead of a try/catch per access.
   */
  active = -1;
  /** Sees every read and write, for the clock's fast-forward; the machine sets it. */
  watch: BusWatch = UNWATCHED;

  register(name: string, base: number, length: number, handler: PortHandler): PortClaim {
    if (base < 0 || length <= 0 || base + length > PORT_COUNT) {
      throw new RangeError(`${name}: ports 0x${base.toString(16)}+${length} are outside the I/O space`);
    }
    for (let p = base; p < base + length; p++) {
      const other = this.claims[p];
      if (other)
        throw new PortConflictError(`${name}: port 0x${p.toString(16)} is already claimed by ${other.name}`);
    }
    const claim: PortClaim = { name, base, length };
    for (let p = base; p < base + length; p++) {
      this.handlers[p] = handler;
      this.bases[p] = base;
      this.claims[p] = claim;
    }
    return claim;
  }

  unregister(claim: PortClaim): void {
    for (let p = claim.base; p < claim.base + claim.length; p++) {
      if (this.claims[p] === claim) {
        this.handlers[p] = null;
        this.claims[p] = null;
      }
    }
  }

  claimAt(port: number): PortClaim | null {
    return this.claims[port & 0xffff];
  }

  in8(port: number): number {
    port &= 0xffff;
    this.active = port;
    const value = this.inByte(port);
    this.active = -1;
    this.watch.read(PORT_KEY + port, value);
    return value;
  }

  in16(port: number): number {
    port &= 0xffff;
    this.active = port;
    const h = this.handlers[port];
    const value =
      h?.read16 && this.handlers[(port + 1) & 0xffff] === h
        ? h.read16(port - this.bases[port]) & 0xffff
        : this.inByte(port) | (this.inByte((port + 1) & 0xffff) << 8);
    this.active = -1;
    this.watch.read(PORT_KEY + port, value);
    return value;
  }

  in32(port: number): number {
    port &= 0xffff;
    this.active = port;
    const h = this.handlers[port];
    let value = 0;
    if (h?.read32 && this.handlers[(port + 3) & 0xffff] === h)
      value = h.read32(port - this.bases[port]) >>> 0;
    else {
      for (let i = 3; i >= 0; i--) value = (value << 8) | this.inByte((port + i) & 0xffff);
      value >>>= 0;
    }
    this.active = -1;
    this.watch.read(PORT_KEY + port, value);
    return value;
  }

  out8(port: number, value: number): void {
    this.watch.write(PORT_KEY + (port & 0xffff), value & 0xff);
    this.active = port & 0xffff;
    this.outByte(port & 0xffff, value);
    this.active = -1;
  }

  out16(port: number, value: number): void {
    this.watch.write(PORT_KEY + (port & 0xffff), value & 0xffff);
    port &= 0xffff;
    this.active = port;
    const h = this.handlers[port];
    if (h?.write16 && this.handlers[(port + 1) & 0xffff] === h)
      h.write16(port - this.bases[port], value & 0xffff);
    else {
      this.outByte(port, value);
      this.outByte((port + 1) & 0xffff, value >>> 8);
    }
    this.active = -1;
  }

  out32(port: number, value: number): void {
    this.watch.write(PORT_KEY + (port & 0xffff), value >>> 0);
    port &= 0xffff;
    this.active = port;
    const h = this.handlers[port];
    if (h?.write32 && this.handlers[(port + 3) & 0xffff] === h)
      h.write32(port - this.bases[port], value >>> 0);
    else for (let i = 0; i < 4; i++) this.outByte((port + i) & 0xffff, value >>> (i * 8));
    this.active = -1;
  }

  /** Byte cycles that wider accesses split into; never traced on their own. */
  private inByte(port: number): number {
    const h = this.handlers[port];
    return h === null ? 0xff : h.read8(port - this.bases[port]) & 0xff;
  }

  private outByte(port: number, value: number): void {
    const h = this.handlers[port];
    if (h !== null) h.write8(port - this.bases[port], value & 0xff);
  }
}
