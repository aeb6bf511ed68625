import type { Device, Machine, PageMapping } from '@plugboard/core';
import { MonitorError } from '../command.js';

const hex16 = (n: number) => n.toString(16).padStart(16, '0');

function mappings(machine: Machine, command: string): PageMapping[] | null {
  const walk = machine.cpu?.debug?.pageMappings;
  if (!walk) throw new MonitorError(`info ${command}: the CPU offers no page-table walk`);
  return walk();
}

/** QEMU's `info tlb`: every present page, `LINEAR: PHYSICAL FLAGS`, both as 16 hex digits. */
export function infoTlb(machine: Machine): string {
  const pages = mappings(machine, 'tlb');
  if (pages === null) return 'PG disabled';
  return pages.map((p) => `${hex16(p.linear)}: ${hex16(p.physical)} ${p.flags}`).join('\n');
}

/**
 * QEMU's `info mem`: runs of linear addresses with the same access (every
 * level of the walk together), `START-END SIZE urw`, merged as QEMU merges
 * them (by access alone, not by physical contiguity).
 */
export function infoMem(machine: Machine): string {
  const pages = mappings(machine, 'mem');
  if (pages === null) return 'PG disabled';
  const lines: string[] = [];
  let start = -1;
  let end = -1;
  let prot = '';
  const flush = () => {
    if (start >= 0) lines.push(`${hex16(start)}-${hex16(end)} ${hex16(end - start)} ${prot}`);
  };
  for (const p of pages) {
    const access = `${p.user ? 'u' : '-'}r${p.writable ? 'w' : '-'}`;
    if (p.linear !== end || access !== prot) {
      flush();
      start = p.linear;
      prot = access;
    }
    end = p.linear + p.size;
  }
  flush();
  return lines.join('\n');
}

/** QEMU's `info irq`: how often each ISA line rose since power-on (lines that never did are left out). */
export function infoIrq(machine: Machine): string {
  const lines = ['IRQ statistics (ISA lines, rising edges):'];
  for (let n = 0; n < machine.isaIrqs.count; n++) {
    const count = machine.isaIrqs.risesOf(n);
    if (count > 0) lines.push(`${n.toString().padStart(2)}: ${count}`);
  }
  return lines.join('\n');
}

/** QEMU's `info pic`: the interrupt controller that answers the CPU's INTA (the 8259 pair on a PC), as it describes itself. */
export function infoPic(machine: Machine): string {
  const controller = machine.cpuPins.intController as Device | null;
  if (!controller) return 'no interrupt controller answers INTA';
  return controller.info?.() ?? 'the interrupt controller has no state to show';
}
