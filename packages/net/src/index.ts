import type { DevicePlugin } from '@plugboard/core';
import { dumpPlugin, hubPlugin, socketPlugin } from './plugins.js';

export { type HostPort, parseHostPort } from './address.js';
export { DumpFilter } from './dump.js';
export { FrameQueue } from './frame-queue.js';
export { Hub } from './hub.js';
export { PcapWriter } from './pcap-writer.js';
export { type DumpConfig, dumpPlugin, type HubConfig, hubPlugin, socketPlugin } from './plugins.js';
export { SegmentView } from './segment.js';
export { SocketBackend, type SocketConfig, socketMode } from './socket-backend.js';
export { frameForStream, MAX_STREAM_FRAME, StreamDeframer } from './stream-framing.js';

export const plugins: DevicePlugin[] = [hubPlugin, socketPlugin, dumpPlugin];
