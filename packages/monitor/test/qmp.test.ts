import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Monitor } from '../src/monitor.js';
import { JsonSplitter, MAX_COMMAND } from '../src/qmp/json-stream.js';
import { parseQmpSpec } from '../src/qmp/server.js';
import { QmpEvents, QmpSession } from '../src/qmp/session.js';
import { puredarwinXmas } from './machine.js';

describe('QMP input', () => {
  it('splits JSON texts arriving in any pieces, braces in strings included', () => {
    const texts: string[] = [];
    const splitter = new JsonSplitter(
      (t) => texts.push(t),
      () => texts.push('too long'),
    );
    const input = '{"execute":"a","arguments":{"command-line":"x \\"}{\\" y"}}  {"execute":"b"}\n[1,[2]]';
    for (const ch of input) splitter.feed(ch);
    expect(texts).toEqual([
      '{"execute":"a","arguments":{"command-line":"x \\"}{\\" y"}}',
      '{"execute":"b"}',
      '[1,[2]]',
    ]);
    expect(JSON.parse(texts[0]).arguments['command-line']).toBe('x "}{" y');
    texts.length = 0;
    splitter.feed('garbage 1\n{}');
    expect(texts).toEqual(['garbage1', '{}']);
  });

  it('drops a text that never closes once it passes the limit, and reads the next one', () => {
    const texts: string[] = [];
    const splitter = new JsonSplitter(
      (t) => texts.push(t),
      () => texts.push('too long'),
    );
    splitter.feed(`{"execute": "${'a'.repeat(MAX_COMMAND)}`);
    splitter.feed(`${'a'.repeat(MAX_COMMAND)}"}\n{"execute": "next"}`);
    expect(texts).toEqual(['too long', '{"execute": "next"}']);
    expect((splitter as unknown as { text: string }).text.length).toBeLessThan(MAX_COMMAND);
  });
});

describe('-qmp specs', () => {
  it("takes QEMU's spellings, and refuses what it cannot do", () => {
    expect(parseQmpSpec('tcp:localhost:4444,server,nowait')).toEqual({
      type: 'tcp',
      host: 'localhost',
      port: 4444,
      wait: false,
    });
    expect(parseQmpSpec('tcp::4444,server=on,wait=off')).toMatchObject({ host: '127.0.0.1', wait: false });
    expect(parseQmpSpec('unix:/tmp/q.sock,server=on')).toEqual({
      type: 'unix',
      path: '/tmp/q.sock',
      wait: true,
    });
    expect(parseQmpSpec('none')).toBeNull();
    expect(() => parseQmpSpec('tcp::4444')).toThrow(/add ,server=on/);
    expect(() => parseQmpSpec('tcp::4444,server,telnet')).toThrow(/unknown option telnet/);
    expect(parseQmpSpec('stdio')).toEqual({ type: 'stdio', wait: false });
    expect(() => parseQmpSpec('mon:stdio')).toThrow(/cannot share the terminal with a console/);
  });
});

describe('QMP media and link commands', () => {
  it('eject, blockdev-change-medium and set_link go through the monitor commands of the same job', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'plugboard-qmp-media-'));
    const iso = join(dir, 'a.iso');
    writeFileSync(iso, new Uint8Array(2048 * 12));
    const machine = await puredarwinXmas([
      {
        drives: { cd: { type: 'file', config: { file: iso, readOnly: true, format: 'raw' } } },
        devices: { ide: { config: { secondary: { master: { drive: 'cd', media: 'cdrom' } } } } },
      },
    ]);
    const out: Record<string, unknown>[] = [];
    const session = new QmpSession(new Monitor(machine), { version: '0.1.0' }, new QmpEvents(machine), (t) =>
      out.push(JSON.parse(t)),
    );
    const run = async (command: Record<string, unknown>) => {
      session.feed(JSON.stringify(command));
      for (let i = 0; i < 100 && !out.some((o) => o.id === command.id); i++)
        await new Promise((r) => setTimeout(r, 5));
      return out.find((o) => o.id === command.id);
    };
    const ide = machine.device<{ info(): string }>('ide')!;
    await run({ execute: 'qmp_capabilities', id: 0 });
    expect(await run({ execute: 'eject', arguments: { device: 'ide1-cd0' }, id: 1 })).toEqual({
      return: {},
      id: 1,
    });
    expect(ide.info()).toContain('cdrom, no media');
    expect(
      await run({
        execute: 'blockdev-change-medium',
        arguments: { device: 'cd', filename: iso, format: 'raw' },
        id: 2,
      }),
    ).toEqual({ return: {}, id: 2 });
    expect(ide.info()).toContain('cdrom, 12 blocks');
    expect(await run({ execute: 'eject', arguments: {}, id: 3 })).toMatchObject({
      error: { class: 'GenericError' },
    });
    expect(await run({ execute: 'set_link', arguments: { name: 'nic', up: false }, id: 4 })).toEqual({
      return: {},
      id: 4,
    });
    expect(await run({ execute: 'set_link', arguments: { name: 'nic', up: 'no' }, id: 5 })).toMatchObject({
      error: { desc: "Parameter 'up' is missing or not a boolean" },
    });
    expect(await run({ execute: 'set_link', arguments: { name: 'eth7', up: true }, id: 6 })).toMatchObject({
      error: { class: 'GenericError', desc: expect.stringMatching(/Device 'eth7' not found/) },
    });
    await machine.destroy();
  });
});
