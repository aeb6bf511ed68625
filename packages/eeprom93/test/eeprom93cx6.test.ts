import { Eeprom93Cx6 } from '@plugboard/eeprom93';
import { describe, expect, it } from 'vitest';

/** Bit-bangs a command the way Linux's 8139too and e100 do. */
function command(e: Eeprom93Cx6, bits: number[]): void {
  e.setPins(false, false, false);
  e.setPins(true, false, false);
  for (const b of bits) {
    e.setPins(true, false, b === 1);
    e.setPins(true, true, b === 1);
  }
}

function readBits(e: Eeprom93Cx6, n: number): number {
  let v = 0;
  for (let i = 0; i < n; i++) {
    e.setPins(true, false, false);
    e.setPins(true, true, false);
    v = (v << 1) | (e.dataOut ? 1 : 0);
  }
  return v;
}

const addr = (a: number, n: number) => Array.from({ length: n }, (_, i) => (a >> (n - 1 - i)) & 1);

describe('93Cx6 serial EEPROM', () => {
  it('reads a word after the start bit, READ opcode and address, with a dummy zero first', () => {
    const e = new Eeprom93Cx6(6, [0x8129, 0x10ec, 0x8139]);
    command(e, [1, 1, 0, ...addr(2, 6)]);
    expect(e.dataOut).toBe(false);
    expect(readBits(e, 16)).toBe(0x8139);
    // Sequential read continues with the next word.
    expect(readBits(e, 16)).toBe(0);
  });

  it('reports all ones on DO with CS low, and tells 93C46 from 93C66 by address width', () => {
    const e = new Eeprom93Cx6(8, [0x8129]);
    e.setPins(false, false, false);
    expect(e.dataOut).toBe(true);
    command(e, [1, 1, 0, ...addr(0, 8)]);
    expect(readBits(e, 16)).toBe(0x8129);
    const small = new Eeprom93Cx6(6, [0x8129]);
    // A driver probing with 8 address bits on a 93C46 reads from address 0 after 6 bits: misaligned data.
    command(small, [1, 1, 0, ...addr(0, 8)]);
    expect(readBits(small, 16)).not.toBe(0x8129);
  });

  it('writes and erases only after EWEN, and WRAL/ERAL cover every word', () => {
    const e = new Eeprom93Cx6(6);
    command(e, [1, 0, 1, ...addr(5, 6), ...addr(0xbeef, 16)]);
    expect(e.words[5]).toBe(0);
    command(e, [1, 0, 0, 1, 1, 0, 0, 0, 0]); // EWEN
    command(e, [1, 0, 1, ...addr(5, 6), ...addr(0xbeef, 16)]);
    expect(e.words[5]).toBe(0xbeef);
    command(e, [1, 1, 1, ...addr(5, 6)]); // ERASE
    expect(e.words[5]).toBe(0xffff);
    command(e, [1, 0, 0, 0, 1, 0, 0, 0, 0, ...addr(0x1234, 16)]); // WRAL
    expect(e.words.every((w) => w === 0x1234)).toBe(true);
    command(e, [1, 0, 0, 0, 0, 0, 0, 0, 0]); // EWDS
    command(e, [1, 0, 0, 1, 0, 0, 0, 0, 0]); // ERAL, ignored now
    expect(e.words[0]).toBe(0x1234);
  });
});
