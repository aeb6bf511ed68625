import { ipToString, parseIp } from './bytes.js';

export type SlirpLimits = {
  /** TCP connections at once (guest-initiated and forwarded). */
  maxConnections: number;
  /** UDP host sockets at once (NAT bindings and DNS queries in flight). */
  maxUdpSockets: number;
  /** Bytes per TCP connection held from the host for the guest; beyond, the host socket is paused. */
  tcpSendBuffer: number;
  /** Bytes per TCP connection waiting in the host socket before the guest is told the window is shut. */
  tcpReceiveBuffer: number;
  /** Frames held for a NIC that cannot receive. */
  queueFrames: number;
  /** Bytes held by IPv4 fragment reassembly. */
  fragmentMemory: number;
  maxTftpSessions: number;
};

export type SlirpConfig = {
  net: string;
  host: string;
  dns: string;
  dhcpstart: string;
  hostname?: string;
  domain?: string;
  tftp?: string;
  bootfile?: string;
  hostfwd: string[];
  restrict: boolean;
  /** Let the guest reach the emulator's own listeners (monitor, VNC) through the gateway; off by default. */
  allowEmulatorPorts?: boolean;
  /** Name answered locally with the host's address. */
  hostAlias: string;
  /** host:port of the resolver queries are forwarded to; default: first nameserver of /etc/resolv.conf. */
  resolver?: string;
  /** Seconds of silence after which a UDP NAT binding's host socket closes (host time). */
  udpTimeout: number;
  /** Milliseconds to wait for the host resolver (host time). */
  dnsTimeout: number;
  limits: SlirpLimits;
};

export const slirpConfigSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  additionalProperties: false,
  properties: {
    net: {
      type: 'string',
      default: '10.0.2.0/24',
      description: 'The virtual network, address/prefix (QEMU net=).',
    },
    host: {
      type: 'string',
      default: '10.0.2.2',
      description: 'Gateway; stands for the host loopback (QEMU host=).',
    },
    dns: { type: 'string', default: '10.0.2.3', description: 'Virtual DNS server (QEMU dns=).' },
    dhcpstart: { type: 'string', default: '10.0.2.15', description: 'First address DHCP hands out.' },
    hostname: { type: 'string', maxLength: 255, description: 'Host name DHCP gives the guest (option 12).' },
    domain: { type: 'string', maxLength: 255, description: 'Domain name DHCP gives the guest (option 15).' },
    tftp: {
      type: 'string',
      description: 'Folder served read-only by TFTP at the gateway, relative to the profile.',
    },
    bootfile: {
      type: 'string',
      maxLength: 127,
      description: 'Boot file name for PXE (DHCP file field, option 67).',
    },
    hostfwd: {
      type: 'array',
      items: { type: 'string' },
      default: [],
      description: 'Forwards in QEMU spelling: "tcp:[hostaddr]:hostport-[guestaddr]:guestport" or "udp:...".',
    },
    restrict: {
      type: 'boolean',
      default: false,
      description: 'Isolate the guest: no outbound connections, only forwards.',
    },
    allowEmulatorPorts: {
      type: 'boolean',
      default: false,
      description:
        "Let the guest connect to the emulator's own listening ports (monitor, VNC) through the gateway. Off: a guest could drive the monitor.",
    },
    hostAlias: {
      type: 'string',
      default: 'host.internal',
      description: 'Name resolved locally to the gateway.',
    },
    resolver: { type: 'string', description: 'host:port to forward DNS to (default: /etc/resolv.conf).' },
    udpTimeout: { type: 'number', minimum: 1, default: 60 },
    dnsTimeout: { type: 'number', minimum: 10, default: 5000 },
    limits: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        maxConnections: { type: 'integer', minimum: 1, default: 256 },
        maxUdpSockets: { type: 'integer', minimum: 1, default: 64 },
        tcpSendBuffer: { type: 'integer', minimum: 4096, default: 262144 },
        tcpReceiveBuffer: { type: 'integer', minimum: 4096, default: 262144 },
        queueFrames: { type: 'integer', minimum: 8, default: 512 },
        fragmentMemory: { type: 'integer', minimum: 65536, default: 262144 },
        maxTftpSessions: { type: 'integer', minimum: 1, default: 16 },
      },
    },
  },
} as const;

export const DEFAULT_LIMITS: SlirpLimits = {
  maxConnections: 256,
  maxUdpSockets: 64,
  tcpSendBuffer: 262144,
  tcpReceiveBuffer: 262144,
  queueFrames: 512,
  fragmentMemory: 262144,
  maxTftpSessions: 16,
};

/** The config with every default, for callers that build a Slirp without the plugin registry. */
export function withDefaults(config: Partial<SlirpConfig>): SlirpConfig {
  return {
    net: '10.0.2.0/24',
    host: '10.0.2.2',
    dns: '10.0.2.3',
    dhcpstart: '10.0.2.15',
    hostfwd: [],
    restrict: false,
    hostAlias: 'host.internal',
    udpTimeout: 60,
    dnsTimeout: 5000,
    ...config,
    limits: { ...DEFAULT_LIMITS, ...config.limits },
  };
}

/** Addresses of the virtual network, as numbers. */
export interface VirtualNet {
  network: number;
  mask: number;
  prefix: number;
  host: number;
  dns: number;
  dhcpStart: number;
  broadcast: number;
}

export function resolveNet(config: SlirpConfig): VirtualNet {
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(config.net);
  const base = m ? parseIp(m[1]!) : null;
  const prefix = m ? Number(m[2]) : -1;
  if (base === null || prefix < 8 || prefix > 30) {
    throw new Error(
      `slirp: net: expected address/prefix with prefix 8..30 such as 10.0.2.0/24, got "${config.net}"`,
    );
  }
  const mask = (0xffffffff << (32 - prefix)) >>> 0;
  const network = (base & mask) >>> 0;
  const inside = (field: 'host' | 'dns' | 'dhcpstart'): number => {
    const ip = parseIp(config[field]);
    if (ip === null || (ip & mask) >>> 0 !== network) {
      throw new Error(
        `slirp: ${field}: expected an address inside ${ipToString(network)}/${prefix}, got "${config[field]}"`,
      );
    }
    return ip;
  };
  return {
    network,
    mask,
    prefix,
    host: inside('host'),
    dns: inside('dns'),
    dhcpStart: inside('dhcpstart'),
    broadcast: (network | ~mask) >>> 0,
  };
}
