import { neverCaptured } from '../state/state-tree.js';

/**
 * A device's register window as data: one entry per register (or array of
 * registers), named as the datasheet spells it. From the one table a device
 * gets its offsets, its reset values, its byte-lane handling on writes, its
 * BAR window size and the names its register trace prints.
 */
export interface RegisterSpec {
  /**
   * The datasheet's name. An array's first element carries its number or
   * letter (`TSD0`, `PIRQRCA`); the others count on from it (`TSD3`, `PIRQRCD`).
   */
  readonly name: string;
  /** The name in code where the datasheet's is no identifier (`9346CR` is `CR9346`, `SCB Command` is `SCB_COMMAND`). */
  readonly key?: string;
  readonly offset: number;
  /** Bytes per register: 1, 2 or 4 (8 for a 64-bit overlay). */
  readonly width: number;
  /** Registers in the array, `width` bytes apart; 1 unless given. */
  readonly count?: number;
  /** The value at reset (each element of an array); 0 unless given. */
  readonly reset?: number;
  /** Bits the guest's writes change; all unless given, 0 for a read-only register. */
  readonly writable?: number;
  /** Bits a guest's 1 clears and its 0 leaves alone (status registers). */
  readonly w1c?: number;
  /** A read returns the value and clears it. */
  readonly readClear?: boolean;
  /** Writable only while the device unlocks it (the RTL8139's CONFIG registers behind 9346CR). */
  readonly locked?: boolean;
  /** Reloaded by the device's partial (software) reset too, not only by power-on. */
  readonly softReset?: boolean;
  /**
   * The byte within the register whose write makes the access count for the
   * device (its side effect runs); any byte unless given. The 8255x acts on
   * PORT when its top byte arrives.
   */
  readonly commitByte?: number;
  /** Another name for bytes other registers own (a C+ mode view of C mode registers): an offset only. */
  readonly overlay?: boolean;
  /** Bit names for the trace, in the order it prints them. */
  readonly bits?: Readonly<Record<string, number>>;
}

export interface RegisterTableOptions {
  /** The window in bytes, if larger than the registers need (the BAR decodes more than the chip uses). */
  readonly size?: number;
  /** How the trace names an offset no register owns. */
  readonly unnamed?: (offset: number) => string;
  /** Bytes no register owns: `storage` (the default) reads back what was written, `ignored` drops writes (reserved, reads 0). */
  readonly unowned?: 'storage' | 'ignored';
}

type KeyOf<S extends RegisterSpec> = S extends { readonly key: infer K extends string } ? K : S['name'];

/** Offsets by key, typed from the table so a misspelt register is a compile error. */
export type RegisterOffsets<T extends readonly RegisterSpec[]> = {
  readonly [S in T[number] as KeyOf<S>]: number;
};

/** One element of the table: an array's elements each get one. */
export interface RegisterElement {
  readonly name: string;
  readonly offset: number;
  readonly width: number;
  readonly spec: RegisterSpec;
}

/** Bytes per access the device's `touched` scratch array must hold. */
export const MAX_ACCESS_BYTES = 4;

export class RegisterTable<T extends readonly RegisterSpec[] = readonly RegisterSpec[]> {
  /** The window in bytes: a power of two, what the BAR maps. */
  readonly size: number;
  readonly offsets: RegisterOffsets<T>;
  readonly elements: readonly RegisterElement[];
  /** Per byte: the element owning it, or -1. */
  readonly owner: Int16Array;
  /** Per element: its first byte. */
  readonly start: Uint16Array;
  /** Per byte: the bits a write changes, the bits a 1 clears, and flags (below). */
  readonly writable: Uint8Array;
  readonly w1c: Uint8Array;
  readonly flags: Uint8Array;
  /** Per byte: the reset value. */
  readonly resetImage: Uint8Array;
  /** Per byte: 1 where the device's software reset reloads it. */
  private readonly softImage: Uint8Array;
  /** Per byte: the trace's name for an access starting there. */
  private readonly names: string[];
  private readonly unnamed: (offset: number) => string;
  private readonly storeUnowned: boolean;
  private readonly bitNames: ([number, string][] | null)[];

