import { describe, expect, it } from 'vitest';
import {
  buffer,
  device,
  eisaId,
  integer,
  method,
  name,
  nameString,
  packageOf,
  pkgLength,
  returnValue,
} from '../src/acpi/aml.js';

const bytes = (s: string) => [...s].map((c) => c.charCodeAt(0));

describe('AML encoder', () => {
  it('encodes PkgLength in one byte below 63 and in more bytes with the low nibble first', () => {
    expect(pkgLength(0)).toEqual([0x01]);
    expect(pkgLength(0x3e)).toEqual([0x3f]);
    // 0x3f body bytes + 2 length bytes = 0x41: lead byte 01b<<6 | 0x1, then 0x41 >> 4.
    expect(pkgLength(0x3f)).toEqual([0x41, 0x04]);
    expect(pkgLength(0xffd)).toEqual([0x4f, 0xff]);
    expect(pkgLength(0xffe)).toEqual([0x81, 0x00, 0x01]);
  });

  it('encodes name strings with root, parent, dual and multi prefixes', () => {
    expect(nameString('_HID')).toEqual(bytes('_HID'));
    expect(nameString('\\_S5')).toEqual([0x5c, ...bytes('_S5_')]);
    expect(nameString('^LNK')).toEqual([0x5e, ...bytes('LNK_')]);
    expect(nameString('\\_SB.PCI0')).toEqual([0x5c, 0x2e, ...bytes('_SB_PCI0')]);
    expect(nameString('\\_SB.PCI0.ISA')).toEqual([0x5c, 0x2f, 3, ...bytes('_SB_PCI0ISA_')]);
    expect(() => nameString('lower')).toThrow(/name segment/);
  });

  it('picks the shortest integer encoding', () => {
    expect(integer(0)).toEqual([0x00]);
    expect(integer(1)).toEqual([0x01]);
    expect(integer(0x0b)).toEqual([0x0a, 0x0b]);
    expect(integer(0x1234)).toEqual([0x0b, 0x34, 0x12]);
    expect(integer(0x0001ffff)).toEqual([0x0c, 0xff, 0xff, 0x01, 0x00]);
    expect(() => integer(-1)).toThrow(RangeError);
  });

  it('compresses EISA IDs as _HID takes them', () => {
    // iasl: EisaId("PNP0A03") is 0x030AD041, EisaId("PNP0C0F") is 0x0F0CD041.
    expect(eisaId('PNP0A03')).toBe(0x030ad041);
    expect(eisaId('PNP0C0F')).toBe(0x0f0cd041);
  });

  it('nests devices, methods, packages and buffers with their lengths', () => {
    expect(name('_S5', packageOf(integer(0), integer(0)))).toEqual([
      0x08,
      ...bytes('_S5_'),
      0x12,
      0x04,
      0x02,
      0x00,
      0x00,
    ]);
    expect(method('_STA', 0, returnValue(integer(0x0b)))).toEqual([
      0x14,
      0x09,
      ...bytes('_STA'),
      0x00,
      0xa4,
      0x0a,
      0x0b,
    ]);
    expect(device('LNKA')).toEqual([0x5b, 0x82, 0x05, ...bytes('LNKA')]);
    expect(buffer([0x79, 0x00])).toEqual([0x11, 0x05, 0x0a, 0x02, 0x79, 0x00]);
  });
});
