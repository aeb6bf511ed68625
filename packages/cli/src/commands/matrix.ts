import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ConfigError } from '@plugboard/core';
import { type CellResult, cellDir, runCell } from '../matrix/cell.js';
import { runQueued } from '../matrix/queue.js';
import { junit, table } from '../matrix/report.js';
import { loadMatrix } from '../matrix/spec.js';

export interface MatrixOptions {
  /** Where reports and every cell's artifacts go; without it, a temporary folder keeps failing cells only. */
  out?: string;
  /** Cells at a time (default: one per core). */
  jobs?: number;
  /** Only these cells (`machine/guest`). */
  cells?: string[];
  /** `redis://...`: cells go through a BullMQ queue to `plugboard worker`s instead of local processes. */
  queue?: string;
}

/**
 * `plugboard matrix SPEC`: every machine variation with every guest, each in
 * its own process, judged by the spec's checks. Returns 0 when every cell
 * passed, 1 otherwise.
 */
export async function runMatrix(
  file: string,
  options: MatrixOptions,
  write: (text: string) => void,
): Promise<number> {
  const spec = loadMatrix(file);
  const wanted = options.cells ?? [];
  const unknown = wanted.filter((w) => !spec.cells.some((c) => c.name === w));
  if (unknown.length)
    throw new ConfigError(
      `${file}: no cell ${unknown.join(', ')} (cells: ${spec.cells.map((c) => c.name).join(', ')})`,
    );
  const cells = wanted.length ? spec.cells.filter((c) => wanted.includes(c.name)) : spec.cells;
  const out = options.out
    ? resolve(options.out)
    : mkdtempSync(join(tmpdir(), `plugboard-matrix-${spec.name}-`));
  mkdirSync(out, { recursive: true });
  const jobs = Math.max(1, options.jobs ?? availableParallelism());
  let results: CellResult[] = new Array(cells.length);
  if (options.queue) {
    write(`${cells.length} cells to ${options.queue}\n`);
    results = await runQueued(
      options.queue,
      cells.map((c) => ({ spec: spec.file, cell: c.name, dir: cellDir(out, c) })),
      spec.timeoutSeconds,
    );
  } else {
    let next = 0;
    const worker = async () => {
      while (next < cells.length) {
        const k = next++;
        const cell = cells[k];
        write(`${cell.name}: running\n`);
        results[k] = await runCell(spec, cell, cellDir(out, cell));
        write(`${cell.name}: ${results[k].status} (${results[k].seconds} s)\n`);
      }
    };
    await Promise.all(Array.from({ length: Math.min(jobs, cells.length) }, worker));
  }
  if (!options.out)
    for (const r of results) if (r.status === 'pass') rmSync(r.artifacts, { recursive: true, force: true });
  const rerun = (cell: string) =>
    `plugboard matrix ${spec.file} --cell ${cell}${options.out ? ` --out ${out}` : ''}`;
  writeFileSync(join(out, 'junit.xml'), junit(spec.name, results));
  writeFileSync(
    join(out, 'summary.json'),
    `${JSON.stringify({ name: spec.name, spec: spec.file, cells: results }, null, 2)}\n`,
  );
  write(`\n${table(results, rerun)}\nreports: ${join(out, 'junit.xml')}, ${join(out, 'summary.json')}\n`);
  return results.every((r) => r.status === 'pass') ? 0 : 1;
}
