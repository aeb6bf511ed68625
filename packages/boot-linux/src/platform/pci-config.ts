import type { PciBus } from '@plugboard/core';

/** Configuration-space access to one function on bus 0, as firmware makes it through mechanism #1. */
export class PciConfig {
  constructor(
    private readonly bus: PciBus,
    readonly devfn: number,
  ) {}

  get slot(): number {
    return this.devfn >>> 3;
  }

  read8(offset: number): number {
    return this.bus.readConfig(0, this.devfn, offset, 1);
  }
  read16(offset: number): number {
    return this.bus.readConfig(0, this.devfn, offset, 2);
  }
  read32(offset: number): number {
    return this.bus.readConfig(0, this.devfn, offset, 4) >>> 0;
  }
  write8(offset: number, value: number): void {
    this.bus.writeConfig(0, this.devfn, offset, 1, value);
  }
  write16(offset: number, value: number): void {
    this.bus.writeConfig(0, this.devfn, offset, 2, value);
  }
  write32(offset: number, value: number): void {
    this.bus.writeConfig(0, this.devfn, offset, 4, value >>> 0);
  }

  /** `vendor:device` in lower-case hex. */
  get id(): string {
    const hex = (v: number) => v.toString(16).padStart(4, '0');
    return `${hex(this.read16(0x00))}:${hex(this.read16(0x02))}`;
  }
}

/** Every function on bus 0, in devfn order, found as firmware finds them. */
export function enumerate(bus: PciBus): PciConfig[] {
  const found: PciConfig[] = [];
  for (let slot = 0; slot < 32; slot++) {
    const fn0 = new PciConfig(bus, slot << 3);
    if (fn0.read16(0x00) === 0xffff) continue;
    found.push(fn0);
    if (!(fn0.read8(0x0e) & 0x80)) continue;
    for (let f = 1; f < 8; f++) {
      const fn = new PciConfig(bus, (slot << 3) | f);
      if (fn.read16(0x00) !== 0xffff) found.push(fn);
    }
  }
  return found;
}
