import { describe, expect, it } from 'vitest';
import { ProgressLine } from '../src/progress.js';

function setup(options: { suppressed?: () => boolean } = {}) {
  let written = '';
  const stream = {
    columns: 80,
    write: (s: string) => {
      written += s;
      return true;
    },
  } as unknown as NodeJS.WriteStream;
  let now = 0;
  let instructions = 0;
  let paused = false;
  let skipped = 0;
  const line = new ProgressLine(
    stream,
    {
      instructions: () => instructions,
      virtualNs: () => instructions * 10 + skipped,
      skippedNs: () => skipped,
      paused: () => paused,
    },
    { quietMs: 3000, now: () => now, ...options },
  );
  return {
    line,
    advance(ms: number, ran: number) {
      now += ms;
      instructions += ran;
      line.tick();
    },
    pause: () => {
      paused = true;
    },
    skip: (ns: number) => {
      skipped += ns;
    },
    take() {
      const w = written;
      written = '';
      return w;
    },
  };
}

describe('the progress line', () => {
  it('stays away while the guest printed recently, then shows time, instructions and MIPS', () => {
    const p = setup();
    p.advance(1000, 50_000_000);
    p.advance(1000, 50_000_000);
    expect(p.take()).toBe('');
    p.advance(1000, 80_000_000);
    expect(p.take()).toBe('\r[plugboard] 1.800 s virtual, 180,000,000 instructions, 80.0 MIPS\x1b[K');
    p.advance(1000, 90_000_000);
    expect(p.take()).toBe('\r[plugboard] 2.700 s virtual, 270,000,000 instructions, 90.0 MIPS\x1b[K');
  });

  it('says how much of the virtual time fast-forward skipped, once it skipped any', () => {
    const p = setup();
    p.advance(3000, 1_000_000);
    p.take();
    p.skip(2_500_000_000);
    p.advance(1000, 1_000_000);
    expect(p.take()).toBe(
      '\r[plugboard] 2.520 s virtual (2.500 s skipped), 2,000,000 instructions, 1.0 MIPS\x1b[K',
    );
  });

  it('goes before the guest prints, and waits for quiet again', () => {
    const p = setup();
    p.advance(3000, 1);
    p.take();
    p.line.output('hello\n');
    expect(p.take()).toBe('\r\x1b[2K\r');
    p.advance(1000, 1);
    expect(p.take()).toBe('');
  });

  it('goes below a line the guest left open and puts the cursor back after it', () => {
    const p = setup();
    p.line.output('login: ');
    p.advance(3000, 1);
    expect(p.take()).toMatch(/^\n\[plugboard\] /);
    p.advance(1000, 1);
    expect(p.take()).toMatch(/^\r\[plugboard\] /);
    p.line.output('r');
    // Erase the status line, up one line, to column 7 (after "login: ").
    expect(p.take()).toBe('\r\x1b[2K\x1b[1A\x1b[8G');
  });

  it('does not count escape sequences or backspaced characters as columns', () => {
    const p = setup();
    p.line.output('/ # \x1b[6nab\b\b');
    p.advance(3000, 1);
    p.take();
    p.line.output('x');
    expect(p.take()).toBe('\r\x1b[2K\x1b[1A\x1b[5G');
  });

  it('says paused when the machine is stopped, and hides while suppressed', () => {
    let suppressed = false;
    const p = setup({ suppressed: () => suppressed });
    p.pause();
    p.advance(3000, 0);
    expect(p.take().endsWith('instructions, paused\x1b[K')).toBe(true);
    suppressed = true;
    p.advance(1000, 0);
    expect(p.take()).toBe('\r\x1b[2K\r');
    p.advance(1000, 0);
    expect(p.take()).toBe('');
  });

  it('clears itself when stopped', () => {
    const p = setup();
    p.advance(3000, 1);
    p.take();
    p.line.stop();
    expect(p.take()).toBe('\r\x1b[2K\r');
    p.line.stop();
    expect(p.take()).toBe('');
  });
});
