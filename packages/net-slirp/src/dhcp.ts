import { be32, ipToString, put16, put32 } from './bytes.js';
import { BROADCAST_MAC, type Stack } from './stack.js';

export const DHCP_SERVER_PORT = 67;
const DHCP_CLIENT_PORT = 68;
const MAGIC_COOKIE = 0x63825363;

const DHCPDISCOVER = 1;
const DHCPOFFER = 2;
const DHCPREQUEST = 3;
const DHCPDECLINE = 4;
const DHCPACK = 5;
const DHCPNAK = 6;
const DHCPRELEASE = 7;
const DHCPINFORM = 8;

const OPT_PAD = 0;
const OPT_SUBNET_MASK = 1;
const OPT_ROUTER = 3;
const OPT_DNS = 6;
const OPT_HOSTNAME = 12;
const OPT_DOMAIN = 15;
const OPT_REQUESTED_IP = 50;
const OPT_LEASE_TIME = 51;
const OPT_MESSAGE_TYPE = 53;
const OPT_SERVER_ID = 54;
const OPT_TFTP_SERVER = 66;
const OPT_BOOTFILE = 67;
const OPT_END = 255;

const LEASE_SECONDS = 86400;
/** QEMU hands out 16 addresses from dhcpstart. */
export const LEASE_COUNT = 16;

export interface DhcpRequest {
  xid: number;
  flags: number;
  ciaddr: number;
  chaddr: Uint8Array;
  type: number;
  requestedIp: number | null;
  serverId: number | null;
}

/**
 * Reads a BOOTREQUEST and the options that matter. Every option length is
 * checked against the packet and the option's expected size; a malformed
 * message (no cookie, no or bad message type, an option running off the end)
 * is null, and an option of the wrong size is ignored as if absent.
 */
export function parseDhcp(b: Uint8Array): DhcpRequest | null {
  if (b.length < 240 || b[0] !== 1 || b[1] !== 1 || b[2] !== 6) return null;
  if (be32(b, 236) !== MAGIC_COOKIE) return null;
  const req: DhcpRequest = {
    xid: be32(b, 4),
    flags: (b[10]! << 8) | b[11]!,
    ciaddr: be32(b, 12),
    chaddr: b.slice(28, 34),
    type: 0,
    requestedIp: null,
    serverId: null,
  };
  let at = 240;
  while (at < b.length) {
    const code = b[at]!;
    if (code === OPT_END) break;
    if (code === OPT_PAD) {
      at++;
      continue;
    }
    if (at + 1 >= b.length) return null;
    const len = b[at + 1]!;
    const body = at + 2;
    if (body + len > b.length) return null;
    if (code === OPT_MESSAGE_TYPE && len === 1) req.type = b[body]!;
    else if (code === OPT_REQUESTED_IP && len === 4) req.requestedIp = be32(b, body);
    else if (code === OPT_SERVER_ID && len === 4) req.serverId = be32(b, body);
    at = body + len;
  }
  return req.type >= DHCPDISCOVER && req.type <= DHCPINFORM ? req : null;
}

function macKey(mac: Uint8Array): string {
  return Array.from(mac, (x) => x.toString(16).padStart(2, '0')).join(':');
}

/**
 * QEMU user networking's DHCP server: 16 leases from dhcpstart, the gateway as
 * router, server id and next-server, the virtual DNS, and PXE's boot file.
 */
export class DhcpServer {
  /** MAC per lease slot, '' when free. */
  private readonly leases: string[] = new Array(LEASE_COUNT).fill('');
  private readonly encoder = new TextEncoder();

  constructor(private readonly stack: Stack) {}

  reset(): void {
    this.leases.fill('');
  }

  /** The address leased to `mac`, if any. */
  leaseOf(mac: Uint8Array): number | null {
    const i = this.leases.indexOf(macKey(mac));
    return i < 0 ? null : (this.stack.vnet.dhcpStart + i) >>> 0;
  }

