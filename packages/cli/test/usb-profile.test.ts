import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createRegistry } from '../src/builtins.js';
import { validateProfile } from '../src/commands/validate.js';

const machines = fileURLToPath(new URL('../../../machines/', import.meta.url));

function profile(devices: Record<string, unknown>): string {
  const file = join(mkdtempSync(join(tmpdir(), 'pb-usb-')), 'usb.json');
  writeFileSync(file, JSON.stringify({ extends: join(machines, 'pc.json'), name: 'pc-usb', devices }));
  return file;
}

describe('USB devices in a profile', () => {
  it('validates a tablet beside the PIIX3 UHCI', async () => {
    const file = profile({
      usb: { type: 'piix3-usb-uhci', pci: '00:01.2' },
      tablet: { type: 'usb-tablet' },
    });
    expect((await validateProfile(file, await createRegistry(), true)).errors).toEqual([]);
  });

  it('rejects a tablet with no USB host controller to plug into, as run would', async () => {
    const file = profile({ tablet: { type: 'usb-tablet' } });
    expect((await validateProfile(file, await createRegistry(), true)).errors).toEqual([
      `${file}: /devices/tablet: "usb-tablet" is a USB device, and no device of the profile is a USB host controller (PCI class 0c03) to plug it into`,
    ]);
  });

  it('rejects a PCI address on a USB device', async () => {
    const file = profile({
      usb: { type: 'piix3-usb-uhci', pci: '00:01.2' },
      tablet: { type: 'usb-tablet', pci: '00:05.0' },
    });
    const { errors } = await validateProfile(file, await createRegistry(), true);
    expect(errors.join('\n')).toMatch(/tablet\/pci: "usb-tablet" is not a PCI device \(its kind is usb\)/);
  });
});
