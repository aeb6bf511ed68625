import { type Machine, type SnapshotService, Tokens } from '@plugboard/core';
import { type MonitorCommand, MonitorError } from '../command.js';

function service(machine: Machine, command: string): SnapshotService {
  if (!machine.container.isBound(Tokens.Snapshots))
    throw new MonitorError(`${command}: this front end keeps no snapshots`);
  return machine.container.get<SnapshotService>(Tokens.Snapshots);
}

function named(command: string, name: string | undefined): string {
  if (!name) throw new MonitorError(`${command}: expected a snapshot name`);
  return name;
}

/** QEMU's `savevm`, `loadvm` and `delvm`; the files live where the front end says (`info snapshots`). */
export const SNAPSHOT_COMMANDS: readonly MonitorCommand[] = [
  {
    name: 'savevm',
    args: 'NAME',
    help: 'save the whole machine as snapshot NAME',
    run(machine, [name]) {
      const file = service(machine, 'savevm').save(named('savevm', name));
      return `saved ${file}`;
    },
  },
  {
    name: 'loadvm',
    args: 'NAME',
    help: 'restore the machine from snapshot NAME',
    run(machine, [name]) {
      service(machine, 'loadvm').load(named('loadvm', name));
      machine.wake();
      return '';
    },
  },
  {
    name: 'delvm',
    args: 'NAME',
    help: 'delete snapshot NAME',
    run(machine, [name]) {
      if (!service(machine, 'delvm').remove(named('delvm', name)))
        throw new MonitorError(`delvm: no snapshot named ${name}`);
      return '';
    },
  },
];

/** `info snapshots`: QEMU's columns, with the instruction count Plugboard adds. */
export function infoSnapshots(machine: Machine): string {
  const s = service(machine, 'info snapshots');
  const list = s.list();
  if (!list.length) return `There is no snapshot available (in ${s.location}).`;
  const rows = list.map((e) =>
    [
      e.name.padEnd(16),
      `${(e.bytes / 2 ** 20).toFixed(1)} MiB`.padStart(12),
      e.date.replace('T', ' ').slice(0, 19),
      `${(e.virtualNs / 1e9).toFixed(6)} s`.padStart(16),
      String(e.instructions).padStart(14),
    ].join(' '),
  );
  return [
    `List of snapshots in ${s.location}:`,
    `${'TAG'.padEnd(16)} ${'SIZE'.padStart(12)} ${'DATE'.padEnd(19)} ${'VM CLOCK'.padStart(16)} ${'INSTRUCTIONS'.padStart(14)}`,
    ...rows,
  ].join('\n');
}
