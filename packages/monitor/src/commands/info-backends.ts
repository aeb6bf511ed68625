import type { Machine, MachineDevice } from '@plugboard/core';
import { referencesTo } from './references.js';

const indent = (text: string, prefix: string) =>
  text
    .split('\n')
    .map((l) => `${prefix}${l}`)
    .join('\n');

function describe(d: MachineDevice): string {
  return d.device.info?.() ?? `${d.id}: ${d.plugin.meta.name}`;
}

/** Devices whose config names `id` under `key`, each with where it does. */
function usersOf(machine: Machine, key: string, id: string): { device: MachineDevice; paths: string[] }[] {
  return machine.devices
    .filter((d) => d.plugin.kind !== 'drive' && d.plugin.kind !== 'netdev')
    .map((device) => ({ device, paths: referencesTo(device.config, key, id) }))
    .filter((u) => u.paths.length > 0);
}

/**
 * QEMU's `info network`: each netdev (type and its own info lines) with the
 * NICs plugged into it beneath, then NICs on no netdev.
 */
export function infoNetwork(machine: Machine): string {
  const lines: string[] = [];
  const netdevs = machine.devices.filter((d) => d.plugin.kind === 'netdev');
  for (const netdev of netdevs) {
    lines.push(`${netdev.id}: type=${netdev.plugin.meta.id}`);
    if (netdev.device.info) lines.push(indent(netdev.device.info(), '    '));
    for (const { device } of usersOf(machine, 'netdev', netdev.id)) lines.push(` \\ ${describe(device)}`);
  }
  const loose = machine.devices.filter(
    (d) => 'netdev' in d.config && !netdevs.some((n) => n.id === d.config.netdev),
  );
  for (const nic of loose) lines.push(describe(nic));
  return lines.length ? lines.join('\n') : 'no network devices';
}

/** QEMU's `info block`: each drive with its image and the device and slot it is attached to. */
export function infoBlock(machine: Machine): string {
  const lines: string[] = [];
  for (const drive of machine.devices.filter((d) => d.plugin.kind === 'drive')) {
    lines.push(`${drive.id}: ${drive.device.info?.() ?? drive.plugin.meta.name}`);
    const users = usersOf(machine, 'drive', drive.id);
    if (!users.length) lines.push('    Attached to:      nothing');
    for (const { device, paths } of users)
      for (const path of paths) lines.push(`    Attached to:      ${device.id}${path ? ` (${path})` : ''}`);
  }
  return lines.length ? lines.join('\n') : 'no block devices';
}
