import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module of the build scripts, without types
import { browserPackages, checkPackage } from '../scripts/browser-check.mjs';

/**
 * Core and every device package bundle for the browser platform (esbuild,
 * from their built dist/), with Node-only code only in the backend files
 * scripts/browser-check.mjs lists, each behind one of core's interfaces.
 */
describe('browser bundles', () => {
  const names: string[] = browserPackages();

  it('covers core and the device packages', () => {
    expect(names).toEqual(expect.arrayContaining(['core', 'cpu-x86', 'dev-piix', 'dev-isa', 'dev-cirrus']));
    expect(names).not.toContain('cli');
  });

  for (const name of names)
    it(`${name}: no node: import outside its backends, and no stale backend entry`, async () => {
      const { errors, outside, stale } = await checkPackage(name);
      expect(errors, 'esbuild errors').toEqual([]);
      expect(outside, 'node: imports outside the listed backends').toEqual([]);
      expect(stale, 'listed backends that import nothing of Node').toEqual([]);
    });
});
