import { definePlugin } from '@plugboard/core';

/** PIIX3 IDE function (8086:7010): placeholder until the device lands. */
export const piix3Ide = definePlugin({
  meta: { id: 'piix3-ide', name: 'Intel 82371SB PIIX3 IDE' },
  kind: 'pci',
  pci: { vendorId: 0x8086, deviceId: 0x7010, classCode: 0x010180, revision: 0x00 },
  configSchema: { type: 'object', additionalProperties: true, default: {} },
  create: () => ({}),
});
