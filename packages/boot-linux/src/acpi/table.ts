/** The 36-byte header every ACPI system description table starts with (ACPI 6.5 table 5.4). */

export const HEADER_SIZE = 36;
export const OEM_ID = 'PLUGBD';
export const OEM_TABLE_ID = 'PLUGBOOT';
const CREATOR_ID = 'PLBD';

/** Writes ASCII into `buf` at `offset`, space-padded to `size`. */
export function putAscii(buf: Uint8Array, offset: number, text: string, size: number): void {
  const padded = text.padEnd(size, ' ');
  for (let i = 0; i < size; i++) buf[offset + i] = padded.charCodeAt(i);
}

/** The byte that makes `buf` sum to zero mod 256, when written over a zero at any place. */
export function checksum(buf: Uint8Array): number {
  let sum = 0;
  for (const b of buf) sum = (sum + b) & 0xff;
  return (0x100 - sum) & 0xff;
}

/** A table: the header with `signature` and `revision`, then `body`; length and checksum filled in. */
export function table(signature: string, revision: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(HEADER_SIZE + body.length);
  const view = new DataView(out.buffer);
  putAscii(out, 0, signature, 4);
  view.setUint32(4, out.length, true);
  out[8] = revision;
  putAscii(out, 10, OEM_ID, 6);
  putAscii(out, 16, OEM_TABLE_ID, 8);
  view.setUint32(24, 1, true);
  putAscii(out, 28, CREATOR_ID, 4);
  view.setUint32(32, 1, true);
  out.set(body, HEADER_SIZE);
  out[9] = checksum(out);
  return out;
}
