import type { PciIds } from '@plugboard/core';

export interface I8255xModel {
  pci: PciIds;
  /** Statistical counter block size in bytes (the completion word follows it). */
  statsSize: 64 | 76 | 80;
  /** 82558 and later: extended TCBs, specific interrupt masks, power management. */
  generation: 1 | 2 | 3;
}

const INTEL = 0x8086;
const ETHERNET = 0x020000;

function model(deviceId: number, revision: number, generation: 1 | 2 | 3): I8255xModel {
  return {
    pci: { vendorId: INTEL, deviceId, classCode: ETHERNET, revision, subsystemVendorId: 0, subsystemId: 0 },
    statsSize: generation === 1 ? 64 : generation === 2 ? 76 : 80,
    generation,
  };
}

/**
 * The members of the family, with the PCI device IDs and revisions each
 * reports (as QEMU presents them; Linux's e100 picks its workarounds and
 * microcode by revision: 0x0f, the i82551, loads d102e_ucode.bin).
 */
export const MODELS = {
  i82557a: model(0x1229, 0x01, 1),
  i82557b: model(0x1229, 0x02, 1),
  i82557c: model(0x1229, 0x03, 1),
  i82558a: model(0x1229, 0x04, 2),
  i82558b: model(0x1229, 0x05, 2),
  i82559a: model(0x1229, 0x06, 3),
  i82559b: model(0x1229, 0x07, 3),
  i82559c: model(0x1229, 0x0c, 3),
  i82559er: model(0x1209, 0x09, 3),
  i82551: model(0x1209, 0x0f, 3),
} as const satisfies Record<string, I8255xModel>;

export type I8255xModelName = keyof typeof MODELS;
