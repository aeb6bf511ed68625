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
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 60_000,
  },
});
