import { definePlugin } from '@plugboard/core';
import { I440FX_IDS, I440fx } from './i440fx.js';

export const i440fxPlugin = definePlugin<Record<string, never>, I440fx>({
  meta: { id: 'i440fx', name: 'Intel 82441FX PMC host bridge (PCI configuration, PAM shadowing, SMRAM)' },
  kind: 'pci',
  pci: I440FX_IDS,
  configSchema: {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    properties: {},
    additionalProperties: false,
    default: {},
  },
  create: (ctx) => new I440fx(ctx),
});
