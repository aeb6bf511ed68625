// TCP throughput through slirp, both directions, next to the same transfer
// over plain loopback in the same run. The guest is Linux in a network
// namespace (see test/netns-guest.mjs); needs root, socat, busybox, curl.
//   npx tsc -b packages/net-slirp && node packages/net-slirp/bench/throughput.mjs [MiB]

import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Clock } from '@plugboard/core';
import { Slirp, withDefaults } from '../dist/index.js';
import { startNetnsGuest } from '../test/netns-guest.mjs';

const mib = Number(process.argv[2] ?? 64);
const payload = randomBytes(mib << 20);
const dir = mkdtempSync(join(tmpdir(), 'pb-bench-'));
writeFileSync(join(dir, 'payload.bin'), payload);

const web = http.createServer((req, res) => {
  if (req.method === 'GET') {
    res.writeHead(200, { 'content-length': payload.length });
    res.end(payload);
    return;
  }
  req.resume();
  req.on('end', () => res.end('ok'));
});
await new Promise((r) => web.listen(0, '127.0.0.1', r));
const port = web.address().port;

const clock = new Clock({ mode: 'host' });
const slirp = new Slirp('net0', { clock, config: withDefaults({}) });
await slirp.open();
const guest = await startNetnsGuest({ slirp, clock });
const script = join(dir, 'udhcpc.sh');
writeFileSync(
  script,
  '#!/bin/sh\n[ "$1" = bound ] && busybox ifconfig "$interface" "$ip" netmask "$subnet" up && busybox route add default gw "$router"\n',
);
chmodSync(script, 0o755);
await guest.exec(['busybox', 'udhcpc', '-i', guest.tap, '-n', '-q', '-f', '-s', script]);

const curlArgs = (host, up) => [
  '-sS',
  '-o',
  '/dev/null',
  '-w',
  up ? '%{speed_upload}' : '%{speed_download}',
  ...(up ? ['--data-binary', `@${join(dir, 'payload.bin')}`] : []),
  `http://${host}:${port}/`,
];
const mbps = (bytesPerSecond) => (Number(bytesPerSecond) / 1e6).toFixed(1);
const runHost = promisify(execFile);

const rows = [];
for (const [name, up] of [
  ['host-to-guest (download)', false],
  ['guest-to-host (upload)', true],
]) {
  const viaSlirp = await guest.exec(['curl', ...curlArgs('10.0.2.2', up)], { timeout: 600000 });
  const { stdout: loopback } = await runHost('curl', curlArgs('127.0.0.1', up), { timeout: 600000 });
  rows.push(
    `${name.padEnd(26)} slirp ${mbps(viaSlirp).padStart(8)} MB/s   loopback ${mbps(loopback).padStart(8)} MB/s`,
  );
}
console.log(`${mib} MiB over HTTP (curl), Node ${process.version}`);
for (const r of rows) console.log(r);
await guest.close();
slirp.close();
web.close();
