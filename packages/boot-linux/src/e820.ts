/** BIOS e820 memory types. */
export const E820 = { RAM: 1, RESERVED: 2 } as const;

export interface E820Entry {
  address: number;
  size: number;
  type: number;
}

/** The 20-byte entries of boot_params.e820_table: address and size as 64-bit values, then the type. */
export function encodeE820(entries: readonly E820Entry[]): Uint8Array {
  const out = new Uint8Array(20 * entries.length);
  const v = new DataView(out.buffer);
  entries.forEach((e, i) => {
    v.setBigUint64(20 * i, BigInt(e.address), true);
    v.setBigUint64(20 * i + 8, BigInt(e.size), true);
    v.setUint32(20 * i + 16, e.type, true);
  });
  return out;
}
