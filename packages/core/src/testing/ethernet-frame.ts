/** The MAC QEMU gives a guest's first NIC, and the broadcast address. */
export const QEMU_MAC = [0x52, 0x54, 0x00, 0x12, 0x34, 0x56];
export const BROADCAST = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff];

/**
 * An IPv4-typed Ethernet frame of `length` bytes to `dst` from 52:54:00:aa:bb:cc,
 * its payload bytes counting up from `seed` so a frame shows where it was cut
 * or shifted.
 */
export function ethernetFrame(dst: readonly number[], length: number, seed = 0): Uint8Array {
  const f = new Uint8Array(length);
  f.set(dst, 0);
  f.set([0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcc], 6);
  f[12] = 0x08;
  f[13] = 0x00;
  for (let i = 14; i < length; i++) f[i] = (seed + i) & 0xff;
  return f;
}
