import type { Json } from '@plugboard/core';
import { Terminal } from '@xterm/xterm';
import { Plugboard } from './plugboard.js';

/**
 * The page: COM1 on an xterm.js terminal, the screen on a canvas, a form to
 * boot the test guest's kernel (URLs, or files picked from disk) through
 * linux-direct on puredarwin-xmas. `?autostart=1` boots at once; `net=URL`
 * names a net-proxy, `url=URL` a file the guest downloads. The running
 * machine is `window.plugboard`.
 */
declare global {
  interface Window {
    plugboard?: Plugboard;
  }
}

const params = new URLSearchParams(location.search);
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const form = $<HTMLFormElement>('boot');
const field = (name: string) => form.elements.namedItem(name) as HTMLInputElement;
for (const name of ['kernel', 'initrd', 'append', 'net', 'url'])
  if (params.has(name)) field(name).value = params.get(name)!;

const term = new Terminal({ convertEol: false, cols: 100, rows: 30, scrollback: 5000 });
term.open($('terminal'));

async function picked(input: HTMLInputElement): Promise<Uint8Array | null> {
  const file = input.files?.[0];
  return file ? new Uint8Array(await file.arrayBuffer()) : null;
}

async function boot(): Promise<void> {
  form.querySelector('button')!.disabled = true;
  const files: Record<string, Uint8Array> = {};
  const kernelFile = await picked(field('kernelFile'));
  const initrdFile = await picked(field('initrdFile'));
  if (kernelFile) files.vmlinuz = kernelFile;
  if (initrdFile) files['initrd.gz'] = initrdFile;
  const url = field('url').value.trim();
  const append = `${field('append').value.trim()}${url ? ` plugboard.url=${url}` : ''}`;
  const net = field('net').value.trim();
  const overrides: Json[] = [
    {
      netdevs: { net0: net ? { type: 'websocket', config: { url: net } } : { type: 'hub' } },
      devices: {
        bios: {
          type: 'linux-direct',
          config: {
            kernel: kernelFile ? 'picked:vmlinuz' : field('kernel').value,
            initrd: initrdFile ? 'picked:initrd.gz' : field('initrd').value,
            append,
          },
        },
        com1: { config: { backend: { type: 'stdio' } } },
      },
    },
  ];
  const status = $('status');
  status.textContent = 'building the machine…';
  const pb = new Plugboard({
    profile: params.get('profile') ?? 'machines/puredarwin-xmas.json',
    overrides,
    element: $('screen'),
    files,
  });
  window.plugboard = pb;
  pb.on('serial-output', (text) => term.write(text));
  pb.on('shutdown', (e) => {
    status.textContent = `stopped: ${e.reason}`;
  });
  pb.on('error', (err) => {
    status.textContent = `error: ${err.message}`;
    term.write(`\r\n\x1b[31m${err.message.replace(/\n/g, '\r\n')}\x1b[0m\r\n`);
  });
  term.onData((data) => pb.sendSerial(data));
  await pb.ready.catch(() => {});
  if (pb.machine)
    status.textContent = `running ${pb.profile?.name} (built in ${pb.timing.buildMs.toFixed(0)} ms)`;
}

form.addEventListener('submit', (e) => {
  e.preventDefault();
  void boot();
});
if (params.get('autostart') === '1') void boot();
