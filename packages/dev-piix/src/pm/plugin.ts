import { definePlugin } from '@plugboard/core';
import { PIIX4_PM_IDS, Piix4Pm, type Piix4PmConfig } from './piix4-pm.js';

const ioPort = (description: string, fallback: number) => ({
  type: 'integer',
  minimum: 1,
  maximum: 0xfff0,
  default: fallback,
  description,
});

export const piix4PmPlugin = definePlugin<Piix4PmConfig, Piix4Pm>({
  meta: { id: 'piix4-pm', name: 'Intel 82371AB PIIX4 power management (ACPI PM, PM timer, SMBus)' },
  kind: 'pci',
  pci: PIIX4_PM_IDS,
  configSchema: {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    properties: {
      gpe0Base: ioPort('I/O port of the 4-byte GPE0 block (QEMU: 45024 = 0xAFE0)', 0xafe0),
      smbusBase: ioPort(
        'SMBus base address at reset, before firmware moves it (QEMU: 45312 = 0xB100)',
        0xb100,
      ),
    },
    additionalProperties: false,
    default: {},
  },
  create: (ctx, config) =>
    new Piix4Pm(ctx, { gpe0Base: config.gpe0Base ?? 0xafe0, smbusBase: config.smbusBase ?? 0xb100 }),
});
