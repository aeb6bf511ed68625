import type { InfoCommand } from '../command.js';
import { infoBlock, infoNetwork } from './info-backends.js';
import { infoIrq, infoMem, infoPic, infoTlb } from './info-cpu.js';
import { infoPci } from './info-pci.js';
import { infoSnapshots } from './snapshots.js';

const seconds = (ns: number) => (ns / 1e9).toFixed(6);

/** `info` subcommands, in the order `info` lists them. */
export const INFO_COMMANDS: readonly InfoCommand[] = [
  { name: 'block', help: 'show the block devices', run: infoBlock },
  { name: 'irq', help: 'show how often each ISA interrupt line rose', run: infoIrq },
  {
    name: 'jit',
    help: 'show what the CPU translated',
    run: (machine) => machine.cpu?.jitInfo?.() ?? 'no translator',
  },
  { name: 'mem', help: 'show the active virtual memory mappings', run: infoMem },
  { name: 'network', help: 'show the network state', run: infoNetwork },
  { name: 'pci', help: 'show PCI info', run: infoPci },
  { name: 'pic', help: 'show the state of the interrupt controller that answers INTA', run: infoPic },
  {
    name: 'qtree',
    help: 'show every device with its own info lines',
    run: (machine) =>
      machine.devices
        .map((d) => {
          const head = `dev: ${d.plugin.meta.id}, id "${d.id}"`;
          const info = d.device.info?.();
          return info ? `${head}\n${info.replace(/^/gm, '  ')}` : head;
        })
        .join('\n'),
  },
  {
    name: 'registers',
    help: 'show the cpu registers',
    run: (machine) => machine.cpu?.info() ?? 'no CPU',
  },
  { name: 'snapshots', help: 'show the saved snapshots of this machine', run: infoSnapshots },
  {
    name: 'status',
    help: 'show the current VM status (running|paused) and virtual time',
    run: (machine) =>
      `VM status: ${machine.isPaused ? 'paused' : 'running'}\n` +
      `virtual time ${seconds(machine.clock.now)} s, ${seconds(machine.clock.skipped)} s of it skipped by fast-forward`,
  },
  { name: 'tlb', help: 'show the page table mappings, one page a line', run: infoTlb },
];
