import { type Device, definePlugin, type NetworkBackend, Tokens } from '@plugboard/core';
import { DumpFilter } from './dump.js';
import { Hub } from './hub.js';
import { PcapWriter } from './pcap-writer.js';
import { SegmentView } from './segment.js';
import { SocketBackend, type SocketConfig, socketMode } from './socket-backend.js';

const queueFrames = {
  type: 'integer',
  minimum: 1,
  maximum: 65536,
  default: 256,
  description: 'Frames held per NIC that cannot receive; beyond, frames are dropped and counted.',
};

export type HubConfig = {
  members: string[];
  segment?: string;
  queueFrames: number;
  queueBytes: number;
};

export const hubPlugin = definePlugin<HubConfig, (Hub | SegmentView) & Device>({
  meta: { id: 'hub', name: 'Ethernet hub (QEMU -net hub / vlan=n)' },
  kind: 'netdev',
  configSchema: {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    additionalProperties: false,
    properties: {
      members: {
        type: 'array',
        items: { type: 'string' },
        default: [],
        description:
          'Ids of other netdevs (slirp, socket, ...) to plug into the hub; NICs join by naming the hub.',
      },
      segment: {
        type: 'string',
        minLength: 1,
        description:
          'Process-wide segment name (QEMU vlan number): hubs naming it in several machines of one process are one segment.',
      },
      queueFrames,
      queueBytes: { type: 'integer', minimum: 1514, default: 1048576, description: 'Bytes held per member.' },
    },
  },
  create(ctx, config) {
    const hub = (
      config.segment === undefined
        ? new Hub(ctx.id, config.queueFrames, config.queueBytes)
        : new SegmentView(ctx.id, config.segment, config.queueFrames, config.queueBytes)
    ) as (Hub | SegmentView) & Device;
    const shared = hub instanceof SegmentView ? hub.hub : hub;
    hub.realize = () => {
      for (const name of config.members) {
        if (name === ctx.id) throw new Error(`hub ${ctx.id}: members cannot name the hub itself`);
        hub.attach(ctx.container.get<NetworkBackend>(Tokens.NetworkBackend, { name }));
      }
    };
    hub.destroy = () => hub.close();
    hub.info = () =>
      `hub ${ctx.id}${config.segment ? ` (segment ${config.segment})` : ''}: ${shared.memberCount} members, ${shared.dropped} frames dropped`;
    return hub;
  },
});

export const socketPlugin = definePlugin<SocketConfig, SocketBackend & Device>({
  meta: { id: 'socket', name: 'Socket to another emulator (QEMU -net socket)' },
  kind: 'netdev',
  configSchema: {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    additionalProperties: false,
    description: 'Exactly one of listen, connect, udp, mcast.',
    properties: {
      listen: { type: 'string', description: 'host:port to accept one TCP peer on (empty host: 127.0.0.1).' },
      connect: { type: 'string', description: 'host:port of a TCP peer that listens.' },
      udp: { type: 'string', description: 'host:port of a UDP peer; needs localaddr.' },
      mcast: { type: 'string', description: 'group:port of a UDP multicast segment.' },
      localaddr: { type: 'string', description: 'udp: host:port to receive on; mcast: interface address.' },
      queueFrames,
      sendBuffer: {
        type: 'integer',
        minimum: 0,
        default: 1048576,
        description: 'Bytes a TCP peer may leave unread before frames are dropped.',
      },
    },
  },
  async create(ctx, config) {
    const backend = new SocketBackend(ctx.id, socketMode(config), config, (m) =>
      ctx.log(m),
    ) as SocketBackend & Device;
    await backend.open();
    backend.destroy = () => backend.close();
    backend.info = () =>
      `socket ${ctx.id}: link ${backend.linkUp ? 'up' : 'down'}, dropped ${backend.sendDropped} out, ${backend.receiveDropped} in`;
    return backend;
  },
});

export type DumpConfig = {
  file: string;
  backend: string;
  snaplen: number;
};

export const dumpPlugin = definePlugin<DumpConfig, DumpFilter & Device>({
  meta: { id: 'dump', name: 'Packet capture to a pcap file (QEMU -net dump)' },
  kind: 'netdev',
  configSchema: {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    additionalProperties: false,
    required: ['file', 'backend'],
    properties: {
      file: { type: 'string', description: 'The .pcap file to write, relative to the profile.' },
      backend: {
        type: 'string',
        description: 'Id of the netdev whose traffic is recorded; NICs name the dump.',
      },
      snaplen: { type: 'integer', minimum: 64, maximum: 262144, default: 65535 },
    },
  },
  create(ctx, config) {
    if (config.backend === ctx.id) throw new Error(`dump ${ctx.id}: backend cannot name the dump itself`);
    let inner: NetworkBackend | null = null;
    // Resolved on first use too, since a NIC or hub may connect before this netdev's realize runs.
    const resolve = () => {
      inner ??= ctx.container.get<NetworkBackend>(Tokens.NetworkBackend, { name: config.backend });
      return inner;
    };
    const writer = new PcapWriter(ctx.resolvePath(config.file), config.snaplen);
    const dump = new DumpFilter(ctx.id, resolve, writer, () => ctx.clock.now) as DumpFilter & Device;
    dump.realize = () => {
      resolve();
    };
    dump.destroy = () => dump.close();
    dump.info = () => `dump ${ctx.id}: ${config.backend} -> ${config.file}`;
    return dump;
  },
});
