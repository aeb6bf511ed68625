/** A PCI function's place: bus 0-255, device 0-31, function 0-7. */
export interface PciAddress {
  bus: number;
  device: number;
  function: number;
}

const PATTERN = /^(?:([0-9a-fA-F]{1,2}):)?([0-9a-fA-F]{1,2})\.([0-7])$/;

/** Parses `bus:dev.fn` (or `dev.fn`) in lspci's hexadecimal notation. */
export function parsePciAddress(text: string): PciAddress | null {
  const m = PATTERN.exec(text);
  if (!m) return null;
  const bus = m[1] === undefined ? 0 : Number.parseInt(m[1], 16);
  const device = Number.parseInt(m[2], 16);
  if (device > 31) return null;
  return { bus, device, function: Number(m[3]) };
}

export function formatPciAddress(a: PciAddress): string {
  const hex = (n: number) => n.toString(16).padStart(2, '0');
  return `${hex(a.bus)}:${hex(a.device)}.${a.function}`;
}

export function devfn(a: PciAddress): number {
  return (a.device << 3) | a.function;
}
