import { fileURLToPath } from 'node:url';
import {
  loadProfile,
  loadSnapshot,
  type Machine,
  readSnapshot,
  type SnapshotService,
  Tokens,
  writeSnapshot,
} from '@plugboard/core';
import { afterEach, describe, expect, it } from 'vitest';
import { Monitor } from '../src/index.js';
import { puredarwinXmas } from './machine.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
let machine: Machine | null = null;

afterEach(async () => {
  await machine?.destroy();
  machine = null;
});

/** Snapshots kept in memory, as a front end keeps them in files. */
function memorySnapshots(m: Machine): SnapshotService {
  const profile = loadProfile(`${root}machines/puredarwin-xmas.json`);
  const kept = new Map<string, Buffer>();
  return {
    location: 'memory',
    save(name) {
      kept.set(name, writeSnapshot(m, profile, name));
      return `memory/${name}`;
    },
    load(name) {
      const bytes = kept.get(name);
      if (!bytes) throw new Error(`no snapshot named ${name}`);
      loadSnapshot(m, profile, readSnapshot(bytes, name), name);
    },
    list: () =>
      [...kept].map(([name, bytes]) => {
        const { header } = readSnapshot(bytes, name);
        return {
          name,
          date: header.date,
          virtualNs: header.virtualNs,
          instructions: header.instructions,
          bytes: bytes.length,
        };
      }),
    remove: (name) => kept.delete(name),
  };
}

describe('savevm, loadvm, delvm, info snapshots', () => {
  it('loadvm puts the machine back where savevm found it', { timeout: 300_000 }, async () => {
    machine = await puredarwinXmas();
    machine.container.bind(Tokens.Snapshots).toConstantValue(memorySnapshots(machine));
    const monitor = new Monitor(machine);
    await machine.run({ maxInstructions: 200_000 });
    const registers = await monitor.execute('info registers');
    expect(await monitor.execute('savevm early')).toBe('saved memory/early');
    expect(await monitor.execute('info snapshots')).toMatch(/^early +\d+\.\d MiB .* 200000$/m);
    await machine.run({ maxInstructions: 300_000 });
    expect(await monitor.execute('info registers')).not.toBe(registers);
    expect(await monitor.execute('loadvm early')).toBe('');
    expect(await monitor.execute('info registers')).toBe(registers);
    expect(machine.retired).toBe(200_000);
    expect(await monitor.execute('delvm early')).toBe('');
    expect(await monitor.execute('delvm early')).toBe('delvm: no snapshot named early');
    expect(await monitor.execute('info snapshots')).toBe('There is no snapshot available (in memory).');
  });

  it('says so where the front end keeps no snapshots', { timeout: 120_000 }, async () => {
    machine = await puredarwinXmas();
    const monitor = new Monitor(machine);
    expect(await monitor.execute('savevm x')).toBe('savevm: this front end keeps no snapshots');
    expect(await monitor.execute('loadvm')).toMatch(/loadvm: /);
  });
});
