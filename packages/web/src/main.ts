import type { Json } from '@plugboard/core';
import { Terminal } from '@xterm/xterm';
import { Plugboard } from './plugboard.js';

/**
 * The page: COM1 on an xterm.js terminal, the screen on a canvas, a form to
 * boot the test guest's kernel (URLs, or files picked from disk) through
 * linux-direct on puredarwin-xmas. `?autostart=1` boots at once; `net=URL`
 * names a net-proxy, `url=URL` a file the guest downloads, `disk=URL` the
 * image hda reads by range requests (its writes kept in IndexedDB), `usb=tablet`
 * adds the PIIX3's UHCI controller and a USB tablet (QEMU's `-usbdevice tablet`).
 * The running machine is `window.plugboard`.
 */
declare global {
  interface Window {
    plugboard?: Plugboard;
    /** The Plugboard class, for scripts that embed without a bundler of their own. */
    Plugboard?: typeof Plugboard;
  }
}

window.Plugboard = Plugboard;

const params = new URLSearchParams(location.search);
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const form = $<HTMLFormElement>('boot');
const field = (name: string) => form.elements.namedItem(name) as HTMLInputElement;
for (const name of ['firmware', 'kernel', 'initrd', 'append', 'net', 'url', 'disk'])
  if (params.has(name)) field(name).value = params.get(name)!;

const term = new Terminal({ convertEol: false, cols: 100, rows: 30, scrollback: 5000 });
term.open($('terminal'));

async function picked(input: HTMLInputElement): Promise<Uint8Array | null> {
  const file = input.files?.[0];
  return file ? new Uint8Array(await file.arrayBuffer()) : null;
}

/**
 * The firmware entry: linux-direct (the default), or with `firmware=seabios`
 * the profile's SeaBIOS (the VGA BIOS draws its screen), which boots the
 * kernel through fw_cfg when one is named and otherwise tries its devices.
 */
function bios(kernel: string, initrd: string, append: string): Json {
  const linux = kernel ? { kernel, ...(initrd ? { initrd } : {}), append } : {};
  if (field('firmware').value === 'seabios') return { type: 'seabios', config: linux };
  return { type: 'linux-direct', config: linux };
}

async function boot(): Promise<void> {
  form.querySelector('button')!.disabled = true;
  const files: Record<string, Uint8Array> = {};
  const kernelFile = await picked(field('kernelFile'));
  const initrdFile = await picked(field('initrdFile'));
  if (kernelFile) files.vmlinuz = kernelFile;
  if (initrdFile) files['initrd.gz'] = initrdFile;
  const diskFile = await picked(field('diskFile'));
  if (diskFile) files.disk = diskFile;
  const disk = diskFile ? 'picked:disk' : field('disk').value.trim();
  const url = field('url').value.trim();
  const append = `${field('append').value.trim()}${url ? ` plugboard.url=${url}` : ''}`;
  const net = field('net').value.trim();
  const overrides: Json[] = [
    {
      // The network is on the host, answering in host time: pacing keeps the guest's clock from
      // running ahead of it (an idle guest would jump through its timeouts faster than replies come).
      // While the guest's clock lags the host's, as in a boot, a halted guest still jumps.
      ...(net ? { clock: { pace: true } } : {}),
      netdevs: { net0: net ? { type: 'websocket', config: { url: net } } : { type: 'hub' } },
      devices: {
        ...(disk ? { ide: { config: { primary: { master: { drive: 'hda', media: 'disk' } } } } } : {}),
        // QEMU's -usbdevice tablet: the PIIX3's USB function where pc puts it, the tablet on its bus.
        ...(params.get('usb') === 'tablet'
          ? { usb: { type: 'piix3-usb-uhci', pci: '00:01.2' }, tablet: { type: 'usb-tablet' } }
          : {}),
        bios: bios(
          kernelFile ? 'picked:vmlinuz' : field('kernel').value.trim(),
          initrdFile ? 'picked:initrd.gz' : field('initrd').value.trim(),
          append,
        ),
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
    ...(disk ? { disks: { hda: disk } } : {}),
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
  if (pb.drives.some((d) => d.id === 'hda')) showDiskButtons(pb);
  if (pb.name) status.textContent = `running ${pb.name} (built in ${pb.timing.buildMs.toFixed(0)} ms)`;
}

/** The disk's buttons: download the image with the guest's writes, or forget them (kept in IndexedDB). */
function showDiskButtons(pb: Plugboard): void {
  const download = $<HTMLButtonElement>('download');
  const reset = $<HTMLButtonElement>('reset');
  download.hidden = false;
  reset.hidden = false;
  download.onclick = async () => {
    const link = document.createElement('a');
    link.href = URL.createObjectURL(new Blob([(await pb.changedImage('hda')) as Uint8Array<ArrayBuffer>]));
    link.download = 'disk.img';
    link.click();
  };
  reset.onclick = async () => {
    if (!confirm('Stop the machine and forget every write to this disk image?')) return;
    await pb.resetDisks();
    reset.hidden = true;
    download.hidden = true;
    $('status').textContent = 'stopped: the disk is back to its image';
    form.querySelector('button')!.disabled = false;
  };
}

form.addEventListener('submit', (e) => {
  e.preventDefault();
  void boot();
});
if (params.get('autostart') === '1') void boot();
