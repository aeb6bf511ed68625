import { EscapeDecoder } from '@plugboard/core';
import { describe, expect, it } from 'vitest';

function decoder() {
  const events: string[] = [];
  const d = new EscapeDecoder({
    data: (bytes) => events.push(`data:${Buffer.from(bytes).toString('latin1')}`),
    quit: () => events.push('quit'),
    switchFocus: () => events.push('switch'),
    help: () => events.push('help'),
  });
  const feed = (s: string) => d.feed(Buffer.from(s, 'latin1'));
  return { events, feed };
}

describe('Ctrl-A escapes', () => {
  it('passes plain input through in one piece', () => {
    const { events, feed } = decoder();
    feed('ls -l\r');
    expect(events).toEqual(['data:ls -l\r']);
  });

  it('switches, quits and helps in the order typed, splitting the data around them', () => {
    const { events, feed } = decoder();
    feed('ab\x01cde\x01hf\x01x');
    expect(events).toEqual(['data:ab', 'switch', 'data:de', 'help', 'data:f', 'quit']);
  });

  it('takes upper case and ? as QEMU does', () => {
    const { events, feed } = decoder();
    feed('\x01C\x01?\x01X');
    expect(events).toEqual(['switch', 'help', 'quit']);
  });

  it('sends one Ctrl-A for Ctrl-A Ctrl-A and drops unknown escapes', () => {
    const { events, feed } = decoder();
    feed('a\x01\x01b\x01zc');
    expect(events).toEqual(['data:a', 'data:\x01b', 'data:c']);
  });

  it('keeps an escape begun at the end of one chunk for the next', () => {
    const { events, feed } = decoder();
    feed('top\x01');
    expect(events).toEqual(['data:top']);
    feed('c');
    expect(events).toEqual(['data:top', 'switch']);
    feed('\x01');
    feed('\x01');
    expect(events).toEqual(['data:top', 'switch', 'data:\x01']);
  });
});
