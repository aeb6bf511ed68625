#!/usr/bin/env node
import { fileURLToPath } from 'node:url';
import { discoverTargets } from './discover.js';
import { fuzz } from './runner.js';

/** `npm run fuzz -- [--seconds N] [--seed S] [target...]`: fuzzes each target for N seconds. */
async function main(argv: string[]): Promise<number> {
  let seconds = 10;
  let seed = Date.now() >>> 0;
  const names: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--seconds') seconds = Number(argv[++i]);
    else if (a === '--seed') seed = Number(argv[++i]) >>> 0;
    else names.push(a);
  }
  if (!(seconds > 0)) {
    process.stderr.write('fuzz: --seconds takes a positive number\n');
    return 2;
  }
  const all = await discoverTargets();
  const unknown = names.filter((n) => !all.some((t) => t.name === n));
  if (unknown.length) {
    process.stderr.write(
      `fuzz: no target ${unknown.join(', ')}; targets: ${all.map((t) => t.name).join(', ')}\n`,
    );
    return 2;
  }
  const targets = names.length ? all.filter((t) => names.includes(t.name)) : all;
  const regressions = fileURLToPath(new URL('../regressions/', import.meta.url));
  let failed = 0;
  process.stdout.write(`seed ${seed}, ${seconds} s per target\n`);
  for (const t of targets) {
    const r = await fuzz(t, { seed, seconds, regressions });
    const line = `${t.name.padEnd(14)} ${String(r.cases).padStart(8)} cases  longest ${r.longestMs.toFixed(1).padStart(7)} ms CPU ${r.longestWallMs.toFixed(1).padStart(7)} ms wall  peak memory ${(r.peakMemoryBytes / 2 ** 20).toFixed(0).padStart(5)} MiB`;
    process.stdout.write(`${line}\n`);
    if (r.finding) {
      failed++;
      const f = r.finding;
      process.stdout.write(
        `  FOUND ${f.kind}: ${f.message}\n  input (${f.input.length} bytes) stored at ${f.stored}\n`,
      );
    }
  }
  return failed ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`${(err as Error).stack}\n`);
    process.exit(1);
  },
);
