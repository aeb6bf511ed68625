/**
 * Packed BCD (m80bcd: 18 digits in bytes 0-8, least significant first, sign in
 * bit 7 of byte 9) to and from a 64-bit magnitude held as two 32-bit halves.
 * Plain number arithmetic: no BigInt, no allocation.
 */

const TWO32 = 4294967296;
const E9 = 1_000_000_000;

/** Result of `bcdToBinary`. */
export const bcdValue = { hi: 0, lo: 0 };

/** The nine digit bytes come as the low dword, the middle dword and byte 8. */
export function bcdToBinary(w0: number, w1: number, b8: number): void {
  // Digits 0-7 are in w0, 8-15 in w1, 16-17 in b8.
  let low = 0;
  let high = 0;
  let scale = 1;
  for (let d = 0; d < 18; d++) {
    const nibble =
      d < 8 ? (w0 >>> (4 * d)) & 15 : d < 16 ? (w1 >>> (4 * (d - 8))) & 15 : (b8 >>> (4 * (d - 16))) & 15;
    if (d === 9) scale = 1;
    if (d < 9) low += nibble * scale;
    else high += nibble * scale;
    scale *= 10;
  }
  // value = high * 1e9 + low, with high * 1e9 split so every partial product stays exact.
  const hh = Math.floor(high / 32768);
  const hl = high - hh * 32768;
  const x = hh * E9;
  const xHi = Math.floor(x / 131072);
  const xLo = (x - xHi * 131072) * 32768;
  const y = hl * E9 + low;
  const yHi = Math.floor(y / TWO32);
  const yLo = y - yHi * TWO32;
  let lo = xLo + yLo;
  let carry = 0;
  if (lo >= TWO32) {
    lo -= TWO32;
    carry = 1;
  }
  bcdValue.hi = xHi + yHi + carry;
  bcdValue.lo = lo;
}

/** Output of `binaryToBcd`: the nine digit bytes. */
export const bcdBytes = new Uint8Array(9);

/** Encodes a magnitude below 10^18 as 18 BCD digits. */
export function binaryToBcd(hi: number, lo: number): void {
  const limbs0 = hi >>> 16;
  const limbs1 = hi & 0xffff;
  const limbs2 = lo >>> 16;
  const limbs3 = lo & 0xffff;
  let rem = 0;
  let q = 0;
  for (let i = 0; i < 4; i++) {
    const limb = i === 0 ? limbs0 : i === 1 ? limbs1 : i === 2 ? limbs2 : limbs3;
    const cur = rem * 65536 + limb;
    const ql = Math.floor(cur / E9);
    rem = cur - ql * E9;
    q = q * 65536 + ql;
  }
  let low = rem;
  let high = q;
  for (let i = 0; i < 9; i++) {
    let byte = 0;
    for (let n = 0; n < 2; n++) {
      const d = i * 2 + n;
      let digit: number;
      if (d < 9) {
        digit = low % 10;
        low = Math.floor(low / 10);
      } else {
        digit = high % 10;
        high = Math.floor(high / 10);
      }
      byte |= digit << (4 * n);
    }
    bcdBytes[i] = byte;
  }
}

/** 10^18, the first magnitude FBSTP cannot store. */
export const BCD_LIMIT_HI = 0x0de0b6b3;
export const BCD_LIMIT_LO = 0xa7640000;
