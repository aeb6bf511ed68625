import type { PortBus, PortClaim, PortHandler } from '@plugboard/core';

/**
 * A block of I/O ports a guest can move (a PCI function's base address
 * register that is not a standard BAR). A base that would overlap ports
 * someone else decodes is not mapped: the block stays silent, as when two
 * decoders collide on a real bus, and the guest cannot make the host throw.
 */
export class IoWindow {
  private claim: PortClaim | null = null;

  constructor(
    private readonly ports: PortBus,
    private readonly name: string,
    private readonly length: number,
    private readonly handler: PortHandler,
    private readonly log: (message: string) => void,
  ) {}

  get base(): number | null {
    return this.claim ? this.claim.base : null;
  }

  /** Decodes the block at `base`, or nowhere for null or 0. */
  place(base: number | null): void {
    if (base === this.base) return;
    if (this.claim) this.ports.unregister(this.claim);
    this.claim = null;
    if (!base || base + this.length > 0x10000) return;
    for (let p = base; p < base + this.length; p++) {
      const other = this.ports.claimAt(p);
      if (other) {
        this.log(`${this.name} at 0x${base.toString(16)} overlaps ${other.name}: not decoded`);
        return;
      }
    }
    this.claim = this.ports.register(this.name, base, this.length, this.handler);
  }
}
