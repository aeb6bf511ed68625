import { definePlugin } from '@plugboard/core';
import { PIIX3_ISA_IDS, Piix3Isa } from './piix3-isa.js';

export const piix3IsaPlugin = definePlugin<Record<string, never>, Piix3Isa>({
  meta: {
    id: 'piix3-isa',
    name: 'Intel 82371SB PIIX3 PCI-to-ISA bridge (8259A, 8254, 8237A, PIRQ, 0x92, 0xCF9)',
  },
  kind: 'pci',
  pci: PIIX3_ISA_IDS,
  configSchema: {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    properties: {},
    additionalProperties: false,
    default: {},
  },
  create: (ctx) => new Piix3Isa(ctx),
});
