#!/usr/bin/env node
// Runs every package's benchmarks (packages/*/bench/*.bench.mjs), then the
// whole-machine ones (bench/*.bench.mjs), one after another, each in its own
// Node process so one bench's JIT state and heap cannot colour the next one's
// figures. Benchmarks import the built packages,
// so `npm run bench` builds first. `npm run bench -- cirrus` runs only the
// files whose path contains "cirrus".
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname, '..');
const filter = process.argv[2] ?? '';
const files = [];
const dirs = readdirSync(join(root, 'packages'))
  .sort()
  .map((pkg) => join(root, 'packages', pkg, 'bench'));
for (const dir of [...dirs, join(root, 'bench')]) {
  let names;
  try {
    names = readdirSync(dir);
  } catch {
    continue;
  }
  for (const name of names.sort()) if (name.endsWith('.bench.mjs')) files.push(join(dir, name));
}
const chosen = files.filter((f) => relative(root, f).includes(filter));
if (chosen.length === 0) {
  console.error(`bench: no benchmark matches "${filter}"`);
  process.exit(1);
}
let failed = 0;
for (const file of chosen) {
  console.log(`\n== ${relative(root, file)}`);
  const r = spawnSync(process.execPath, [file], { stdio: 'inherit', cwd: root });
  if (r.status !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
