import { pciClassName } from '@plugboard/core';
import { describe, expect, it } from 'vitest';

describe('PCI class names', () => {
  it("spells a class as lspci or as QEMU's info pci does, and names an unknown one by number", () => {
    expect(pciClassName(0x0300, 'lspci')).toBe('VGA compatible controller');
    expect(pciClassName(0x0300, 'qemu')).toBe('VGA controller');
    expect(pciClassName(0x0101, 'lspci')).toBe('IDE interface');
    expect(pciClassName(0x0101, 'qemu')).toBe('IDE controller');
    expect(pciClassName(0x0d11, 'qemu')).toBe('Class 0d11');
  });
});