  handle(payload: Uint8Array): void {
    const req = parseDhcp(payload);
    if (!req) return;
    const key = macKey(req.chaddr);
    const { vnet } = this.stack;
    const slotOf = (ip: number): number => {
      const i = ip - vnet.dhcpStart;
      return i >= 0 && i < LEASE_COUNT && ip !== vnet.broadcast && (ip & vnet.mask) >>> 0 === vnet.network
        ? i
        : -1;
    };
    switch (req.type) {
      case DHCPDISCOVER: {
        let slot = this.leases.indexOf(key);
        if (slot < 0 && req.requestedIp !== null) {
          const want = slotOf(req.requestedIp);
          if (want >= 0 && this.leases[want] === '') slot = want;
        }
        if (slot < 0) slot = this.leases.indexOf('');
        if (slot < 0) {
          this.stack.log('dhcp: no free address for a DISCOVER');
          return;
        }
        this.reply(req, DHCPOFFER, (vnet.dhcpStart + slot) >>> 0);
        return;
      }
      case DHCPREQUEST: {
        if (req.serverId !== null && req.serverId !== vnet.host) {
          const mine = this.leases.indexOf(key);
          if (mine >= 0) this.leases[mine] = '';
          return;
        }
        const ip = req.requestedIp ?? req.ciaddr;
        const slot = slotOf(ip);
        if (slot < 0 || (this.leases[slot] !== '' && this.leases[slot] !== key)) {
          this.reply(req, DHCPNAK, 0);
          return;
        }
        const old = this.leases.indexOf(key);
        if (old >= 0 && old !== slot) this.leases[old] = '';
        this.leases[slot] = key;
        this.reply(req, DHCPACK, ip);
        return;
      }
      case DHCPDECLINE:
      case DHCPRELEASE: {
        const slot = this.leases.indexOf(key);
        if (slot >= 0) this.leases[slot] = '';
        return;
      }
      case DHCPINFORM:
        this.reply(req, DHCPACK, 0);
        return;
    }
  }

  private reply(req: DhcpRequest, type: number, yiaddr: number): void {
    const { config, vnet } = this.stack;
    const b = new Uint8Array(576);
    b[0] = 2;
    b[1] = 1;
    b[2] = 6;
    put32(b, 4, req.xid);
    put16(b, 10, req.flags & 0x8000);
    if (type !== DHCPNAK) {
      put32(b, 12, req.type === DHCPINFORM ? req.ciaddr : 0);
      put32(b, 16, yiaddr);
      put32(b, 20, vnet.host);
    }
    b.set(req.chaddr, 28);
    const bootfile = type === DHCPNAK ? undefined : config.bootfile;
    if (bootfile) b.set(this.encoder.encode(bootfile).subarray(0, 127), 108);
    put32(b, 236, MAGIC_COOKIE);
    let at = 240;
    const option = (code: number, body: Uint8Array) => {
      const len = Math.min(body.length, 255, b.length - at - 3);
      b[at] = code;
      b[at + 1] = len;
      b.set(body.subarray(0, len), at + 2);
      at += 2 + len;
    };
    const ipOption = (code: number, ip: number) => {
      const v = new Uint8Array(4);
      put32(v, 0, ip);
      option(code, v);
    };
    option(OPT_MESSAGE_TYPE, new Uint8Array([type]));
    ipOption(OPT_SERVER_ID, vnet.host);
    if (type !== DHCPNAK) {
      if (req.type !== DHCPINFORM) ipOption(OPT_LEASE_TIME, LEASE_SECONDS);
      ipOption(OPT_SUBNET_MASK, vnet.mask);
      ipOption(OPT_ROUTER, vnet.host);
      ipOption(OPT_DNS, vnet.dns);
      if (config.hostname) option(OPT_HOSTNAME, this.encoder.encode(config.hostname));
      if (config.domain) option(OPT_DOMAIN, this.encoder.encode(config.domain));
      if (config.tftp || bootfile) option(OPT_TFTP_SERVER, this.encoder.encode(ipToString(vnet.host)));
      if (bootfile) option(OPT_BOOTFILE, this.encoder.encode(bootfile));
    }
    b[at++] = OPT_END;
    const packet = b.subarray(0, Math.max(300, at));
    const unicast = req.type === DHCPINFORM ? req.ciaddr : yiaddr;
    const broadcast = type === DHCPNAK || (req.flags & 0x8000) !== 0 || unicast === 0;
    const dst = broadcast ? 0xffffffff : unicast;
    this.stack.sendUdp(
      vnet.host,
      DHCP_SERVER_PORT,
      dst,
      DHCP_CLIENT_PORT,
      packet,
      broadcast ? BROADCAST_MAC : req.chaddr,
    );
  }
}
