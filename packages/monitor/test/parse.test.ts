import { describe, expect, it } from 'vitest';
import { MonitorSpecError, parseCommandLine, parseMonitorSpec } from '../src/index.js';

describe('parseCommandLine', () => {
  it('splits on blanks and drops empty lines', () => {
    expect(parseCommandLine('  info   pci ')).toEqual(['info', 'pci']);
    expect(parseCommandLine('')).toEqual([]);
    expect(parseCommandLine('\t ')).toEqual([]);
    expect(parseCommandLine('sendkey ctrl-alt-delete 200')).toEqual(['sendkey', 'ctrl-alt-delete', '200']);
  });

  it('keeps blanks inside double quotes and unescapes backslashes there', () => {
    expect(parseCommandLine('screendump "my shot.png"')).toEqual(['screendump', 'my shot.png']);
    expect(parseCommandLine('x "a \\"b\\" c"')).toEqual(['x', 'a "b" c']);
  });

  it('rejects an unterminated string', () => {
    expect(() => parseCommandLine('screendump "oops')).toThrow(/unterminated/);
  });
});

describe('parseMonitorSpec', () => {
  it('reads stdio, none and listening TCP', () => {
    expect(parseMonitorSpec('stdio')).toEqual({ type: 'stdio' });
    expect(parseMonitorSpec('none')).toBeNull();
    expect(parseMonitorSpec('tcp:127.0.0.1:4444,server,nowait')).toEqual({
      type: 'tcp',
      host: '127.0.0.1',
      port: 4444,
      wait: false,
    });
    expect(parseMonitorSpec('tcp::4444,server')).toEqual({
      type: 'tcp',
      host: '127.0.0.1',
      port: 4444,
      wait: true,
    });
  });

  it('names what is wrong', () => {
    expect(() => parseMonitorSpec('tcp:127.0.0.1:4444')).toThrow(/add ,server/);
    expect(() => parseMonitorSpec('tcp:127.0.0.1:4444,server,bogus')).toThrow(/unknown option bogus/);
    expect(() => parseMonitorSpec('vc')).toThrow(MonitorSpecError);
  });
});
