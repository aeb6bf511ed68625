/**
 * A device's window in the physical address space. Offsets are relative to the
 * region's base, so a device never needs to know where the guest put its BAR.
 * Wider accesses a handler leaves out are split into byte accesses by the bus.
 */
export interface MmioHandler {
  read8(offset: number): number;
  write8(offset: number, value: number): void;
  read16?(offset: number): number;
  write16?(offset: number, value: number): void;
  read32?(offset: number): number;
  write32?(offset: number, value: number): void;
}

export interface MmioRegion {
  readonly name: string;
  readonly base: number;
  readonly size: number;
  readonly handler: MmioHandler;
}
