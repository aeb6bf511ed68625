import { ConfigError } from '@plugboard/core';
import { type ConnectionOptions, Queue, QueueEvents, Worker } from 'bullmq';
import { type CellResult, runCell } from './cell.js';
import { loadMatrix } from './spec.js';

/** The BullMQ queue matrix cells go through. */
export const QUEUE_NAME = 'plugboard-matrix';

/** What a job carries: where the spec is and where the cell's artifacts go (paths every worker sees). */
export interface CellJob {
  spec: string;
  cell: string;
  dir: string;
}

/** `redis://HOST[:PORT][/DB]` as BullMQ's connection options. */
export function redisConnection(url: string): ConnectionOptions {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ConfigError(`--queue ${url}: expected redis://HOST[:PORT][/DB]`);
  }
  if (u.protocol !== 'redis:') throw new ConfigError(`--queue ${url}: expected redis://HOST[:PORT][/DB]`);
  const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0;
  if (!Number.isInteger(db) || db < 0) throw new ConfigError(`--queue ${url}: the database is a number`);
  return {
    host: u.hostname,
    port: u.port ? Number(u.port) : 6379,
    db,
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    // A worker's blocking reads must not give up; BullMQ asks for this.
    maxRetriesPerRequest: null,
  };
}

/**
 * Puts cells on the queue and waits for their results. Workers on any
 * machine run them (`plugboard worker`); a cell's timeout is the spec's, plus
 * a margin for the queue.
 */
export async function runQueued(url: string, jobs: CellJob[], timeoutSeconds: number): Promise<CellResult[]> {
  const connection = redisConnection(url);
  const queue = new Queue<CellJob, CellResult>(QUEUE_NAME, { connection });
  const events = new QueueEvents(QUEUE_NAME, { connection });
  try {
    await events.waitUntilReady();
    const added = await queue.addBulk(
      jobs.map((data) => ({ name: data.cell, data, opts: { removeOnComplete: true, removeOnFail: true } })),
    );
    return await Promise.all(
      added.map((job) => job.waitUntilFinished(events, (timeoutSeconds + 600) * 1000)),
    );
  } finally {
    await events.close();
    await queue.close();
  }
}

/** `plugboard worker`: takes cells off the queue, `concurrency` at a time, until `signal` aborts. */
export async function serveQueue(url: string, concurrency: number, signal: AbortSignal): Promise<void> {
  const worker = new Worker<CellJob, CellResult>(
    QUEUE_NAME,
    async (job) => {
      const spec = loadMatrix(job.data.spec);
      const cell = spec.cells.find((c) => c.name === job.data.cell);
      if (!cell) throw new Error(`${job.data.spec}: no cell ${job.data.cell}`);
      return runCell(spec, cell, job.data.dir);
    },
    { connection: redisConnection(url), concurrency },
  );
  await worker.waitUntilReady();
  await new Promise<void>((done) => {
    if (signal.aborted) done();
    else signal.addEventListener('abort', () => done(), { once: true });
  });
  await worker.close();
}
