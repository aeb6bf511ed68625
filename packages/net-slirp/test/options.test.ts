import { PluginRegistry } from '@plugboard/core';
import { describe, expect, it } from 'vitest';
import {
  parseHostFwd,
  parseRedir,
  parseUserNetOptions,
  slirpPlugin,
  splitQemuOptions,
} from '../src/index.js';

describe('QEMU spellings', () => {
  it('parses hostfwd rules', () => {
    expect(parseHostFwd('tcp::2222-:22')).toEqual({
      proto: 'tcp',
      hostAddr: '127.0.0.1',
      hostPort: 2222,
      guestAddr: null,
      guestPort: 22,
    });
    expect(parseHostFwd('udp:0.0.0.0:5353-10.0.2.20:53')).toEqual({
      proto: 'udp',
      hostAddr: '0.0.0.0',
      hostPort: 5353,
      guestAddr: '10.0.2.20',
      guestPort: 53,
    });
    expect(parseHostFwd(':127.0.0.1:80-:8080').proto).toBe('tcp');
    expect(() => parseHostFwd('sctp::1-:2')).toThrow(/expected tcp or udp/);
    expect(() => parseHostFwd('tcp::99999-:22')).toThrow(/hostport/);
    expect(() => parseHostFwd('tcp:host:1-:22')).toThrow(/hostaddr/);
    expect(() => parseHostFwd('tcp::22')).toThrow(/expected \[tcp\|udp\]/);
  });

  it('parses the old -redir spelling', () => {
    expect(parseRedir('tcp:2222::22')).toEqual({
      proto: 'tcp',
      hostAddr: '127.0.0.1',
      hostPort: 2222,
      guestAddr: null,
      guestPort: 22,
    });
    expect(parseRedir('udp:5555:10.0.2.15:55').guestAddr).toBe('10.0.2.15');
    expect(parseRedir('8080::80').proto).toBe('tcp');
    expect(() => parseRedir('tcp:2222-:22')).toThrow(/redir/);
  });

  it('parses -netdev user option strings into the plugin config', () => {
    const o = parseUserNetOptions(
      'user,id=net0,net=192.168.76.0/255.255.255.0,dhcpstart=192.168.76.9,hostname=pd,domainname=lan,tftp=/srv/tftp,bootfile=pxelinux.0,hostfwd=tcp::2222-:22,hostfwd=udp::69-:69,restrict=on',
    );
    expect(o.id).toBe('net0');
    expect(o.config).toEqual({
      net: '192.168.76.0/24',
      dhcpstart: '192.168.76.9',
      hostname: 'pd',
      domain: 'lan',
      tftp: '/srv/tftp',
      bootfile: 'pxelinux.0',
      hostfwd: ['tcp:127.0.0.1:2222-:22', 'udp:127.0.0.1:69-:69'],
      restrict: true,
    });
    expect(parseUserNetOptions('vlan=1,net=10.9.0.0').vlan).toBe(1);
    expect(parseUserNetOptions('hostname=a,,b').config.hostname).toBe('a,b');
    expect(() => parseUserNetOptions('user,smb=/tmp')).toThrow(/"smb" is not supported/);
    expect(() => parseUserNetOptions('restrict=maybe')).toThrow(/restrict: expected on or off/);
    expect(() => parseUserNetOptions('net=10.0.2.0/255.0.255.0')).toThrow(/netmask/);
    expect(splitQemuOptions('a=1,,2,b')).toEqual(['a=1,2', 'b']);
  });

  it('the schema fills every default and refuses unknown keys', () => {
    const registry = new PluginRegistry();
    registry.add(slirpPlugin);
    const config = registry.validateConfig('slirp', {}, '/netdevs/net0/config');
    expect(config).toMatchObject({
      net: '10.0.2.0/24',
      host: '10.0.2.2',
      dns: '10.0.2.3',
      dhcpstart: '10.0.2.15',
      restrict: false,
      limits: { maxConnections: 256, maxUdpSockets: 64 },
    });
    expect(() => registry.validateConfig('slirp', { bogus: 1 }, '/netdevs/net0/config')).toThrow(/bogus/);
  });
});
