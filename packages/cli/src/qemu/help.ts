import { VERSION } from '../version.js';
import type { Catalog } from './catalog.js';
import { supportedOptionsText } from './options.js';

/** The machines `-M` takes (the base profiles in machines/), with QEMU's aliases of `pc`. */
export const QEMU_MACHINES: Record<string, string> = {
  pc: 'Standard PC (i440FX + PIIX, 1996), as QEMU 0.x presented it (default); aliases pc-i440fx-*, pc-0.10, pc-0.11',
  bare: 'A CPU, RAM, a ROM at the reset vector and debug ports: for CPU test programs',
};

const rows = (items: [string, string][]) => items.map(([n, d]) => `${n.padEnd(20)} ${d}`).join('\n');

/** What QEMU prints for `-M help`, `-cpu help`, `-device help`, `-net nic,model=help`, `-vga help`, `-h`, `-version`. */
export function helpText(
  topic: 'machine' | 'cpu' | 'device' | 'nic' | 'vga' | 'options' | 'version',
  catalog: Catalog,
): string {
  switch (topic) {
    case 'machine':
      return `Supported machines are:\n${rows(Object.entries(QEMU_MACHINES))}\n`;
    case 'cpu':
      return `Available CPUs:\n${catalog.cpuModels.map((m) => `x86 ${m}`).join('\n')}\n`;
    case 'device':
      return `Devices (plugins; -device NAME[,addr=DD.F][,FIELD=VALUE...]):\n${rows(
        catalog.devices.map((p) => [p.meta.id, `${p.kind}, ${p.meta.name}`]),
      )}\nisa-debugcon         isa, QEMU's name for debugcon (iobase=N)\n`;
    case 'nic':
      return `Supported NIC models:\n${catalog.nics.map((p) => p.meta.id).join('\n')}\n`;
    case 'vga':
      return `Supported VGA cards:\n${rows([...[...catalog.vgas].map(([n, p]): [string, string] => [n, p.meta.name]), ['none', 'no VGA card']])}\n`;
    case 'options':
      return `usage: plugboard qemu [options] [disk_image]\n\nQEMU's options, mapped onto Plugboard's machines/pc.json:\n${supportedOptionsText()}\n`;
    case 'version':
      return `Plugboard ${VERSION} (QEMU command-line front end: plugboard qemu)\n`;
  }
}
