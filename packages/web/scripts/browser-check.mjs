import { readdirSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/**
 * Which packages bundle for a browser, and where their Node-only code may
 * live. Core and every device package must bundle for the browser platform;
 * a `node:` import is allowed only in a file listed here, each a host backend
 * behind one of core's interfaces (HostFiles, NetworkBackend, serial
 * backends, BlockBackend, the VNC server) that a page replaces with its own.
 */
export const NODE_BACKENDS = {
  core: {
    'platform/node-files': 'HostFiles on the local disk; a page brings URL files',
    'machine/profile-file': 'profiles read from disk; a page fetches them',
    'plugin/node-import': 'plugin packages imported by name; a page bundles its plugins',
    'machine/profile-hash': 'SHA-256 of a profile (node:crypto) for snapshots and replay logs',
    'replay/log-format': 'record and replay: logs on disk; a page does not record yet',
    'state/snapshot-file': 'snapshot files on disk (node:fs, node:zlib); a page does not save yet',
  },
  'dev-isa': {
    'serial/host-backends': 'stdio, file and TCP serial backends; a page binds a HostTerminal',
    'misc/debugcon': 'the debug console to a file or stdio',
  },
  firmware: {
    resolve: "the firmware cache and Debian's firmware folders on disk",
  },
  block: {
    'raw-image': 'image files',
    'image-format': 'image files',
    'image-lock': 'lock files beside images',
    'cow-overlay': 'an overlay that spills to a temporary file',
  },
  'disk-vmdk': {
    'flat-extent': 'VMDK extent files',
    'sparse-extent': 'VMDK extent files',
    'vmdk-image': 'VMDK descriptor and extent files',
    create: 'writes new VMDK files',
    'stream-writer': 'writes streamOptimized files',
    'img/info': 'the `plugboard img` command',
    'img/create': 'the `plugboard img` command',
    'img/convert': 'the `plugboard img` command',
  },
  net: {
    'socket-backend': 'TCP and UDP sockets to another emulator',
    'pcap-writer': 'pcap files',
  },
  'net-slirp': {
    slirp: "user-mode NAT over the host's sockets; a page reaches it through net-proxy",
    'tcp-nat': 'host TCP sockets',
    'udp-nat': 'host UDP sockets',
    dns: "the host's resolver",
    tftp: 'files served from a host folder',
    'host-forwarder': 'host ports forwarded into the guest',
  },
  display: {
    'vnc-server': 'the VNC server (TCP and WebSocket listeners)',
    'vnc-auth': 'VNC authentication (DES from node:crypto)',
    'deflate-stream': 'ZRLE compression (node:zlib)',
    screenshot: 'PNG files',
  },
};

/** Front ends and tools, not machine parts: never bundled for a page. */
const NODE_ONLY_PACKAGES = new Set(['cli', 'fuzz', 'monitor', 'web']);

/** npm packages that only run on Node: like `node:` modules, only backends may import them. */
const NODE_ONLY_MODULES = ['cli-progress', 'pngjs', 'ws'];
const nodeOnly = new RegExp(`^(node:|(${NODE_ONLY_MODULES.join('|')})$)`);

const packagesDir = fileURLToPath(new URL('../../', import.meta.url));

/** Core and every device package: what a page may bundle. */
export function browserPackages() {
  return readdirSync(packagesDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !NODE_ONLY_PACKAGES.has(d.name))
    .map((d) => d.name)
    .sort();
}

/**
 * Bundles one package's built entry for the browser platform and returns each
 * `node:` import found outside its listed backends (importer and module), the
 * listed backends that import nothing of Node (stale entries), and the
 * bundler's errors (a bare Node built-in such as 'fs' does not resolve there).
 */
export async function checkPackage(name) {
  const found = [];
  const result = await build({
    entryPoints: [`${packagesDir}${name}/dist/index.js`],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    logLevel: 'silent',
    plugins: [
      {
        name: 'node-imports',
        setup(b) {
          b.onResolve({ filter: nodeOnly }, (args) => {
            found.push({ importer: args.importer, module: args.path });
            return { path: args.path, external: true };
          });
        },
      },
    ],
  }).catch((err) => ({ errors: err.errors ?? [{ text: String(err) }] }));
  const errors = (result.errors ?? []).map((e) => `${e.location?.file ?? ''}: ${e.text}`);
  const outside = found
    .map(({ importer, module }) => {
      const rel = relative(packagesDir, importer);
      const m = /^([^/]+)\/dist\/(.+)\.js$/.exec(rel);
      const allowed = m && NODE_BACKENDS[m[1]]?.[m[2]] !== undefined;
      return allowed ? null : `${rel} imports ${module}`;
    })
    .filter((line) => line !== null);
  const importers = new Set(found.map(({ importer }) => relative(packagesDir, importer)));
  const stale = Object.keys(NODE_BACKENDS[name] ?? {}).filter(
    (file) => !importers.has(`${name}/dist/${file}.js`),
  );
  return { errors, outside: [...new Set(outside)], stale };
}
