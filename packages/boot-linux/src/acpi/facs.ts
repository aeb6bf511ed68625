import { putAscii } from './table.js';

export const FACS_SIZE = 64;

/** The Firmware ACPI Control Structure (ACPI 6.5 table 5.14), version 0: no waking vector, no global lock owner. */
export function buildFacs(): Uint8Array {
  const out = new Uint8Array(FACS_SIZE);
  putAscii(out, 0, 'FACS', 4);
  new DataView(out.buffer).setUint32(4, FACS_SIZE, true);
  return out;
}
