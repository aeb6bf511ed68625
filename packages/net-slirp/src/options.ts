import { ipToString, parseIp } from './bytes.js';
import type { SlirpConfig } from './config.js';

export interface HostFwd {
  proto: 'tcp' | 'udp';
  /** Host address to listen on; 127.0.0.1 when the rule names none. */
  hostAddr: string;
  hostPort: number;
  /** Guest address; null means the first DHCP address. */
  guestAddr: string | null;
  guestPort: number;
}

function port(text: string, what: string, rule: string): number {
  const n = /^\d{1,5}$/.test(text) ? Number(text) : -1;
  if (n < 0 || n > 65535) throw new Error(`${rule}: ${what}: expected a port number 0..65535, got "${text}"`);
  return n;
}

function address(text: string, what: string, rule: string): string | null {
  if (text === '') return null;
  if (parseIp(text) === null) throw new Error(`${rule}: ${what}: expected an IPv4 address, got "${text}"`);
  return text;
}

function proto(text: string, rule: string): 'tcp' | 'udp' {
  if (text === '' || text === 'tcp') return 'tcp';
  if (text === 'udp') return 'udp';
  throw new Error(`${rule}: expected tcp or udp, got "${text}"`);
}

/** QEMU's `hostfwd=[tcp|udp]:[hostaddr]:hostport-[guestaddr]:guestport` (the part after `hostfwd=`). */
export function parseHostFwd(text: string): HostFwd {
  const rule = `hostfwd "${text}"`;
  const m = /^([a-z]*):([^:-]*):([^-]*)-([^:]*):(.*)$/.exec(text);
  if (!m) throw new Error(`${rule}: expected [tcp|udp]:[hostaddr]:hostport-[guestaddr]:guestport`);
  return {
    proto: proto(m[1]!, rule),
    hostAddr: address(m[2]!, 'hostaddr', rule) ?? '127.0.0.1',
    hostPort: port(m[3]!, 'hostport', rule),
    guestAddr: address(m[4]!, 'guestaddr', rule),
    guestPort: port(m[5]!, 'guestport', rule),
  };
}

/** QEMU's old `-redir [tcp|udp]:hostport:[guestaddr]:guestport`, e.g. `tcp:2222::22`. */
export function parseRedir(text: string): HostFwd {
  const rule = `redir "${text}"`;
  const m = /^(?:([a-z]*):)?(\d+):([^:]*):(\d+)$/.exec(text);
  if (!m) throw new Error(`${rule}: expected [tcp|udp]:hostport:[guestaddr]:guestport`);
  return {
    proto: proto(m[1] ?? '', rule),
    hostAddr: '127.0.0.1',
    hostPort: port(m[2]!, 'hostport', rule),
    guestAddr: address(m[3]!, 'guestaddr', rule),
    guestPort: port(m[4]!, 'guestport', rule),
  };
}

/** The hostfwd spelling of a rule, as the config's `hostfwd` list keeps it. */
export function formatHostFwd(f: HostFwd): string {
  return `${f.proto}:${f.hostAddr}:${f.hostPort}-${f.guestAddr ?? ''}:${f.guestPort}`;
}

/** Splits a QEMU option string at commas, where `,,` stands for a comma inside a value. */
export function splitQemuOptions(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === ',' && text[i + 1] === ',') {
      cur += ',';
      i++;
    } else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

function onOff(value: string, key: string): boolean {
  if (value === 'on' || value === 'yes' || value === 'true' || value === '') return true;
  if (value === 'off' || value === 'no' || value === 'false') return false;
  throw new Error(`user: ${key}: expected on or off, got "${value}"`);
}

function netSpec(value: string): string {
  const [addr, mask] = value.split('/');
  if (parseIp(addr ?? '') === null)
    throw new Error(`user: net: expected address[/prefix|/netmask], got "${value}"`);
  if (mask === undefined) return `${addr}/24`;
  if (/^\d{1,2}$/.test(mask)) return `${addr}/${mask}`;
  const m = parseIp(mask);
  const prefix = m === null ? -1 : 32 - Math.log2(2 ** 32 - m);
  if (!Number.isInteger(prefix)) throw new Error(`user: net: "${mask}" is not a netmask`);
  return `${addr}/${prefix}`;
}

export interface UserNetOptions {
  /** `id=` of `-netdev user,id=...`. */
  id?: string;
  /** `vlan=` of the old `-net user,vlan=n`: the hub it joins. */
  vlan?: number;
  config: Partial<SlirpConfig>;
}

/**
 * QEMU's `-net user,...` / `-netdev user,id=...,...` option string (with or
 * without the leading `user`) to this plugin's config. Options QEMU has and
 * Plugboard does not (smb, guestfwd, IPv6) are refused by name.
 */
export function parseUserNetOptions(text: string): UserNetOptions {
  const parts = splitQemuOptions(text);
  if (parts[0] === 'user') parts.shift();
  const result: UserNetOptions = { config: {} };
  const config = result.config;
  const hostfwd: string[] = [];
  for (const part of parts) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const key = eq < 0 ? part : part.slice(0, eq);
    const value = eq < 0 ? '' : part.slice(eq + 1);
    switch (key) {
      case 'id':
        result.id = value;
        break;
      case 'vlan':
        result.vlan = Number(value);
        if (!Number.isInteger(result.vlan)) throw new Error(`user: vlan: expected a number, got "${value}"`);
        break;
      case 'net':
        config.net = netSpec(value);
        break;
      case 'host':
      case 'dns':
      case 'dhcpstart':
        if (parseIp(value) === null)
          throw new Error(`user: ${key}: expected an IPv4 address, got "${value}"`);
        config[key] = ipToString(parseIp(value)!);
        break;
      case 'hostname':
        config.hostname = value;
        break;
      case 'domainname':
        config.domain = value;
        break;
      case 'tftp':
        config.tftp = value;
        break;
      case 'bootfile':
        config.bootfile = value;
        break;
      case 'restrict':
        config.restrict = onOff(value, key);
        break;
      case 'hostfwd':
        hostfwd.push(formatHostFwd(parseHostFwd(value)));
        break;
      case 'ipv4':
        if (!onOff(value, key)) throw new Error('user: ipv4=off: Plugboard user networking is IPv4 only');
        break;
      case 'ipv6':
        if (onOff(value, key)) throw new Error('user: ipv6=on: Plugboard user networking is IPv4 only');
        break;
      default:
        throw new Error(
          `user: option "${key}" is not supported (known: id, net, host, dns, dhcpstart, hostname, domainname, tftp, bootfile, restrict, hostfwd, ipv4, ipv6=off)`,
        );
    }
  }
  if (hostfwd.length) config.hostfwd = hostfwd;
  return result;
}
