import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Json, loadProfile, ProfileError } from '@plugboard/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: plain ES modules without types
import { serveStatic } from '../scripts/serve.mjs';
import { loadPageProfile } from '../src/page-profile.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const machines = join(root, 'machines');

/**
 * The page's profiles over HTTP against `plugboard run`'s from files: the
 * same JSON resolves to the same machine, a NIC swap is the same one-line
 * override, and a layer the schema refuses is refused with the same problems.
 */
describe('profiles in the page', () => {
  let server: Server;
  let base = '';

  beforeAll(async () => {
    server = await serveStatic(machines, 0);
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  it('resolves a machine by URL, extends followed as links, as plugboard run resolves its file', async () => {
    const page = await loadPageProfile('puredarwin-xmas-i82559er.json', base);
    const node = loadProfile(join(machines, 'puredarwin-xmas-i82559er.json'));
    expect(page.merged).toEqual(node.merged);
    expect(page.entries.find((e) => e.id === 'nic')?.type).toBe('i82559er');
  });

  it('swaps the NIC with the same one-line override as --set', async () => {
    const swap: Json = { devices: { nic: { type: 'i82551' } } };
    const page = await loadPageProfile('puredarwin-xmas.json', base, [swap]);
    const node = loadProfile(join(machines, 'puredarwin-xmas.json'), [swap]);
    expect(page.merged).toEqual(node.merged);
    expect(page.entries.find((e) => e.id === 'nic')?.type).toBe('i82551');
  });

  it('refuses what the schema refuses, with the same problems as plugboard run', async () => {
    const bad: Json = { memory: 'lots', devices: { nic: { typo: 1 } } };
    const page = await loadPageProfile('puredarwin-xmas.json', base, [bad]).catch((e: unknown) => e);
    let node: unknown;
    try {
      loadProfile(join(machines, 'puredarwin-xmas.json'), [bad]);
    } catch (e) {
      node = e;
    }
    expect(page).toBeInstanceOf(ProfileError);
    expect(node).toBeInstanceOf(ProfileError);
    expect((page as ProfileError).problems.length).toBeGreaterThan(0);
    expect((page as ProfileError).problems).toEqual((node as ProfileError).problems);
  });
});
