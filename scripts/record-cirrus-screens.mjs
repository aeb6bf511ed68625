#!/usr/bin/env node
// Records the screens of test/fixtures/cirrus-modes.asm on QEMU's `pc` machine
// with `-vga cirrus`, SeaBIOS and the Cirrus VGA BIOS from the firmware cache:
// the references test/integration/cirrus-modes.test.ts compares Plugboard's
// screens against. Needs nasm and qemu-system-i386 (Debian: nasm,
// qemu-system-x86). Run by hand; the PNGs are checked in under
// test/fixtures/cirrus-modes/. With the argument `std`, the same program on
// `-vga std` with vgabios-stdvga.bin, into test/fixtures/stdvga-modes/ (for
// test/integration/stdvga.test.ts).
//
// The program prints "cirrus-modes: <stage>" to the debug console (port
// 0x402) once a picture is drawn and waits for a key; this script watches
// that log, takes the screen with QMP's screendump and presses a key.
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const STAGES = ['text', '12h', '13h', '117h'];
const card = process.argv[2] ?? 'cirrus';
const CARDS = {
  cirrus: { rom: 'vgabios-cirrus.bin', out: 'cirrus-modes' },
  std: { rom: 'vgabios-stdvga.bin', out: 'stdvga-modes' },
};
if (!CARDS[card]) throw new Error(`card ${card}: cirrus or std`);
const out = join(root, 'test/fixtures', CARDS[card].out);
const cache =
  process.env.PLUGBOARD_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'plugboard');
const seabios = join(cache, 'firmware/root/usr/share/seabios');

const work = mkdtempSync(join(tmpdir(), 'cirrus-modes-'));
const image = join(work, 'cirrus-modes.img');
const log = join(work, 'debugcon.log');
const qmpPath = join(work, 'qmp.sock');
execFileSync('nasm', ['-f', 'bin', '-o', image, join(root, 'test/fixtures/cirrus-modes.asm')]);
mkdirSync(join(work, 'roms'));
copyFileSync(join(seabios, CARDS[card].rom), join(work, 'roms', CARDS[card].rom));

const qemu = spawn(
  'qemu-system-i386',
  [
    ...['-M', 'pc,hpet=off,vmport=off', '-m', '128', '-nodefaults', '-vga', card],
    ...['-bios', join(seabios, 'bios-256k.bin'), '-L', join(work, 'roms')],
    ...['-drive', `file=${image},format=raw,if=ide,index=0,media=disk`],
    ...['-chardev', `file,id=dbg,path=${log}`, '-device', 'isa-debugcon,iobase=0x402,chardev=dbg'],
    ...['-qmp', `unix:${qmpPath},server=on,wait=off`, '-display', 'none', '-serial', 'null'],
  ],
  { stdio: 'inherit' },
);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function until(what, test, seconds = 20) {
  for (let i = 0; i < seconds * 20; i++) {
    if (test()) return;
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A QMP connection: one command at a time, each answered by a line with "return" or "error". */
async function qmp() {
  await until('the QMP socket', () => existsSync(qmpPath));
  const socket = createConnection(qmpPath);
  let buffer = '';
  let waiting = null;
  socket.on('data', (d) => {
    buffer += d.toString();
    let nl = buffer.indexOf('\n');
    while (nl >= 0) {
      const msg = JSON.parse(buffer.slice(0, nl));
      buffer = buffer.slice(nl + 1);
      if (waiting && (msg.return !== undefined || msg.error || msg.QMP)) {
        const w = waiting;
        waiting = null;
        if (msg.error) w.reject(new Error(`QMP: ${msg.error.desc}`));
        else w.resolve(msg);
      }
      nl = buffer.indexOf('\n');
    }
  });
  const next = () => new Promise((resolve, reject) => (waiting = { resolve, reject }));
  await next(); // the greeting
  const command = (execute, args) => {
    const p = next();
    socket.write(`${JSON.stringify(args ? { execute, arguments: args } : { execute })}\n`);
    return p;
  };
  await command('qmp_capabilities');
  return { command, close: () => socket.end() };
}

try {
  const q = await qmp();
  mkdirSync(out, { recursive: true });
  const text = () => (existsSync(log) ? readFileSync(log, 'latin1') : '');
  for (const stage of STAGES) {
    await until(`stage ${stage}`, () => text().includes(`cirrus-modes: ${stage}\n`));
    if (text().includes('failed')) throw new Error('the program failed');
    // The picture is complete when the marker is printed; give the display one refresh to catch up.
    await sleep(200);
    await q.command('screendump', { filename: join(out, `${stage}.png`), format: 'png' });
    console.log(`recorded test/fixtures/${CARDS[card].out}/${stage}.png`);
    await q.command('send-key', { keys: [{ type: 'qcode', data: 'spc' }] });
  }
  await until('the end', () => text().includes('cirrus-modes: done\n'));
  await q.command('quit');
  q.close();
} finally {
  qemu.kill();
  rmSync(work, { recursive: true, force: true });
}
