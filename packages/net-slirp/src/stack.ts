import type { Clock } from '@plugboard/core';
import type { SlirpConfig, VirtualNet } from './config.js';
import type { VirtualTimers } from './virtual-timers.js';

/** What the protocol handlers need from the Slirp that owns them. */
export interface Stack {
  readonly config: SlirpConfig;
  readonly vnet: VirtualNet;
  readonly clock: Clock;
  readonly timers: VirtualTimers;
  /** Sends an IPv4 datagram to the guest, fragmenting beyond the MTU; `toMac` overrides the guest's MAC. */
  sendIp(proto: number, src: number, dst: number, payload: Uint8Array, toMac?: Uint8Array): void;
  sendUdp(
    src: number,
    srcPort: number,
    dst: number,
    dstPort: number,
    payload: Uint8Array,
    toMac?: Uint8Array,
  ): void;
  /** Takes a free UDP port on the gateway and routes guest datagrams sent to it to `handler`. */
  bindGatewayUdp(handler: GatewayUdpHandler): number;
  unbindGatewayUdp(port: number): void;
  /**
   * True while frames wait for the guest's NIC in half the queue or more: TCP
   * holds new segments back, as a host stack does behind a full device queue,
   * and is called on (`TcpNat.outputReady`) once the NIC has drained it.
   */
  outputBacklogged(): boolean;
  log(message: string): void;
}

export type GatewayUdpHandler = (guestIp: number, guestPort: number, payload: Uint8Array) => void;

export const BROADCAST_MAC = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
/** QEMU's convention: 52:55 then the virtual address, here the gateway's. */
export const SLIRP_MAC = new Uint8Array([0x52, 0x55, 0x0a, 0x00, 0x02, 0x02]);
export const LOOPBACK = 0x7f000001;
