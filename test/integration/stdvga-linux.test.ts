import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { composeProfile, guests, runCli } from './guest.js';
import { readPng } from './mode-screens.js';

const BOOT_TIMEOUT = 1_800_000;
const STOPPED = /^plugboard: .* stopped: (.*) after (\d+) instructions$/m;

/**
 * The test guest's Linux on the standard VGA, booted through SeaBIOS and
 * vgabios-stdvga.bin: `vga=0x311` has the kernel's real-mode setup ask the
 * VBE BIOS for 640x480 at 16 bpp, and its framebuffer console then draws
 * through the linear framebuffer (BAR0). The screenshot at power-off is that
 * mode's picture, with the kernel's last message (`reboot: Power down`,
 * printed even with `quiet`) on it.
 */
describe('Linux on -vga std', () => {
  it('sets VBE mode 0x111 through the VGA BIOS and draws its console in it', {
    timeout: BOOT_TIMEOUT,
  }, async () => {
    const png = join(mkdtempSync(join(tmpdir(), 'plugboard-stdvga-linux-')), 'screen.png');
    const file = composeProfile('pc', {
      memory: '256M',
      devices: {
        vga: { type: 'std-vga', pci: '00:02.0' },
        bios: {
          config: {
            kernel: join(guests, 'vmlinuz'),
            initrd: join(guests, 'initrd.gz'),
            append:
              'console=tty0 console=ttyS0 panic=-1 quiet cryptomgr.notests plugboard.nic=none vga=0x311',
          },
        },
        com1: { config: { backend: { type: 'stdio' } } },
      },
    });
    const run = await runCli(['run', file, '--screenshot', png], () => {}, BOOT_TIMEOUT);
    expect(STOPPED.exec(run.output)?.[1], run.output.slice(-3000)).toBe('ACPI S5 soft-off');
    expect(run.exitCode).toBe(0);
    const frame = readPng(png);
    expect([frame.width, frame.height]).toEqual([640, 480]);
    // Text was drawn: the console's light grey on black, in some of the pixels but not most.
    let lit = 0;
    for (let i = 0; i < frame.rgba.length; i += 4) if (frame.rgba[i] > 0x80) lit++;
    expect(lit).toBeGreaterThan(200);
    expect(lit).toBeLessThan((640 * 480) / 4);
  });
});
