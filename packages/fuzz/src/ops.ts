/**
 * Reads an input as a program: device targets take one opcode byte, then
 * its operands, until the input or `MAX_OPS` runs out. Reads past the end
 * give 0, so every input is a valid program.
 */
export class Program {
  private at = 0;

  constructor(readonly bytes: Uint8Array) {}

  get done(): boolean {
    return this.at >= this.bytes.length;
  }

  u8(): number {
    const at = this.at++;
    return at < this.bytes.length ? this.bytes[at]! : 0;
  }

  u16(): number {
    return this.u8() | (this.u8() << 8);
  }

  u32(): number {
    return (this.u16() | (this.u16() << 16)) >>> 0;
  }

  /** The next `n` bytes (zero past the end). */
  take(n: number): Uint8Array {
    const out = new Uint8Array(n);
    out.set(this.bytes.subarray(this.at, this.at + n));
    this.at += n;
    return out;
  }
}

/** Operations one input may do: a guest's burst of register writes, not a whole driver. */
export const MAX_OPS = 512;

/** Builds programs for seeds: each call appends an opcode and its operands. */
export class ProgramWriter {
  private readonly out: number[] = [];

  u8(...values: number[]): this {
    for (const v of values) this.out.push(v & 0xff);
    return this;
  }

  u16(v: number): this {
    return this.u8(v, v >>> 8);
  }

  u32(v: number): this {
    return this.u16(v & 0xffff).u16(v >>> 16);
  }

  bytes(b: Uint8Array): this {
    for (const v of b) this.out.push(v);
    return this;
  }

  build(): Uint8Array {
    return Uint8Array.from(this.out);
  }
}
