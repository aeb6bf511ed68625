/**
 * A small encoder for the AML (ACPI Machine Language) terms the built-in
 * DSDT needs, after ACPI 6.5 chapter 20. Every function returns the bytes of
 * one term; nesting terms nests arrays.
 */
export type Aml = readonly number[];

const ZERO_OP = 0x00;
const ONE_OP = 0x01;
const NAME_OP = 0x08;
const BYTE_PREFIX = 0x0a;
const WORD_PREFIX = 0x0b;
const DWORD_PREFIX = 0x0c;
const SCOPE_OP = 0x10;
const BUFFER_OP = 0x11;
const PACKAGE_OP = 0x12;
const METHOD_OP = 0x14;
const DUAL_NAME_PREFIX = 0x2e;
const MULTI_NAME_PREFIX = 0x2f;
const ROOT_CHAR = 0x5c;
const PARENT_PREFIX_CHAR = 0x5e;
const EXT_OP_PREFIX = 0x5b;
const DEVICE_OP = 0x82;
const RETURN_OP = 0xa4;

/** PkgLength (20.2.4): the length of what follows the opcode, itself included, in 1 to 4 bytes. */
export function pkgLength(bodyLength: number): number[] {
  if (bodyLength + 1 < 0x40) return [bodyLength + 1];
  for (let extra = 1; extra <= 3; extra++) {
    const total = bodyLength + 1 + extra;
    if (total < 2 ** (4 + 8 * extra)) {
      const bytes = [(extra << 6) | (total & 0x0f)];
      for (let i = 0; i < extra; i++) bytes.push((total >>> (4 + 8 * i)) & 0xff);
      return bytes;
    }
  }
  throw new RangeError(`AML package of ${bodyLength} bytes exceeds PkgLength's 28 bits`);
}

/** A NameSeg: four characters from A-Z, 0-9 and _, padded with _. */
function nameSeg(seg: string): number[] {
  if (!/^[A-Z_][A-Z0-9_]{0,3}$/.test(seg))
    throw new Error(`AML name segment "${seg}" is not 1-4 of A-Z, 0-9, _`);
  return [...seg.padEnd(4, '_')].map((c) => c.charCodeAt(0));
}

/** A NameString such as `\_SB.PCI0`, `^LNKA` or `_HID`. */
export function nameString(path: string): number[] {
  const out: number[] = [];
  let rest = path;
  if (rest.startsWith('\\')) {
    out.push(ROOT_CHAR);
    rest = rest.slice(1);
  }
  while (rest.startsWith('^')) {
    out.push(PARENT_PREFIX_CHAR);
    rest = rest.slice(1);
  }
  const segs = rest === '' ? [] : rest.split('.');
  if (segs.length === 0) out.push(0x00);
  else if (segs.length === 2) out.push(DUAL_NAME_PREFIX);
  else if (segs.length > 2) out.push(MULTI_NAME_PREFIX, segs.length);
  for (const s of segs) out.push(...nameSeg(s));
  return out;
}

/** The shortest integer encoding of `value` (0 to 2^32-1). */
export function integer(value: number): Aml {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff)
    throw new RangeError(`AML integer ${value} is not a 32-bit unsigned value`);
  if (value === 0) return [ZERO_OP];
  if (value === 1) return [ONE_OP];
  if (value <= 0xff) return [BYTE_PREFIX, value];
  if (value <= 0xffff) return [WORD_PREFIX, value & 0xff, value >>> 8];
  return [DWORD_PREFIX, value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, value >>> 24];
}

/** An EISA ID such as `PNP0A03` compressed into the 32-bit value _HID takes (EisaId() in ASL). */
export function eisaId(id: string): number {
  if (!/^[A-Z]{3}[0-9A-F]{4}$/.test(id))
    throw new Error(`EISA ID "${id}" is not three letters and four hex digits`);
  const letters = [0, 1, 2].map((i) => id.charCodeAt(i) - 0x40);
  const vendor = (letters[0] << 10) | (letters[1] << 5) | letters[2];
  const product = Number.parseInt(id.slice(3), 16);
  // Stored big-endian: the vendor's two bytes, then the product's.
  return ((vendor >>> 8) | ((vendor & 0xff) << 8) | ((product >>> 8) << 16) | ((product & 0xff) << 24)) >>> 0;
}

export function name(path: string, value: Aml): Aml {
  return [NAME_OP, ...nameString(path), ...value];
}

export function scope(path: string, ...terms: Aml[]): Aml {
  const body = [...nameString(path), ...terms.flat()];
  return [SCOPE_OP, ...pkgLength(body.length), ...body];
}

export function device(path: string, ...terms: Aml[]): Aml {
  const body = [...nameString(path), ...terms.flat()];
  return [EXT_OP_PREFIX, DEVICE_OP, ...pkgLength(body.length), ...body];
}

/** A not-serialized method taking `argCount` (0-7) arguments. */
export function method(path: string, argCount: number, ...terms: Aml[]): Aml {
  const body = [...nameString(path), argCount & 7, ...terms.flat()];
  return [METHOD_OP, ...pkgLength(body.length), ...body];
}

export function returnValue(value: Aml): Aml {
  return [RETURN_OP, ...value];
}

/** A Package of data objects or name references (a reference is its NameString). */
export function packageOf(...elements: Aml[]): Aml {
  if (elements.length > 255)
    throw new RangeError(`AML package of ${elements.length} elements needs VarPackage`);
  const body = [elements.length, ...elements.flat()];
  return [PACKAGE_OP, ...pkgLength(body.length), ...body];
}

export function buffer(bytes: readonly number[]): Aml {
  const body = [...integer(bytes.length), ...bytes];
  return [BUFFER_OP, ...pkgLength(body.length), ...body];
}

/** A name reference as a package element. */
export function reference(path: string): Aml {
  return nameString(path);
}
