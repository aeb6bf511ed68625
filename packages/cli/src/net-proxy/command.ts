import type { Command } from 'commander';

const collect = (value: string, previous: string[]) => [...previous, value];

/** The page `npm run web` serves, allowed by default. */
const WEB_ORIGINS = ['http://127.0.0.1:8080', 'http://localhost:8080'];

/** `plugboard net-proxy`: user-mode networking for pages, until interrupted. */
export function addNetProxyCommand(program: Command, stderr: NodeJS.WritableStream): void {
  program
    .command('net-proxy')
    .description(
      "user-mode networking for a page's machine: Ethernet frames over a WebSocket (@plugboard/web)",
    )
    .option('--host <address>', 'address to listen on (loopback unless you mean otherwise)', '127.0.0.1')
    .option('--port <n>', 'port to listen on', (v) => Number(v), 8081)
    .option(
      '--allow-origin <origin>',
      `origin of a page allowed to connect (repeatable; default ${WEB_ORIGINS.join(', ')}; * for any)`,
      collect,
      [],
    )
    .option(
      '--hostfwd <rule>',
      'forward a host port into the guest, as -netdev user,hostfwd= (repeatable)',
      collect,
      [],
    )
    .action(async (opts: { host: string; port: number; allowOrigin: string[]; hostfwd: string[] }) => {
      // Loaded when used: its WebSocket server (ws) would cost every other command's start.
      const { startNetProxy } = await import('./proxy.js');
      const proxy = await startNetProxy({
        host: opts.host,
        port: opts.port,
        allowedOrigins: opts.allowOrigin.length ? opts.allowOrigin : WEB_ORIGINS,
        slirp: { hostfwd: opts.hostfwd },
        log: (m) => stderr.write(`${m}\n`),
      });
      stderr.write(`plugboard: net-proxy on ws://${opts.host}:${proxy.port}/\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await proxy.close();
    });
}
