import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildMachine,
  definePlugin,
  loadProfile,
  type NetworkBackend,
  type NetworkPort,
  PluginRegistry,
  Tokens,
} from '@plugboard/core';
import { describe, expect, it } from 'vitest';
import { plugins } from '../src/index.js';
import { FakeNic, frame } from './helpers.js';

/** A NIC stand-in as a device plugin: plugs into its netdev at realize, like the NIC models do. */
const testNic = definePlugin<{ netdev: string }, { nic: FakeNic; port: NetworkPort | null; realize(): void }>(
  {
    meta: { id: 'testnic', name: 'test NIC' },
    kind: 'isa',
    configSchema: { type: 'object', properties: { netdev: { type: 'string' } }, additionalProperties: false },
    create(ctx, config) {
      const device = {
        nic: new FakeNic(),
        port: null as NetworkPort | null,
        realize() {
          device.port = ctx.container
            .get<NetworkBackend>(Tokens.NetworkBackend, { name: config.netdev })
            .connect(device.nic);
        },
      };
      return device;
    },
  },
);

describe('hub segments shared by machines of one process', () => {
  it('two machines built from profiles talk over a named segment, and leave it cleanly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pb-seg-'));
    const registry = new PluginRegistry();
    registry.addPackage({ plugins: [...plugins, testNic as never] });
    const machines = [];
    for (const name of ['a', 'b']) {
      const file = join(dir, `${name}.json`);
      writeFileSync(
        file,
        JSON.stringify({
          name,
          memory: '1M',
          netdevs: { lan: { type: 'hub', config: { segment: 'seg-test' } } },
          devices: { nic: { type: 'testnic', config: { netdev: 'lan' } } },
        }),
      );
      machines.push(await buildMachine(loadProfile(file), registry));
    }
    const [a, b] = machines.map((m) => m.device<{ nic: FakeNic; port: NetworkPort }>('nic')!);
    a!.port.send(frame(60, 0xa1));
    b!.port.send(frame(60, 0xb2));
    expect(b!.nic.received.map((f) => f[0])).toEqual([0xa1]);
    expect(a!.nic.received.map((f) => f[0])).toEqual([0xb2]);
    await machines[1]!.destroy();
    a!.port.send(frame(60, 0xa3));
    expect(b!.nic.received).toHaveLength(1);
    await machines[0]!.destroy();
  });
});
