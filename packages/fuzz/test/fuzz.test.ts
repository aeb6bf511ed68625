import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, discoverTargets, fuzz, minimise, mutate, Random, runOne } from '../src/index.js';

const targets = await discoverTargets();
const REGRESSIONS = fileURLToPath(new URL('../regressions/', import.meta.url));

describe('the fuzz harness', () => {
  it('finds a target for every attack surface of issue 19', () => {
    const names = targets.map((t) => t.name);
    for (const n of [
      'rtl8139',
      'i8255x',
      'cirrus',
      'stdvga',
      'ide',
      'floppy',
      'slirp',
      'vmdk',
      'probe',
      'profile',
      'qemu-options',
      'monitor',
      'vnc',
    ])
      expect(names).toContain(n);
  });

  it('mutates deterministically from a seed', () => {
    const a = new Random(7);
    const b = new Random(7);
    const seed = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
    for (let i = 0; i < 50; i++) expect(mutate(seed, [seed], a)).toEqual(mutate(seed, [seed], b));
  });

  it('reports an exception, minimises the input and names it', async () => {
    const target = {
      name: 'planted',
      seeds: () => [Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])],
      run(input: Uint8Array) {
        if (input.includes(0xff)) throw new RangeError('planted bug');
      },
    };
    const report = await fuzz(target, { seed: 1, iterations: 20_000, regressions: null });
    expect(report.finding?.kind).toBe('exception');
    expect(report.finding?.message).toBe('RangeError: planted bug');
    expect([...report.finding!.input]).toEqual([0xff]);
    expect(await minimise(Uint8Array.from([0, 0, 7, 0]), async (c) => c.includes(7), 100)).toEqual(
      Uint8Array.from([7]),
    );
  });

  it('reports memory that grows in typed arrays, outside the JavaScript heap', async () => {
    const kept: Uint8Array[] = [];
    const leaky = {
      name: 'leaky',
      seeds: () => [Uint8Array.from([1])],
      run: () => void kept.push(new Uint8Array(1 << 20).fill(1)),
    };
    const limits = { ...DEFAULT_LIMITS, maxMemoryGrowth: 64 << 20 };
    const report = await fuzz(leaky, { seed: 1, iterations: 1000, limits, regressions: null });
    kept.length = 0;
    expect(report.finding?.kind).toBe('memory');
    expect(report.cases).toBeLessThan(200);
  });

  it('reports an input that uses more CPU than the bound, or blocks longer than the wall bound, as slow', async () => {
    const spin = {
      name: 'spin',
      seeds: () => [Uint8Array.from([1])],
      run: () => {
        const start = process.cpuUsage();
        while (process.cpuUsage(start).user < 30_000);
      },
    };
    const block = {
      name: 'block',
      seeds: () => [Uint8Array.from([1])],
      run: () => void Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 30),
    };
    const input = Uint8Array.from([1]);
    expect((await runOne(spin, input, { ...DEFAULT_LIMITS, maxInputMs: 10 })).kind).toBe('slow');
    expect((await runOne(block, input, { ...DEFAULT_LIMITS, maxInputWallMs: 10 })).kind).toBe('slow');
  });

  it('does not call an input slow for waiting its turn on a loaded machine', async () => {
    // Waiting without using the CPU stands for the other processes' turns: the host is not stalled.
    const waits = {
      name: 'waits',
      seeds: () => [Uint8Array.from([1])],
      run: () => void Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 30),
    };
    const outcome = await runOne(waits, Uint8Array.from([1]), { ...DEFAULT_LIMITS, maxInputMs: 10 });
    expect(outcome.kind).toBe('ok');
    expect(outcome.wallMs).toBeGreaterThanOrEqual(29);
  });
});

describe('a short fixed-seed pass over every target (CI)', () => {
  for (const target of targets) {
    it(target.name, async () => {
      const report = await fuzz(target, { seed: 0x19, iterations: 5000, seconds: 3, regressions: null });
      expect(
        report.finding,
        report.finding ? `${report.finding.kind}: ${report.finding.message}` : '',
      ).toBeNull();
      expect(report.cases).toBeGreaterThan(40);
    });
  }
});

describe('stored regression cases', () => {
  const folders = existsSync(REGRESSIONS) ? readdirSync(REGRESSIONS) : [];
  it('have a target each', () => {
    for (const f of folders) expect(targets.map((t) => t.name)).toContain(f);
  });
  for (const folder of folders) {
    for (const file of readdirSync(join(REGRESSIONS, folder))) {
      it(`${folder}/${file} no longer fails`, async () => {
        const target = targets.find((t) => t.name === folder)!;
        const outcome = await runOne(target, readFileSync(join(REGRESSIONS, folder, file)), DEFAULT_LIMITS);
        expect(outcome.kind, 'message' in outcome ? outcome.message : '').toBe('ok');
      });
    }
  }
});