  constructor(specs: T, options: RegisterTableOptions = {}) {
    let end = 0;
    for (const s of specs) if (!s.overlay) end = Math.max(end, s.offset + s.width * (s.count ?? 1));
    let size = 1;
    while (size < Math.max(end, options.size ?? 0)) size *= 2;
    this.size = size;
    this.storeUnowned = options.unowned !== 'ignored';
    this.owner = new Int16Array(size).fill(-1);
    this.writable = new Uint8Array(size).fill(0xff);
    this.w1c = new Uint8Array(size);
    this.flags = new Uint8Array(size);
    this.resetImage = new Uint8Array(size);
    this.softImage = new Uint8Array(size);
    const offsets: Record<string, number> = {};
    const elements: RegisterElement[] = [];
    for (const spec of specs) {
      const key = spec.key ?? spec.name;
      if (key in offsets) throw new Error(`register table: ${key} twice`);
      offsets[key] = spec.offset;
      if (spec.overlay) continue;
      const count = spec.count ?? 1;
      for (let n = 0; n < count; n++) {
        const name = count === 1 ? spec.name : elementName(spec.name, n);
        const offset = spec.offset + n * spec.width;
        const index = elements.length;
        elements.push({ name, offset, width: spec.width, spec });
        for (let i = 0; i < spec.width; i++) {
          const at = offset + i;
          if (this.owner[at] !== -1)
            throw new Error(`register table: ${name} overlaps ${elements[this.owner[at]].name}`);
          this.owner[at] = index;
          const lane = (m: number | undefined, otherwise: number) =>
            m === undefined ? otherwise : Math.floor(m / 2 ** (i * 8)) & 0xff;
          this.writable[at] = lane(spec.writable, 0xff);
          this.w1c[at] = lane(spec.w1c, 0);
          this.resetImage[at] = lane(spec.reset, 0);
          this.softImage[at] = spec.softReset ? 1 : 0;
          this.flags[at] =
            (spec.readClear ? READ_CLEAR : 0) |
            (spec.locked ? LOCKED : 0) |
            (spec.commitByte === undefined || spec.commitByte === i ? COMMIT : 0);
        }
      }
    }
    this.offsets = offsets as RegisterOffsets<T>;
    this.elements = elements;
    this.start = Uint16Array.from(elements, (e) => e.offset);
    const unnamed = options.unnamed ?? ((o: number) => `0x${o.toString(16)}`);
    this.unnamed = unnamed;
    this.names = Array.from({ length: size }, (_, at) => {
      const e = this.owner[at] === -1 ? null : elements[this.owner[at]];
      if (!e) return unnamed(at);
      return at === e.offset ? e.name : `${e.name}+${at - e.offset}`;
    });
    this.bitNames = Array.from({ length: size }, (_, at) => {
      const e = this.owner[at] === -1 ? null : elements[this.owner[at]];
      if (!e || at !== e.offset || !e.spec.bits) return null;
      return Object.entries(e.spec.bits).map(([n, b]) => [b, n] as [number, string]);
    });
  }

  /** Power-on: every register to its reset value; bytes no register owns to 0. */
  reset(regs: Uint8Array): void {
    regs.set(this.resetImage);
  }

  /** The device's software reset: only the registers marked `softReset` go back. */
  softReset(regs: Uint8Array): void {
    for (let at = 0; at < this.size; at++) if (this.softImage[at]) regs[at] = this.resetImage[at];
  }

  /**
   * Lands `size` bytes of `value` at `offset` (taken modulo the window, as a
   * chip decoding only the low address lines does) through each byte's masks:
   * read-only bits keep their value, W1C bits clear where the guest wrote 1,
   * locked registers change only while `unlocked`. Bytes no register owns
   * read back what was written, or drop it where the table says `ignored`. The elements whose side effects are due go
   * to `touched` in address order, each once; returns how many.
   */
  write(
    regs: Uint8Array,
    offset: number,
    size: number,
    value: number,
    unlocked: boolean,
    touched: Int32Array,
  ): number {
    const mask = this.size - 1;
    let n = 0;
    for (let i = 0; i < size; i++) {
      const at = (offset + i) & mask;
      const b = (value >>> (i * 8)) & 0xff;
      const owner = this.owner[at];
      if (owner < 0) {
        if (this.storeUnowned) regs[at] = b;
        continue;
      }
      const flags = this.flags[at];
      const writable = flags & LOCKED && !unlocked ? 0 : this.writable[at];
      const w1c = this.w1c[at];
      if ((writable | w1c) === 0) continue;
      regs[at] = ((regs[at] & ~writable) | (b & writable & ~w1c)) & ~(b & w1c);
      if (flags & COMMIT && (n === 0 || touched[n - 1] !== owner)) touched[n++] = owner;
    }
    return n;
  }

  /** Reads `size` bytes at `offset` little-endian; read-clear bytes clear. */
  read(regs: Uint8Array, offset: number, size: number): number {
    const mask = this.size - 1;
    let v = 0;
    for (let i = size - 1; i >= 0; i--) {
      const at = (offset + i) & mask;
      v = (v << 8) | regs[at];
      if (this.flags[at] & READ_CLEAR) regs[at] = 0;
    }
    return v >>> 0;
  }

  /**
   * The trace's name for an access at `offset`: the register, `NAME+k` inside
   * one, or the table's unnamed form (also past the window, where a BAR
   * larger than the chip's registers decodes).
   */
  nameAt(offset: number): string {
    return offset >= 0 && offset < this.size ? this.names[offset] : this.unnamed(offset);
  }

  /** The names of the bits set in `value`, for a register starting at `offset` that has bit names. */
  describe(offset: number, value: number): string {
    const bits = offset >= 0 && offset < this.size ? this.bitNames[offset] : null;
    if (!bits) return '';
    let out = '';
    for (const [b, n] of bits) if (value & b) out = out ? `${out} ${n}` : n;
    return out;
  }
}

/** Element `n` of the array whose first element is `first`: its number or last letter counts on. */
function elementName(first: string, n: number): string {
  const number = /\d+$/.exec(first);
  if (number) return first.slice(0, number.index) + (Number(number[0]) + n);
  const last = first.charCodeAt(first.length - 1);
  if (/[A-Za-z]$/.test(first)) return first.slice(0, -1) + String.fromCharCode(last + n);
  return `${first}${n}`;
}

// A table is constant data a device points at, never part of its state.
neverCaptured(RegisterTable);

const READ_CLEAR = 1;
const LOCKED = 2;
const COMMIT = 4;

/** Builds a table; the `const` type parameter keeps the keys, so `offsets.CR` is checked. */
export function defineRegisters<const T extends readonly RegisterSpec[]>(
  specs: T,
  options?: RegisterTableOptions,
): RegisterTable<T> {
  return new RegisterTable(specs, options);
}
