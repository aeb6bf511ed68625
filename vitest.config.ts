import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const packages = fileURLToPath(new URL('./packages/', import.meta.url));

export default defineConfig({
  resolve: {
    // Tests run against sources, so no build is needed between an edit and a test run.
    alias: [
      { find: /^@plugboard\/([a-z0-9-]+)$/, replacement: `${packages}$1/src/index.ts` },
      { find: /^@plugboard\/([a-z0-9-]+)\/testing$/, replacement: `${packages}$1/src/testing/index.ts` },
    ],
  },
  test: {
    pool: 'forks',
    // One worker per core (vitest's default leaves one core out): a file booting a guest in a child
    // process keeps its worker idle, so another file's tests use the second core meanwhile.
    maxWorkers: availableParallelism(),
    testTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: { name: 'all', include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'] },
      },
      {
        // The x86 core's instruction tests again on the interpreter alone (the translator is on above).
        extends: true,
        test: {
          name: 'cpu-x86 interpreter',
          include: ['packages/cpu-x86/test/*.test.ts'],
          exclude: ['packages/cpu-x86/test/{seabios,fpu-*,jit,decode,cpuid,msr,apic}.test.ts'],
          env: { PLUGBOARD_JIT: '0' },
        },
      },
    ],
  },
});
