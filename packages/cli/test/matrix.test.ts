import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { judge } from '../src/matrix/cell.js';
import { junit, table } from '../src/matrix/report.js';
import { loadMatrix } from '../src/matrix/spec.js';

const machines = fileURLToPath(new URL('../../../machines/', import.meta.url));

function spec(json: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), 'pb-matrix-')), 'spec.json');
  writeFileSync(file, JSON.stringify(json));
  return file;
}

describe('matrix specs', () => {
  it('the shipped NIC matrix has a cell per NIC model, each with its driver check on top of the common ones', () => {
    const m = loadMatrix(`${machines}matrix-nics.json`);
    expect(m.cells.map((c) => c.name)).toEqual([
      'rtl8139/linux',
      'rtl8139c/linux',
      'i82557b/linux',
      'i82551/linux',
      'i82559er/linux',
    ]);
    const e100 = m.cells[2];
    expect(e100.profile).toBe(`${machines}puredarwin-xmas-i82557b.json`);
    expect(e100.checks.expect).toContain('^PLUGBOARD nic eth0 e100 ');
    expect(e100.checks.expect).toContain('^PLUGBOARD done');
    const boot = e100.layers[2] as { devices: { bios: { type: string; config: { kernel: string } } } };
    expect(boot.devices.bios.type).toBe('linux-direct');
    expect(boot.devices.bios.config.kernel).toMatch(/plugboard\/guests\/vmlinuz$/);
  });

  it('crosses machines with guests, joining command lines machine after guest', () => {
    const m = loadMatrix(
      spec({
        name: 'x',
        profile: `${machines}pc.json`,
        machines: { a: { append: 'plugboard.nic=e100' }, b: { set: { memory: '64M' } } },
        guests: { g1: { kernel: '/k', append: 'console=ttyS0' }, g2: { set: { name: 'y' } } },
      }),
    );
    expect(m.cells.map((c) => c.name)).toEqual(['a/g1', 'a/g2', 'b/g1', 'b/g2']);
    expect(m.cells[0].layers[2]).toEqual({
      devices: {
        bios: { type: 'linux-direct', config: { kernel: '/k', append: 'console=ttyS0 plugboard.nic=e100' } },
      },
    });
    expect(m.cells[2].layers[0]).toEqual({ memory: '64M' });
    expect(m.timeoutSeconds).toBe(1800);
  });

  it('refuses a malformed spec naming the file and the path', () => {
    const file = spec({ name: 'x', profile: 'p.json', machines: { a: { sett: {} } }, guests: { g: {} } });
    expect(() => loadMatrix(file)).toThrow(`${file}: /machines/a: must NOT have additional properties`);
    const bad = spec({
      name: 'x',
      profile: 'p.json',
      machines: { a: {} },
      guests: { g: { checks: { expect: ['('] } } },
    });
    expect(() => loadMatrix(bad)).toThrow(/\/g\/checks: Invalid regular expression/);
  });
});

describe('matrix reports', () => {
  const serial = 'PLUGBOARD booted 6.1\nPLUGBOARD nic eth0 e100 52:54:00:12:34:56\nPLUGBOARD dhcp failed\n';

  it('judges a serial log: missing, rejected, captured', () => {
    expect(
      judge(
        {
          expect: ['^PLUGBOARD booted', '^PLUGBOARD done'],
          reject: ['dhcp failed'],
          capture: { driver: 'nic eth0 (\\S+)', md5: 'md5 (\\w+)' },
        },
        serial,
      ),
    ).toEqual({
      failures: [
        'missing /^PLUGBOARD done/',
        'found /dhcp failed/: dhcp failed',
        'nothing captured for md5 (/md5 (\\w+)/)',
      ],
      captured: { driver: 'e100', md5: null },
    });
  });

  it('writes JUnit XML with a failure per failed cell and escapes what it quotes', () => {
    const base = {
      machine: 'i82557b',
      captured: {},
      exitCode: 0,
      instructions: 1,
      seconds: 2.5,
      artifacts: '/a',
    };
    const xml = junit('nics', [
      { ...base, name: 'i82557b/linux', guest: 'linux', status: 'pass', failures: [] },
      { ...base, name: 'i82557b/wrong', guest: 'wrong', status: 'fail', failures: ['found /<x>/: a & b'] },
    ]);
    expect(xml).toContain('<testsuite name="nics" tests="2" failures="1" errors="0" time="5.0">');
    expect(xml).toContain('<testcase classname="nics.i82557b" name="linux" time="2.5">');
    expect(xml).toContain('<failure message="found /&#60;x&#62;/: a &#38; b" type="fail">');
    const text = table(
      [{ ...base, name: 'i82557b/wrong', guest: 'wrong', status: 'fail', failures: ['missing /x/'] }],
      (c) => `rerun ${c}`,
    );
    expect(text).toContain('i82557b/wrong  FAIL    2.5 s');
    expect(text).toContain('  rerun: rerun i82557b/wrong');
  });
});
