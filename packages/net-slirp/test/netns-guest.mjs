// A real Linux TCP/IP stack as slirp's guest: a TAP device inside a network
// namespace created for the run, its frames carried by socat (one frame per UDP
// datagram on 127.0.0.1) to and from a Slirp in this process. Needs root,
// iproute2, socat and busybox; touches nothing outside the namespace it makes.
import { execFile, spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

async function freeUdpPort() {
  const s = dgram.createSocket('udp4');
  await new Promise((r) => s.bind(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

export function checkTools() {
  const missing = ['ip', 'socat', 'busybox', 'curl'].filter(
    (t) => !['/usr/sbin', '/usr/bin', '/sbin', '/bin'].some((d) => existsSync(`${d}/${t}`)),
  );
  if (process.getuid?.() !== 0) missing.push('root rights');
  if (missing.length)
    throw new Error(
      `the network-namespace guest needs: ${missing.join(', ')} (apt-get install socat busybox curl iproute2)`,
    );
}

/**
 * Starts the namespace guest wired to `slirp` (whose clock must be in host
 * mode: this pumps its timers from the event loop).
 */
export async function startNetnsGuest({ slirp, clock }) {
  checkTools();
  const tag = `${process.pid % 100000}${Math.floor(Math.random() * 100)}`;
  const ns = `pbns${tag}`;
  const tap = `pbtap${tag}`;
  const relay = dgram.createSocket('udp4');
  await new Promise((r) => relay.bind(0, '127.0.0.1', r));
  // Bursts of a scaled TCP window must not overflow the relay's socket buffers.
  relay.setRecvBufferSize(16 << 20);
  relay.setSendBufferSize(16 << 20);
  const relayPort = relay.address().port;
  const socatPort = await freeUdpPort();
  let peer = null;
  const port = slirp.connect({
    receive: (frame) => {
      if (peer) relay.send(Buffer.from(frame), peer.port, peer.address);
    },
    canReceive: () => true,
  });
  // A machine's run loop fires due timers after each CPU slice; here a slice is
  // one event-loop turn's worth of frames from the guest.
  let sliceDue = false;
  const endSlice = () => {
    sliceDue = false;
    clock.advance(0);
    clock.runDue();
  };
  relay.on('message', (msg, rinfo) => {
    peer = rinfo;
    port.send(msg);
    if (!sliceDue) {
      sliceDue = true;
      setImmediate(endSlice);
    }
  });
  const pump = setInterval(() => {
    clock.advance(0);
    clock.runDue();
  }, 1);

  await run('ip', ['netns', 'add', ns]);
  const socat = spawn(
    'socat',
    [
      `TUN,tun-type=tap,iff-no-pi,tun-name=${tap},iff-up`,
      `UDP-DATAGRAM:127.0.0.1:${relayPort},bind=127.0.0.1:${socatPort},rcvbuf=16777216,sndbuf=16777216`,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let socatErrors = '';
  socat.stderr.on('data', (d) => {
    socatErrors += d;
  });
  const close = async () => {
    clearInterval(pump);
    socat.kill();
    port.disconnect();
    relay.close();
    await run('ip', ['netns', 'del', ns]).catch(() => {});
  };
  try {
    const giveUp = performance.now() + 15000;
    for (;;) {
      const ok = await run('ip', ['link', 'show', tap]).then(
        () => true,
        () => false,
      );
      if (ok) break;
      if (performance.now() > giveUp || socat.exitCode !== null) {
        throw new Error(`socat did not create the TAP device ${tap}: ${socatErrors.trim() || 'no message'}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    await run('ip', [
      'netns',
      'exec',
      ns,
      'sysctl',
      '-qw',
      'net.ipv6.conf.all.disable_ipv6=1',
      'net.ipv6.conf.default.disable_ipv6=1',
    ]);
    await run('ip', ['link', 'set', tap, 'netns', ns]);
    await run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    await run('ip', ['-n', ns, 'link', 'set', tap, 'up']);
  } catch (err) {
    await close();
    throw err;
  }

  /** Runs a command inside the namespace; resolves with stdout. */
  const exec = async (args, options = {}) => {
    const { stdout } = await run('ip', ['netns', 'exec', ns, ...args], {
      timeout: options.timeout ?? 30000,
      maxBuffer: 64 << 20,
      env: { ...process.env, ...options.env },
      encoding: options.encoding ?? 'utf8',
    });
    return stdout;
  };
  /** Starts a long-running command inside the namespace. */
  const spawnIn = (args) => spawn('ip', ['netns', 'exec', ns, ...args], { stdio: 'ignore' });
  return { ns, tap, exec, spawnIn, close };
}
