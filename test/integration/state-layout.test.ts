import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type StateTree, saveMachineState } from '@plugboard/core';
import { describe, expect, it } from 'vitest';
import { machine, root } from './boot.js';

/**
 * Device state is read off a device's live fields (`objectState`), so a
 * field added to a device (a cache, a host handle) is saved unless its
 * plugin skips it, and a field renamed breaks old snapshots silently unless
 * the state version moves. This pins what each device saves: its state
 * version and the shape of its state (field paths, typed-array kinds and
 * lengths), declared in test/fixtures/state-layout.json. A change fails
 * here until it is declared there, on purpose: skip what is not state,
 * and bump the plugin's state version when old snapshots no longer fit.
 * `UPDATE_STATE_LAYOUT=1` rewrites the file from the devices as built.
 */
const FIXTURE = join(root, 'test/fixtures/state-layout.json');

/** The shape of a state tree: one line per leaf, arrays of like entries folded into `[]`. */
function layout(tree: StateTree, path = ''): string[] {
  if (tree === null || typeof tree !== 'object') return [`${path}: ${tree === null ? 'null' : typeof tree}`];
  if (ArrayBuffer.isView(tree)) {
    const n = (tree as unknown as { length?: number }).length ?? tree.byteLength;
    return [`${path}: ${tree.constructor.name}(${n})`];
  }
  if (Array.isArray(tree)) {
    const lines = new Set<string>();
    for (const x of tree) for (const l of layout(x, `${path}[]`)) lines.add(l);
    return lines.size ? [...lines] : [`${path}: []`];
  }
  return Object.keys(tree)
    .sort()
    .flatMap((k) => layout((tree as Record<string, StateTree>)[k], `${path}/${k}`));
}

type Layouts = Record<string, { version: number; fields: string[] }>;

async function layoutsOf(profile: string): Promise<Layouts> {
  const m = await machine(profile, []);
  const out: Layouts = {};
  for (const d of saveMachineState(m).devices)
    out[d.type] = { version: d.version, fields: [...new Set(layout(d.state))].sort() };
  await m.destroy();
  return out;
}

describe('what each device saves', () => {
  it('is the state version and field list declared in test/fixtures/state-layout.json', {
    timeout: 240_000,
  }, async () => {
    // Both NIC families: the default machine has an RTL8139, the variant an i82557B.
    const now: Layouts = {
      ...(await layoutsOf('puredarwin-xmas')),
      ...(await layoutsOf('puredarwin-xmas-i82557b')),
    };
    if (process.env.UPDATE_STATE_LAYOUT === '1') writeFileSync(FIXTURE, `${JSON.stringify(now, null, 2)}\n`);
    const declared = JSON.parse(readFileSync(FIXTURE, 'utf8')) as Layouts;
    for (const type of Object.keys(now).sort()) {
      const was = declared[type];
      expect(was, `${type} saves state and is not declared in ${FIXTURE}`).toBeDefined();
      const added = now[type].fields.filter((f) => !was.fields.includes(f));
      const removed = was.fields.filter((f) => !now[type].fields.includes(f));
      expect(
        { type, version: now[type].version, added, removed },
        `${type}: its saved fields changed: skip what is not state, else declare them (UPDATE_STATE_LAYOUT=1) and bump its state version if old snapshots no longer fit`,
      ).toEqual({ type, version: was.version, added: [], removed: [] });
    }
    expect(Object.keys(declared).sort()).toEqual(Object.keys(now).sort());
  });
});
