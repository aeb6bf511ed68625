import { checksum, OEM_ID, putAscii } from './table.js';

export const RSDP_SIZE = 20;

/** The ACPI 1.0 Root System Description Pointer (ACPI 6.5 table 5.3), pointing at the RSDT. */
export function buildRsdp(rsdtAddress: number): Uint8Array {
  const out = new Uint8Array(RSDP_SIZE);
  putAscii(out, 0, 'RSD PTR ', 8);
  putAscii(out, 9, OEM_ID, 6);
  out[15] = 0; // revision 0: ACPI 1.0, no XSDT
  new DataView(out.buffer).setUint32(16, rsdtAddress, true);
  out[8] = checksum(out);
  return out;
}
