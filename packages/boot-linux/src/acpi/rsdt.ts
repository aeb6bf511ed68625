import { table } from './table.js';

/** The Root System Description Table: 32-bit addresses of the other tables (FACS and DSDT hang off the FADT). */
export function buildRsdt(entries: readonly number[]): Uint8Array {
  const body = new Uint8Array(4 * entries.length);
  const view = new DataView(body.buffer);
  entries.forEach((address, i) => {
    view.setUint32(4 * i, address, true);
  });
  return table('RSDT', 1, body);
}
