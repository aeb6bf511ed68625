import type { StateTree } from './state-tree.js';

/**
 * State trees as JSON text: typed arrays as `{"$ta": type, "b64": bytes}`,
 * the numbers JSON has no word for (infinities, NaN, -0) as `{"$num": "..."}`
 * and bigints as `{"$big": "..."}`. Equal trees give equal text, which is
 * how the tests compare whole machines.
 */
const VIEWS = {
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
} as const;
type ViewName = keyof typeof VIEWS;

export function encodeState(tree: StateTree): string {
  return JSON.stringify(tree, function (this: Record<string, unknown>, key: string, value: unknown) {
    // The replacer sees typed arrays already turned into objects by toJSON-less walking: read the holder's own value.
    const raw = this[key];
    if (ArrayBuffer.isView(raw)) {
      const name = raw.constructor.name as ViewName;
      if (!(name in VIEWS)) throw new TypeError(`cannot save a ${raw.constructor.name}`);
      return { $ta: name, b64: Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64') };
    }
    if (typeof raw === 'number' && (!Number.isFinite(raw) || Object.is(raw, -0)))
      return { $num: String(raw === 0 ? '-0' : raw) };
    if (typeof raw === 'bigint') return { $big: raw.toString() };
    return value;
  });
}

export function decodeState(text: string): StateTree {
  return JSON.parse(text, (_key, value: unknown) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
    const v = value as Record<string, unknown>;
    if (typeof v.$ta === 'string' && typeof v.b64 === 'string' && v.$ta in VIEWS) {
      const bytes = Buffer.from(v.b64, 'base64');
      const ctor = VIEWS[v.$ta as ViewName];
      const copy = new Uint8Array(bytes.length);
      copy.set(bytes);
      return new ctor(copy.buffer, 0, bytes.length / ctor.BYTES_PER_ELEMENT);
    }
    if (typeof v.$num === 'string') return v.$num === '-0' ? -0 : Number(v.$num);
    if (typeof v.$big === 'string') return BigInt(v.$big);
    return value;
  }) as StateTree;
}
