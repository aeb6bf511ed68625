import { createHash, randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Clock } from '@plugboard/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Slirp, withDefaults } from '../src/index.js';
import { startNetnsGuest } from './netns-guest.mjs';

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** A resolver on 127.0.0.1 that answers every A query with 192.0.2.55, so no outside resolver is touched. */
async function fakeResolver(): Promise<dgram.Socket> {
  const s = dgram.createSocket('udp4');
  s.on('message', (q, r) => {
    let at = 12;
    while (at < q.length && q[at] !== 0) at += q[at]! + 1;
    const qend = at + 5;
    const isA = q.readUInt16BE(at + 1) === 1;
    const answer = isA
      ? Buffer.from([0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 55])
      : Buffer.alloc(0);
    const reply = Buffer.concat([q.subarray(0, qend), answer]);
    reply[2] = 0x81;
    reply[3] = 0x80;
    reply.writeUInt16BE(isA ? 1 : 0, 6);
    reply.writeUInt16BE(0, 8);
    reply.writeUInt16BE(0, 10);
    s.send(reply, r.port, r.address);
  });
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  return s;
}

describe('a Linux guest in a network namespace behind slirp', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pb-e2e-'));
  const download = randomBytes(8 << 20);
  const upload = randomBytes(6 << 20);
  writeFileSync(join(dir, 'upload.bin'), upload);
  const bootImage = randomBytes(300_000);
  mkdirSync(join(dir, 'tftp'));
  writeFileSync(join(dir, 'tftp', 'boot.img'), bootImage);
  let echo: dgram.Socket;
  let resolver: dgram.Socket;
  let web: http.Server;
  let webPort = 0;
  let slirp: Slirp;
  let guest: Awaited<ReturnType<typeof startNetnsGuest>>;

  beforeAll(async () => {
    resolver = await fakeResolver();
    echo = dgram.createSocket('udp4');
    echo.on('message', (m, r) => echo.send(Buffer.concat([Buffer.from('echo:'), m]), r.port, r.address));
    await new Promise<void>((r) => echo.bind(0, '127.0.0.1', () => r()));
    web = http.createServer((req, res) => {
      if (req.url === '/big') {
        res.writeHead(200, { 'content-length': download.length });
        res.end(download);
        return;
      }
      const hash = createHash('sha256');
      req.on('data', (d) => hash.update(d));
      req.on('end', () => res.end(hash.digest('hex')));
    });
    await new Promise<void>((r) => web.listen(0, '127.0.0.1', () => r()));
    webPort = (web.address() as net.AddressInfo).port;
    const clock = new Clock({ mode: 'host' });
    slirp = new Slirp('net0', {
      clock,
      tftpRoot: join(dir, 'tftp'),
      config: withDefaults({
        resolver: `127.0.0.1:${(resolver.address() as net.AddressInfo).port}`,
        hostfwd: ['tcp:127.0.0.1:0-:8022'],
        hostname: 'guest1',
        domain: 'plugboard.test',
      }),
    });
    await slirp.open();
    guest = await startNetnsGuest({ slirp, clock });
  }, 60_000);

  afterAll(async () => {
    await guest?.close();
    slirp?.close();
    resolver?.close();
    echo?.close();
    web?.close();
  }, 60_000);

  it('gets a DHCP lease from udhcpc', async () => {
    const script = join(dir, 'udhcpc.sh');
    writeFileSync(
      script,
      '#!/bin/sh\ncase "$1" in bound|renew)\n  busybox ifconfig "$interface" "$ip" netmask "$subnet" up\n  busybox route add default gw "$router" dev "$interface"\n  env > "$LEASE_FILE";;\nesac\n',
    );
    chmodSync(script, 0o755);
    const leaseFile = join(dir, 'lease.env');
    await guest.exec(
      ['busybox', 'udhcpc', '-i', guest.tap, '-n', '-q', '-f', '-t', '5', '-T', '2', '-s', script],
      {
        env: { LEASE_FILE: leaseFile },
      },
    );
    const lease = Object.fromEntries(
      readFileSync(leaseFile, 'utf8')
        .split('\n')
        .map((l) => l.split('=', 2)),
    );
    expect(lease).toMatchObject({
      ip: '10.0.2.15',
      router: '10.0.2.2',
      dns: '10.0.2.3',
      subnet: '255.255.255.0',
    });
    expect(lease).toMatchObject({ hostname: 'guest1', domain: 'plugboard.test', serverid: '10.0.2.2' });
  });

  it('pings the gateway and the DNS address', async () => {
    const out = await guest.exec(['busybox', 'ping', '-c', '2', '-W', '2', '10.0.2.3']);
    expect(out).toMatch(/2 packets received/);
  });

  it('resolves host.internal locally and forwards other names to the host resolver', async () => {
    expect(await guest.exec(['busybox', 'nslookup', 'host.internal', '10.0.2.3'])).toMatch(
      /Address:\s*10\.0\.2\.2/,
    );
    expect(await guest.exec(['busybox', 'nslookup', 'example.test', '10.0.2.3'])).toMatch(
      /Address:\s*192\.0\.2\.55/,
    );
  });

  it('downloads 8 MiB over HTTP from a server on the host loopback, intact', async () => {
    const out = join(dir, 'download.bin');
    await guest.exec(['curl', '-sS', '--max-time', '60', '-o', out, `http://10.0.2.2:${webPort}/big`], {
      timeout: 90000,
    });
    expect(sha256(readFileSync(out))).toBe(sha256(download));
  });

  it('uploads 6 MiB to the host, intact', async () => {
    const reply = await guest.exec(
      [
        'curl',
        '-sS',
        '--max-time',
        '60',
        '--data-binary',
        `@${join(dir, 'upload.bin')}`,
        `http://10.0.2.2:${webPort}/up`,
      ],
      { timeout: 90000 },
    );
    expect(reply).toBe(sha256(upload));
  });

  it('fetches a boot file by TFTP with a large block size', async () => {
    const out = join(dir, 'boot.out');
    await guest.exec(['busybox', 'tftp', '-g', '-b', '1432', '-r', 'boot.img', '-l', out, '10.0.2.2']);
    expect(sha256(readFileSync(out))).toBe(sha256(bootImage));
  });

  it('reaches a UDP service on the host loopback through 10.0.2.2', async () => {
    const port = (echo.address() as net.AddressInfo).port;
    const reply = await guest.exec(['sh', '-c', `echo hi | socat -T2 - UDP:10.0.2.2:${port}`]);
    expect(reply).toBe('echo:hi\n');
  });

  it('a forwarded host port reaches a server in the guest', async () => {
    const server = guest.spawnIn(['socat', 'TCP-LISTEN:8022,reuseaddr,fork', 'EXEC:cat']);
    try {
      const [port] = slirp.forwarder.boundPorts();
      let answer = '';
      for (let i = 0; i < 50 && answer === ''; i++) {
        answer = await new Promise<string>((resolve) => {
          const c = net.connect(port!, '127.0.0.1');
          let got = '';
          c.on('data', (d) => {
            got += d.toString();
            if (got === 'hello guest') c.end();
          });
          c.on('close', () => resolve(got));
          c.on('error', () => resolve(''));
          c.write('hello guest');
          setTimeout(() => c.destroy(), 2000);
        });
        if (answer === '') await new Promise((r) => setTimeout(r, 100));
      }
      expect(answer).toBe('hello guest');
    } finally {
      server.kill();
    }
  });
});
