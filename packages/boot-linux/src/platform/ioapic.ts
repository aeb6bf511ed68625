import type { PhysicalMemory } from '@plugboard/core';

export const IOAPIC_ADDRESS = 0xfec00000;
export const LOCAL_APIC_ADDRESS = 0xfee00000;
const IOREGSEL = 0x00;
const IOWIN = 0x10;
const IOAPICID = 0x00;
const IOAPICVER = 0x01;

/**
 * Finds the I/O APIC at its usual address as firmware does, through its
 * registers: absent when the version register reads as open bus.
 */
export function probeIoapic(memory: PhysicalMemory): { id: number; address: number } | null {
  memory.write32(IOAPIC_ADDRESS + IOREGSEL, IOAPICVER);
  const version = memory.read32(IOAPIC_ADDRESS + IOWIN);
  if (version === 0xffffffff || version === 0) return null;
  memory.write32(IOAPIC_ADDRESS + IOREGSEL, IOAPICID);
  return { id: (memory.read32(IOAPIC_ADDRESS + IOWIN) >>> 24) & 0x0f, address: IOAPIC_ADDRESS };
}
