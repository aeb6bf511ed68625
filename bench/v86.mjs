// Boots the test guest on v86 from npm (its WebAssembly JIT), as the
// translating CPU's issue measures it: Debian's SeaBIOS and
// vgabios-stdvga.bin, -kernel style (bzimage + initrd), 512 MiB, and no
// network (v86 always has its NE2000; nothing is behind it).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { resolveFirmware } from '@plugboard/firmware';
import { V86 } from 'v86';

const buffer = (file) => {
  const b = readFileSync(file);
  return { buffer: b.buffer.slice(b.byteOffset, b.byteOffset + b.length) };
};

/** Starts v86 on the guest; `onSerial` gets COM1's output as text. Resolves with the running emulator. */
export async function bootV86({ guests, append, onSerial }) {
  const v86Dir = dirname(createRequire(import.meta.url).resolve('v86'));
  const emulator = new V86({
    wasm_path: join(v86Dir, 'v86.wasm'),
    memory_size: 512 * 1024 * 1024,
    vga_memory_size: 8 * 1024 * 1024,
    bios: buffer(resolveFirmware('bios-256k.bin')),
    vga_bios: buffer(resolveFirmware('vgabios-stdvga.bin')),
    bzimage: buffer(join(guests, 'vmlinuz')),
    initrd: buffer(join(guests, 'initrd.gz')),
    cmdline: append,
    autostart: true,
    disable_speaker: true,
  });
  emulator.add_listener('serial0-output-byte', (byte) => onSerial(String.fromCharCode(byte)));
  return emulator;
}
