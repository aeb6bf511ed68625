import { definePlugin, type JsonSchema } from '@plugboard/core';
import { PIIX3_IDE_IDS, Piix3Ide, type Piix3IdeConfig } from './piix3-ide.js';

const driveSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    drive: {
      type: 'string',
      minLength: 1,
      description: 'A drive id from the profile; a CD-ROM without one has an empty tray.',
    },
    media: { enum: ['disk', 'cdrom'], default: 'disk' },
    model: { type: 'string', maxLength: 40, description: 'IDENTIFY model string.' },
    serial: { type: 'string', maxLength: 20, description: 'IDENTIFY serial number.' },
  },
};

const channelSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  default: {},
  properties: { master: driveSchema, slave: driveSchema },
};

/** The PIIX3 IDE function: `primary`/`secondary` channels, each with an optional `master` and `slave`. */
export const piix3Ide = definePlugin<Piix3IdeConfig, Piix3Ide>({
  meta: { id: 'piix3-ide', name: 'Intel 82371SB PIIX3 IDE controller' },
  kind: 'pci',
  pci: PIIX3_IDE_IDS,
  configSchema: {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    additionalProperties: false,
    default: {},
    properties: { primary: channelSchema, secondary: channelSchema },
  },
  create: (ctx, config) => new Piix3Ide(ctx, config),
});
