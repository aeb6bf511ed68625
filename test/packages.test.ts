import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../', import.meta.url));
const packages = readdirSync(`${root}packages`).filter((p) =>
  existsSync(`${root}packages/${p}/package.json`),
);
/** What goes to npm: every package but the private tools (the fuzzer). */
const published = packages.filter(
  (p) => !JSON.parse(readFileSync(`${root}packages/${p}/package.json`, 'utf8')).private,
);

/**
 * Every published package must be publishable as it is. `npm test` builds
 * before it runs vitest, so dist/ exists here.
 */
describe.each(published)('package %s', (name) => {
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

  it('has no types-only package among its runtime dependencies, and is ready to publish', () => {
    const runtime = [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})];
    expect(runtime.filter((n) => n.startsWith('@types/') || n === 'undici-types')).toEqual([]);
    expect(pkg.license).toBe('MIT');
    expect(readFileSync(`${dir}/LICENSE`, 'utf8')).toMatch(/^MIT License/);
    expect(pkg.repository).toMatchObject({ type: 'git', directory: `packages/${name}` });
    expect(pkg.publishConfig).toEqual({ access: 'public' });
  });
});

/** Bare package names a package's shipped sources import (static, side-effect and literal dynamic imports). */
function importedPackages(dir: string): Set<string> {
  const found = new Set<string>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(`${d}/${e.name}`);
      else if (/\.(ts|js|mjs)$/.test(e.name) && !e.name.endsWith('.d.ts')) {
        const text = readFileSync(`${d}/${e.name}`, 'utf8');
        for (const m of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)'([^'.][^']*)'/g)) {
          const spec = m[1];
          if (spec.startsWith('node:')) continue;
          found.add(
            spec
              .split('/')
              .slice(0, spec.startsWith('@') ? 2 : 1)
              .join('/'),
          );
        }
      }
    }
  };
  walk(`${dir}/src`);
  return found;
}

/**
 * What a package needs at run time is exactly what it declares: an import of
 * an undeclared package fails in an install outside this checkout, and a
 * declared one nothing imports is dead weight for every user. Types-only
 * packages are for building and belong in devDependencies.
 */
describe.each(packages)('dependencies of %s', (name) => {
  const dir = `${root}packages/${name}`;
  const pkg = JSON.parse(readFileSync(`${dir}/package.json`, 'utf8'));
  // A plugin takes core as a peer: one core per machine, whoever installed it.
  const runtime = [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})];
  // The CLI loads its built-in plugins by name from this list, not by import statements.
  const byName = name === 'cli' ? builtinList() : [];

  it('declares every package it imports, and imports every runtime dependency it declares', () => {
    const imported = importedPackages(dir);
    for (const n of byName) imported.add(n);
    imported.delete(pkg.name);
    expect([...imported].filter((n) => !runtime.includes(n)).sort()).toEqual([]);
    expect(runtime.filter((n) => !imported.has(n)).sort()).toEqual([]);
  });

  it('links its bins to committed files, so npm ci links them before the first build', () => {
    const tracked = execFileSync('git', ['ls-files'], { cwd: dir, encoding: 'utf8' }).split('\n');
    for (const target of Object.values<string>(pkg.bin ?? {}))
      expect(tracked).toContain(target.replace(/^\.\//, ''));
  });
});

/** The CLI's BUILTIN_PACKAGES, read from its source (a test must not need the CLI built). */
function builtinList(): string[] {
  const text = readFileSync(`${root}packages/cli/src/builtins.ts`, 'utf8');
  const list = /BUILTIN_PACKAGES = \[([^\]]*)\]/.exec(text)?.[1] ?? '';
  return [...list.matchAll(/'([^']+)'/g)].map((m) => m[1]);
}

it('has a one-way package graph: no dependency cycle, and nothing published depends on the CLI', () => {
  // The private fuzz tool sits above everything, the CLI included: it fuzzes the QEMU option parser.
  const deps = new Map(
    packages.map((name) => {
      const pkg = JSON.parse(readFileSync(`${root}packages/${name}/package.json`, 'utf8'));
      if (pkg.private) return [pkg.name as string, []];
      const all = { ...pkg.dependencies, ...pkg.peerDependencies };
      return [pkg.name as string, Object.keys(all).filter((d) => d.startsWith('@plugboard/'))];
    }),
  );
  const done = new Set<string>();
  const visit = (name: string, path: string[]) => {
    expect(path, `cycle: ${[...path, name].join(' -> ')}`).not.toContain(name);
    if (done.has(name)) return;
    for (const d of deps.get(name) ?? []) visit(d, [...path, name]);
    done.add(name);
  };
  for (const name of deps.keys()) visit(name, []);
  expect([...deps].filter(([, d]) => d.includes('@plugboard/cli')).map(([n]) => n)).toEqual([]);
});
