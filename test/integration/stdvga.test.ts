import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { root } from './boot.js';
import { type CliChild, startCli } from './cli-child.js';
import { differences, readPng, reference, STAGES } from './mode-screens.js';
import { open } from './qmp-client.js';

/**
 * `plugboard qemu -vga std` in a child process, as a user runs it: SeaBIOS
 * and SeaVGABIOS's vgabios-stdvga.bin (the Bochs VBE BIOS) on the standard
 * VGA, running test/fixtures/cirrus-modes.asm (plain VGA and VBE 2.0 calls).
 * Each screen, taken with QMP's screendump while the program waits for a
 * key, is compared with QEMU's as cirrus-modes.test.ts compares the Cirrus
 * card's: text mode 3, mode 12h, mode 13h, and VBE mode 0x117 (1024x768
 * 5:6:5 drawn through the 64 KiB bank window, so through the dispi BANK
 * register). The references are QEMU's `-vga cirrus` screens; QEMU's `-vga
 * std` shows the same PNGs byte for byte (`node
 * scripts/record-cirrus-screens.mjs std` records them for a check).
 */
let run: CliChild | null = null;
afterEach(() => {
  run?.child.kill('SIGKILL');
  run = null;
});

describe('-vga std', () => {
  it('shows text mode 3, mode 12h, mode 13h and VBE 0x117 through vgabios-stdvga.bin as QEMU does', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'plugboard-stdvga-'));
    const image = join(dir, 'cirrus-modes.img');
    execFileSync('nasm', ['-f', 'bin', '-o', image, join(root, 'test/fixtures/cirrus-modes.asm')]);
    run = startCli([
      'qemu',
      ...['-M', 'pc', '-m', '128', '-vga', 'std', '-net', 'none', '-display', 'none'],
      ...['-drive', `file=${image},format=raw,if=ide,index=0,media=disk,snapshot=on`],
      ...['-debugcon', 'stdio', '-device', 'isa-debugcon,iobase=0x402'],
      ...['-qmp', 'tcp::0,server=on,wait=off'],
    ]);
    const cli = run;
    const port = Number((await cli.waitFor(/QMP on tcp:127\.0\.0\.1:(\d+)/))[1]);
    const qmp = await open(port);
    await qmp.next((j) => j.QMP !== undefined);
    expect(await qmp.execute('qmp_capabilities')).toMatchObject({ return: {} });
    for (const { stage, bits, ignore } of STAGES) {
      await cli.waitFor(new RegExp(`cirrus-modes: (${stage}|failed)\\n`), 240_000);
      expect(cli.output()).not.toContain('cirrus-modes: failed');
      const file = join(dir, `${stage}.png`);
      expect(await qmp.execute('screendump', { filename: file })).toMatchObject({ return: {} });
      const frame = readPng(file);
      const ref = reference(stage);
      const scale = stage === '13h' ? 2 : 1;
      expect([frame.width * scale, frame.height * scale], stage).toEqual([ref.width, ref.height]);
      expect(differences(frame, ref, bits, ignore), stage).toEqual([]);
      await qmp.execute('human-monitor-command', { 'command-line': 'sendkey spc' });
    }
    await cli.waitFor(/cirrus-modes: done\n/, 60_000);
    // SeaBIOS found the card and ran its VGA BIOS from the expansion ROM.
    expect(cli.output()).toMatch(/PCI: Using 00:02\.0 for primary VGA/);
    expect(cli.output()).toMatch(/Start SeaVGABIOS/);
    // ... which found the dispi interface (else it falls back to plain VGA and has no mode 0x117).
    expect(cli.output()).toMatch(/VBE DISPI: lfb_addr=fd000000, size 16 MB/);
    // -vga std names the card's own BIOS: nothing of the profile's Cirrus entry is dropped.
    expect(cli.output()).not.toMatch(/drops romfile/);
    expect(await qmp.execute('quit')).toMatchObject({ return: {} });
    expect(await cli.exited()).toBe(0);
  }, 300_000);
});
