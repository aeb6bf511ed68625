/** True when every byte of `buf` is 0 (word-wise when aligned). */
export function isZero(buf: Uint8Array): boolean {
  if ((buf.byteOffset & 3) === 0 && (buf.length & 3) === 0) {
    const words = new Uint32Array(buf.buffer, buf.byteOffset, buf.length >>> 2);
    for (let i = 0; i < words.length; i++) if (words[i] !== 0) return false;
    return true;
  }
  for (let i = 0; i < buf.length; i++) if (buf[i] !== 0) return false;
  return true;
}
