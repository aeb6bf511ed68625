import { describe, expect, it } from 'vitest';
import { JsonSplitter, MAX_COMMAND } from '../src/qmp/json-stream.js';
import { parseQmpSpec } from '../src/qmp/server.js';

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
    expect(() => parseQmpSpec('stdio')).toThrow(/not supported here/);
  });
});
