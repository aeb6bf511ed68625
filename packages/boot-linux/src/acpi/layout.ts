import { buildDsdt } from './dsdt.js';
import { buildFacs } from './facs.js';
import { buildFadt } from './fadt.js';
import { buildMadt } from './madt.js';
import type { AcpiPlatform } from './platform.js';
import { buildRsdp } from './rsdp.js';
import { buildRsdt } from './rsdt.js';

export interface Placed {
  address: number;
  bytes: Uint8Array;
}

const align = (value: number, to: number) => Math.ceil(value / to) * to;

/**
 * Every ACPI table, placed one after the other from `base` (which must lie
 * in 0xE0000-0xFFFFF, where an OS looks for the RSDP): the RSDP first on a
 * 16-byte boundary, the FACS on a 64-byte one, the rest 16-byte aligned.
 */
export function layOutAcpi(p: AcpiPlatform, base: number): { rsdp: number; tables: Placed[] } {
  let next = align(base, 16);
  const place = (size: number, alignment: number) => {
    const at = align(next, alignment);
    next = at + size;
    return at;
  };
  const rsdpAt = place(20, 16);
  const facs = buildFacs();
  const facsAt = place(facs.length, 64);
  const dsdt = buildDsdt(p);
  const dsdtAt = place(dsdt.length, 16);
  const fadt = buildFadt(p, facsAt, dsdtAt);
  const fadtAt = place(fadt.length, 16);
  const madt = buildMadt(p);
  const madtAt = place(madt.length, 16);
  const rsdt = buildRsdt([fadtAt, madtAt]);
  const rsdtAt = place(rsdt.length, 16);
  return {
    rsdp: rsdpAt,
    tables: [
      { address: rsdpAt, bytes: buildRsdp(rsdtAt) },
      { address: facsAt, bytes: facs },
      { address: dsdtAt, bytes: dsdt },
      { address: fadtAt, bytes: fadt },
      { address: madtAt, bytes: madt },
      { address: rsdtAt, bytes: rsdt },
    ],
  };
}
