// The WebAssembly binary format, as far as the translator needs it: i32
// code over one imported memory. Hand-written because a unit is a few
// hundred bytes emitted in microseconds; a general toolchain (binaryen)
// would cost megabytes in the page and milliseconds per unit.

/** Opcodes (WebAssembly core specification, 5.4). */
export const W = {
  unreachable: 0x00,
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  else: 0x05,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  brTable: 0x0e,
  return: 0x0f,
  call: 0x10,
  callIndirect: 0x11,
  drop: 0x1a,
  select: 0x1b,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  load: 0x28,
  load8s: 0x2c,
  load8u: 0x2d,
  load16s: 0x2e,
  load16u: 0x2f,
  store: 0x36,
  store8: 0x3a,
  store16: 0x3b,
  const: 0x41,
  eqz: 0x45,
  eq: 0x46,
  ne: 0x47,
  ltS: 0x48,
  ltU: 0x49,
  gtS: 0x4a,
  gtU: 0x4b,
  leS: 0x4c,
  leU: 0x4d,
  geS: 0x4e,
  geU: 0x4f,
  add: 0x6a,
  sub: 0x6b,
  mul: 0x6c,
  and: 0x71,
  or: 0x72,
  xor: 0x73,
  shl: 0x74,
  shrS: 0x75,
  shrU: 0x76,
  rotl: 0x77,
  rotr: 0x78,
  wrap: 0xa7,
  i64ExtendS: 0xac,
  i64ExtendU: 0xad,
  i64Ne: 0x52,
  i64LtU: 0x54,
  i64GtU: 0x56,
  i64Add: 0x7c,
  i64Mul: 0x7e,
  i64DivS: 0x7f,
  i64DivU: 0x80,
  i64RemS: 0x81,
  i64RemU: 0x82,
  i64Or: 0x84,
  i64Shl: 0x86,
  i64ShrU: 0x88,
  i64Load: 0x29,
  i64Store: 0x37,
  clz: 0x67,
  ctz: 0x68,
  /** Bulk memory (prefix 0xFC): `memory.copy` of memory 0 to itself, `memory.fill` of memory 0. */
  memoryCopy: [0xfc, 0x0a, 0x00, 0x00],
  memoryFill: [0xfc, 0x0b, 0x00],
} as const;

/**
 * 128-bit SIMD (prefix 0xFD, WebAssembly 2.0 5.4.8): the sub-opcodes
 * `Code.v` and `Code.vmem` write; the comments give their immediates.
 */
export const V = {
  /** memarg */
  load: 0x00,
  store: 0x0b,
  load32Zero: 0x5c,
  load64Zero: 0x5d,
  /** memarg, lane */
  store64Lane: 0x5b,
  /** 16 bytes */
  const: 0x0c,
  shuffle: 0x0d,
  /** lane */
  i32x4ExtractLane: 0x1b,
  i64x2ExtractLane: 0x1d,
  i8x16Eq: 0x23,
  i16x8Eq: 0x2d,
  i32x4Eq: 0x37,
  and: 0x4e,
  andnot: 0x4f,
  or: 0x50,
  xor: 0x51,
  i8x16Bitmask: 0x64,
  i8x16Add: 0x6e,
  i8x16Sub: 0x71,
  i8x16MinU: 0x77,
  i16x8Add: 0x8e,
  i32x4Add: 0xae,
} as const;

export const I32 = 0x7f;
export const I64 = 0x7e;
export const V128 = 0x7b;
/** Block type of a block without a result. */
export const VOID = 0x40;
export const RESULT_I32 = I32;

/** A function body: the instruction stream and the types of its locals beyond the (i32) parameters. */
export class Code {
  readonly bytes: number[] = [];
  readonly localTypes: number[] = [];

  constructor(readonly params: number) {}

  local(type = I32): number {
    return this.params + this.localTypes.push(type) - 1;
  }

  op(...b: number[]): this {
    for (const x of b) this.bytes.push(x);
    return this;
  }

  i32(v: number): this {
    this.bytes.push(W.const);
    sleb(this.bytes, v | 0);
    return this;
  }

  get(l: number): this {
    this.bytes.push(W.localGet);
    uleb(this.bytes, l);
    return this;
  }

  set(l: number): this {
    this.bytes.push(W.localSet);
    uleb(this.bytes, l);
    return this;
  }

  tee(l: number): this {
    this.bytes.push(W.localTee);
    uleb(this.bytes, l);
    return this;
  }

  /** A load or store with alignment hint 0 (guest accesses need not be aligned) at static `offset`. */
  mem(op: number, offset: number): this {
    this.bytes.push(op, 0);
    uleb(this.bytes, offset);
    return this;
  }

  /** SIMD instruction `sub` (`V`) and its immediate bytes (lanes, a shuffle's 16 lane indices, a constant's bytes). */
  v(sub: number, ...imm: number[]): this {
    this.bytes.push(0xfd);
    uleb(this.bytes, sub);
    for (const x of imm) this.bytes.push(x);
    return this;
  }

  /** A SIMD load or store (`V`) with alignment hint 0 at static `offset`, then its lane immediate if any. */
  vmem(sub: number, offset: number, ...lane: number[]): this {
    this.v(sub);
    this.bytes.push(0);
    uleb(this.bytes, offset);
    for (const x of lane) this.bytes.push(x);
    return this;
  }

  call(f: number): this {
    this.bytes.push(W.call);
    uleb(this.bytes, f);
    return this;
  }

