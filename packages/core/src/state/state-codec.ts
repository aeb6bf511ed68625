import type { StateTree } from './state-tree.js';

/**
 * State trees as JSON text: typed arrays as `{"$ta": type, "b64": bytes}`,
 * from `SPARSE_BYTES` up as `{"$ta": type, "bytes": n, "pages": [[i, b64], ...]}`
 * (only the 4 KiB pages that are not all zeros, in order), the numbers JSON
 * has no word for (infinities, NaN, -0) as `{"$num": "..."}` and bigints as
 * `{"$big": "..."}`. Equal trees give equal text, which is how the tests
 * compare whole machines.
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

/**
 * Typed arrays this large are saved by pages: a video card's 4 MiB of VRAM,
 * mostly zeros, was 5.6 MB of base64 to inflate, parse and decode at every restore.
 */
const SPARSE_BYTES = 64 << 10;
const SPARSE_PAGE = 4096;
/** The most a sparse array may say it holds: what a file can make this process allocate. */
const MAX_SPARSE_BYTES = 256 << 20;

function sparsePages(bytes: Uint8Array): [number, string][] {
  const pages: [number, string][] = [];
  for (let at = 0; at < bytes.length; at += SPARSE_PAGE) {
    const end = Math.min(at + SPARSE_PAGE, bytes.length);
    let i = at;
    while (i < end && bytes[i] === 0) i++;
    if (i < end)
      pages.push([
        at / SPARSE_PAGE,
        Buffer.from(bytes.buffer, bytes.byteOffset + at, end - at).toString('base64'),
      ]);
  }
  return pages;
}

function fromPages(name: ViewName, bytes: unknown, pages: unknown[]): ArrayBufferView {
  const ctor = VIEWS[name];
  if (
    typeof bytes !== 'number' ||
    !Number.isSafeInteger(bytes) ||
    bytes < 0 ||
    bytes > MAX_SPARSE_BYTES ||
    bytes % ctor.BYTES_PER_ELEMENT !== 0
  )
    throw new TypeError(`a sparse ${name} of ${bytes} bytes`);
  const out = new Uint8Array(bytes);
  for (const entry of pages) {
    const [index, b64] = entry as [unknown, unknown];
    if (typeof index !== 'number' || !Number.isInteger(index) || typeof b64 !== 'string')
      throw new TypeError(`a sparse ${name}: a page is not [index, base64]`);
    const at = index * SPARSE_PAGE;
    const data = Buffer.from(b64, 'base64');
    if (at < 0 || at + data.length > bytes || data.length > SPARSE_PAGE)
      throw new TypeError(`a sparse ${name}: page ${index} lies outside its ${bytes} bytes`);
    out.set(data, at);
  }
  return new ctor(out.buffer, 0, bytes / ctor.BYTES_PER_ELEMENT);
}

export function encodeState(tree: StateTree): string {
  return JSON.stringify(tree, function (this: Record<string, unknown>, key: string, value: unknown) {
    // The replacer sees typed arrays already turned into objects by toJSON-less walking: read the holder's own value.
    const raw = this[key];
    if (ArrayBuffer.isView(raw)) {
      const name = raw.constructor.name as ViewName;
      if (!(name in VIEWS)) throw new TypeError(`cannot save a ${raw.constructor.name}`);
      if (raw.byteLength >= SPARSE_BYTES)
        return {
          $ta: name,
          bytes: raw.byteLength,
          pages: sparsePages(new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength)),
        };
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
    if (typeof v.$ta === 'string' && Array.isArray(v.pages) && v.$ta in VIEWS)
      return fromPages(v.$ta as ViewName, v.bytes, v.pages);
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
