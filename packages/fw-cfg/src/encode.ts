/** Little-endian item payloads, as fw_cfg_add_i16/i32/i64 store them. */
export function le16(value: number): Uint8Array {
  const b = new Uint8Array(2);
  new DataView(b.buffer).setUint16(0, value, true);
  return b;
}

export function le32(value: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, value >>> 0, true);
  return b;
}

export function le64(value: number | bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(value), true);
  return b;
}

/** e820 entry types. */
export const E820_RAM = 1;
export const E820_RESERVED = 2;

export interface E820Entry {
  address: number;
  length: number;
  type: number;
}

/** `etc/e820`: packed { u64 address; u64 length; u32 type } little-endian entries. */
export function encodeE820(entries: readonly E820Entry[]): Uint8Array {
  const out = new Uint8Array(entries.length * 20);
  const view = new DataView(out.buffer);
  entries.forEach((e, i) => {
    view.setBigUint64(i * 20, BigInt(e.address), true);
    view.setBigUint64(i * 20 + 8, BigInt(e.length), true);
    view.setUint32(i * 20 + 16, e.type, true);
  });
  return out;
}

/**
 * The RAM map QEMU's pc machine reports: everything below 4 GiB up to the
 * PCI hole (3.5 GiB at most), the rest above 4 GiB.
 */
export function pcE820(ramBytes: number, below4gLimit = 0xe0000000): E820Entry[] {
  const below = Math.min(ramBytes, below4gLimit);
  const entries: E820Entry[] = [{ address: 0, length: below, type: E820_RAM }];
  if (ramBytes > below) entries.push({ address: 2 ** 32, length: ramBytes - below, type: E820_RAM });
  return entries;
}