  /** Branches to the `labels[v]`th enclosing label (`fallback` beyond them), `v` popped. */
  brTable(labels: readonly number[], fallback: number): this {
    this.bytes.push(W.brTable);
    uleb(this.bytes, labels.length);
    for (const l of labels) uleb(this.bytes, l);
    uleb(this.bytes, fallback);
    return this;
  }

  /** Calls table entry (popped last) as type `type` of table 0. */
  callIndirect(type: number): this {
    this.bytes.push(W.callIndirect);
    uleb(this.bytes, type);
    this.bytes.push(0);
    return this;
  }
}

export interface WasmFunction {
  params: number;
  results: number;
  code: Code;
}

/** A host function a module imports as `m.NAME`: it comes before the module's own in the function index space. */
export interface WasmImport {
  name: string;
  params: number;
  results: number;
}

/**
 * The type every unit function has, `(eip, budget) -> retired`, and the
 * dispatcher too: type 0 of every module, for `call_indirect`.
 */
export const UNIT_TYPE = 0;

/**
 * A module that imports memory `m.mem` of `pages` 64 KiB pages (its exact
 * size: it never grows) and the host functions `hostFunctions`, and exports
 * each of `exports` (a name and a function index). With `table`, it also
 * imports `m.table`, a function table of that many entries. Its types are
 * the functions' signatures (all parameters and results i32), `UNIT_TYPE`
 * first.
 */
export function encodeModule(
  pages: number,
  funcs: readonly WasmFunction[],
  exports: readonly (readonly [string, number])[],
  table = 0,
  hostFunctions: readonly WasmImport[] = [],
): Uint8Array {
  const out: number[] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  const signatures = ['2:1'];
  const typeIndex = (f: { params: number; results: number }): number => {
    const key = `${f.params}:${f.results}`;
    const t = signatures.indexOf(key);
    return t >= 0 ? t : signatures.push(key) - 1;
  };
  const importTypes = hostFunctions.map(typeIndex);
  const typeOf = funcs.map(typeIndex);
  const types: number[] = [];
  uleb(types, signatures.length);
  for (const key of signatures) {
    const [params, results] = key.split(':').map(Number);
    types.push(0x60);
    uleb(types, params);
    for (let k = 0; k < params; k++) types.push(I32);
    uleb(types, results);
    for (let k = 0; k < results; k++) types.push(I32);
  }
  section(out, 1, types);
  const imports: number[] = [];
  uleb(imports, (table > 0 ? 2 : 1) + hostFunctions.length);
  name(imports, 'm');
  name(imports, 'mem');
  imports.push(0x02, 0x01);
  uleb(imports, pages);
  uleb(imports, pages);
  for (const [k, f] of hostFunctions.entries()) {
    name(imports, 'm');
    name(imports, f.name);
    imports.push(0x00);
    uleb(imports, importTypes[k]);
  }
  if (table > 0) {
    name(imports, 'm');
    name(imports, 'table');
    imports.push(0x01, 0x70, 0x00);
    uleb(imports, table);
  }
  section(out, 2, imports);
  const decls: number[] = [];
  uleb(decls, funcs.length);
  for (const t of typeOf) uleb(decls, t);
  section(out, 3, decls);
  const exported: number[] = [];
  uleb(exported, exports.length);
  for (const [label, f] of exports) {
    name(exported, label);
    exported.push(0x00);
    uleb(exported, f);
  }
  section(out, 7, exported);
  // The code section, the bulk of a module: each body's bytes copied once, into the result.
  const heads = funcs.map((f) => {
    const head: number[] = [];
    const runs: [number, number][] = [];
    for (const t of f.code.localTypes) {
      const last = runs[runs.length - 1];
      if (last !== undefined && last[1] === t) last[0]++;
      else runs.push([1, t]);
    }
    uleb(head, runs.length);
    for (const [count, type] of runs) {
      uleb(head, count);
      head.push(type);
    }
    const size = head.length + f.code.bytes.length + 1;
    const prefix: number[] = [];
    uleb(prefix, size);
    return [...prefix, ...head];
  });
  let codeSize = 0;
  const count: number[] = [];
  uleb(count, funcs.length);
  codeSize += count.length;
  for (const [k, f] of funcs.entries()) codeSize += heads[k].length + f.code.bytes.length + 1;
  out.push(10);
  uleb(out, codeSize);
  for (const b of count) out.push(b);
  const module = new Uint8Array(out.length + codeSize - count.length);
  module.set(out);
  let at = out.length;
  for (const [k, f] of funcs.entries()) {
    module.set(heads[k], at);
    at += heads[k].length;
    module.set(f.code.bytes, at);
    at += f.code.bytes.length;
    module[at++] = W.end;
  }
  return module;
}

function section(out: number[], id: number, content: number[]): void {
  out.push(id);
  uleb(out, content.length);
  for (const b of content) out.push(b);
}

function name(out: number[], s: string): void {
  uleb(out, s.length);
  for (let k = 0; k < s.length; k++) out.push(s.charCodeAt(k));
}

function uleb(out: number[], v: number): void {
  let x = v >>> 0;
  do {
    const b = x & 0x7f;
    x >>>= 7;
    out.push(x !== 0 ? b | 0x80 : b);
  } while (x !== 0);
}

function sleb(out: number[], v: number): void {
  let x = v | 0;
  for (;;) {
    const b = x & 0x7f;
    x >>= 7;
    if ((x === 0 && (b & 0x40) === 0) || (x === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return;
    }
    out.push(b | 0x80);
  }
}
