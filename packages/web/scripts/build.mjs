import { copyFileSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { vmdkFormat } from '@plugboard/disk-vmdk';
import { build } from 'esbuild';

/**
 * Builds the page into packages/web/site/: the bundles (esbuild, from the
 * packages' built dist/: the page's and the machine worker's), the HTML, xterm.js's CSS, the machines, and from
 * the cache (`npm run setup`, never in git) the firmware and the test guest.
 */
const web = fileURLToPath(new URL('..', import.meta.url));
const root = join(web, '../..');
const site = join(web, 'site');
const cache = process.env.PLUGBOARD_CACHE ?? join(homedir(), '.cache/plugboard');

/**
 * Node's modules resolve to one that throws when used: only the backend files
 * browser-check.mjs lists import them (the bundle test holds that), and a page
 * never takes their paths (it brings its own files, terminal and network).
 */
const nodeUnavailable = {
  name: 'node-unavailable',
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (args) => ({ path: args.path, namespace: 'node-unavailable' }));
    b.onLoad({ filter: /.*/, namespace: 'node-unavailable' }, async (args) => {
      // The same export names as Node's module, each a function that throws when called.
      const names = Object.keys(await import(args.path)).filter(
        (n) => n !== 'default' && /^[A-Za-z_$][\w$]*$/.test(n),
      );
      const fail = `(key) => () => { throw new Error(${JSON.stringify(args.path)} + '.' + key + ' is Node only: a page cannot use this backend'); }`;
      return {
        contents: [
          `const unavailable = ${fail};`,
          ...names.map((n) => `export const ${n} = unavailable(${JSON.stringify(n)});`),
          `export default new Proxy({}, { get: (_, key) => unavailable(String(key)) });`,
        ].join('\n'),
        loader: 'js',
      };
    });
  },
};

/**
 * The test guest's disk (guest.vmdk: syslinux on a FAT16 partition) as a raw
 * image: the page's `url` drive reads raw images by range requests.
 */
function rawDisk(vmdk, out) {
  const image = vmdkFormat.open(vmdk, { readOnly: true, readLock: false });
  const raw = new Uint8Array(image.sectorCount * image.sectorSize);
  const step = 2048 * image.sectorSize;
  for (let at = 0; at < raw.length; at += step)
    image.read(at / image.sectorSize, raw.subarray(at, Math.min(at + step, raw.length)));
  image.close();
  writeFileSync(out, raw);
}

export async function buildSite() {
  rmSync(site, { recursive: true, force: true });
  mkdirSync(site, { recursive: true });
  const result = await build({
    // The page (terminal, canvas, input) and the worker that runs the machine.
    entryPoints: {
      plugboard: join(web, 'src/main.ts'),
      'plugboard-worker': join(web, 'src/machine-worker.ts'),
    },
    outdir: site,
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    minify: true,
    sourcemap: true,
    metafile: true,
    plugins: [nodeUnavailable],
    logLevel: 'warning',
  });
  copyFileSync(join(web, 'static/index.html'), join(site, 'index.html'));
  copyFileSync(join(root, 'node_modules/@xterm/xterm/css/xterm.css'), join(site, 'xterm.css'));
  mkdirSync(join(site, 'machines'));
  for (const f of readdirSync(join(root, 'machines')).filter((f) => f.endsWith('.json')))
    copyFileSync(join(root, 'machines', f), join(site, 'machines', f));
  const firmware = join(cache, 'firmware');
  const roms = readdirSync(firmware).filter(
    (f) => /\.(bin|rom)$/.test(f) && statSync(join(firmware, f)).isFile(),
  );
  mkdirSync(join(site, 'firmware'));
  for (const f of roms) copyFileSync(join(firmware, f), join(site, 'firmware', f));
  writeFileSync(join(site, 'firmware/index.json'), JSON.stringify(roms));
  mkdirSync(join(site, 'guests'));
  copyFileSync(join(cache, 'guests/initrd.gz'), join(site, 'guests/initrd.gz'));
  copyFileSync(join(cache, 'guests/vmlinuz'), join(site, 'guests/vmlinuz'));
  rawDisk(join(cache, 'guests/guest.vmdk'), join(site, 'guests/guest.img'));
  const bytes = statSync(join(site, 'plugboard.js')).size + statSync(join(site, 'plugboard-worker.js')).size;
  return { site, bytes, metafile: result.metafile };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { site: dir, bytes } = await buildSite();
  console.log(
    `plugboard: page built in ${dir} (plugboard.js and plugboard-worker.js ${(bytes / 1024).toFixed(0)} KiB minified)`,
  );
}
