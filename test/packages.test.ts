import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../', import.meta.url));
const packages = readdirSync(`${root}packages`).filter((p) =>
  existsSync(`${root}packages/${p}/package.json`),
);

/**
 * Every workspace package must be publishable as it is. `npm test` builds
 * before it runs vitest, so dist/ exists here.
 */
describe.each(packages)('package %s', (name) => {
  const dir = `${root}packages/${name}`;
  const pkg = JSON.parse(readFileSync(`${dir}/package.json`, 'utf8'));

  it('declares an ESM exports map with types, and a README', () => {
    expect(pkg.name).toBe(`@plugboard/${name}`);
    expect(pkg.type).toBe('module');
    expect(pkg.exports['.'].types).toMatch(/^\.\/dist\/.*\.d\.ts$/);
    expect(pkg.exports['.'].import).toMatch(/^\.\/dist\/.*\.js$/);
    expect(readFileSync(`${dir}/README.md`, 'utf8')).toMatch(/^# @plugboard\//);
  });

  it('packs into a tarball holding its entry point, types and README', () => {
    const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      cwd: dir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const files = (JSON.parse(out) as { files: { path: string }[] }[])[0].files.map((f) => f.path);
    expect(files).toContain(pkg.exports['.'].import.slice(2));
    expect(files).toContain(pkg.exports['.'].types.slice(2));
    expect(files).toContain('README.md');
    expect(files.some((f) => f.startsWith('src/') || f.startsWith('test/'))).toBe(false);
  });
});
