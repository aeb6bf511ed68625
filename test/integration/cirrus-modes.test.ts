import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DisplaySource, Machine, Ps2InputService } from '@plugboard/core';
import { afterAll, describe, expect, it } from 'vitest';
import { machine, root, runUntil } from './boot.js';
import { differences, reference, STAGES } from './mode-screens.js';

/**
 * test/fixtures/cirrus-modes.asm under SeaBIOS and the Cirrus VGA BIOS: text
 * mode 3, mode 12h, mode 13h and VBE mode 0x117, each screen against the one
 * QEMU's `-vga cirrus` shows for the same program (recorded by
 * scripts/record-cirrus-screens.mjs into test/fixtures/cirrus-modes/).
 *
 * Every pixel is compared, at the precision the card produces:
 * - DAC modes (text, 12h, 13h) carry 6 bits a channel. QEMU widens them to 8
 *   bits as (v << 2) | (v & 1) * 3 (hw/display/vga.c c6_to_8), Plugboard by
 *   repeating the top bits (v << 2 | v >> 4, so a VGA's 0x2A becomes 0xAA);
 *   the top 6 bits are compared.
 * - 5:6:5 (mode 0x117): QEMU leaves the low bits of each channel zero,
 *   Plugboard repeats the top bits; the top 5, 6 and 5 bits are compared.
 * - Mode 13h: QEMU's screen is what the monitor scans, 640x400 (each pixel
 *   two dots wide, each line scanned twice); Plugboard's frame is the mode's
 *   320x200 pixels. Each Plugboard pixel is compared with its 2x2 dots.
 * - Text: the glyphs come from the font the VGA BIOS loaded into plane 2, so
 *   they agree to the dot, except the ninth column of characters 0xB0-0xBF
 *   (the shades): QEMU repeats the eighth dot for 0xB0-0xDF, the VGA (IBM VGA
 *   Technical Reference, attribute mode control bit 2) only for the
 *   line-graphics codes 0xC0-0xDF, as Plugboard does. The program draws them
 *   on row 22, columns 16-31, and those ninth columns are left out. It also
 *   hides the cursor and switches blinking off, which QEMU would draw by host
 *   time.
 */
/** Instructions between looks at the debug console: small, as the program spins while it waits. */
const SLICE = 1_000_000;

describe('Cirrus modes against QEMU', () => {
  let m: Machine | null = null;
  afterAll(async () => {
    await m?.destroy();
  });

  it('shows text mode 3, mode 12h, mode 13h and VBE 0x117 as QEMU does', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'plugboard-'));
    const image = join(dir, 'cirrus-modes.img');
    execFileSync('nasm', ['-f', 'bin', '-o', image, join(root, 'test/fixtures/cirrus-modes.asm')]);
    m = await machine('pc', [
      {
        netdevs: { net0: null },
        drives: { hda: { type: 'file', config: { file: image, format: 'raw', snapshot: true } } },
        devices: {
          nic: null,
          ide: { config: { primary: { master: { drive: 'hda' } } } },
          debugcon: { type: 'debugcon', config: { iobase: 0x402, output: 'memory' } },
        },
      },
    ]);
    const mm = m;
    const log = () => mm.device<{ text(): string }>('debugcon')?.text() ?? '';
    const display = mm.device<DisplaySource>('vga')!;
    const keyboard = mm.device<Ps2InputService>('kbc')!;
    for (const { stage, bits, ignore } of STAGES) {
      await runUntil(
        mm,
        () => log().includes(`cirrus-modes: ${stage}\n`) || log().includes('failed'),
        200_000_000,
        SLICE,
      );
      expect(log()).toContain(`cirrus-modes: ${stage}\n`);
      const frame = display.render();
      const ref = reference(stage);
      const scale = stage === '13h' ? 2 : 1;
      expect([frame.width * scale, frame.height * scale], stage).toEqual([ref.width, ref.height]);
      expect(differences(frame, ref, bits, ignore), stage).toEqual([]);
      keyboard.key('Space', true);
      keyboard.key('Space', false);
    }
    await runUntil(mm, () => log().includes('cirrus-modes: done\n'), 200_000_000, SLICE);
    expect(log()).toContain('cirrus-modes: done\n');
  });
});
