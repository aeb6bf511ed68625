import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  Clock,
  captureState,
  decodeState,
  encodeState,
  objectState,
  readSnapshot,
  restoreState,
  StateError,
} from '../src/index.js';

class Counter {
  count = 0;
  readonly regs = new Uint16Array(4);
  flags = { armed: false, deadline: Number.POSITIVE_INFINITY };
  onChange = () => {};
}

class Device {
  readonly counters = [new Counter(), new Counter()];
  current: Counter;
  pending: Counter | null = null;
  history: number[] = [];
  constructor() {
    this.current = this.counters[0];
  }
}

describe('device state as data', () => {
  it('saves fields, typed arrays and nested objects, and loads them into a device built the same way', () => {
    const a = new Device();
    a.counters[1].count = 7;
    a.counters[1].regs.set([1, 2, 3, 0xffff]);
    a.counters[0].flags.deadline = 1234;
    a.current = a.counters[1];
    a.history = [3, -0, 5];
    const text = encodeState(captureState(a));
    const b = new Device();
    const regs = b.counters[1].regs;
    restoreState(b, decodeState(text));
    expect(encodeState(captureState(b))).toBe(text);
    // Typed arrays are filled in place (other code may hold them), shared objects stay shared.
    expect(b.counters[1].regs).toBe(regs);
    expect(b.current).toBe(b.counters[1]);
    expect(Object.is(b.history[1], -0)).toBe(true);
    expect(b.counters[1].flags.deadline).toBe(Number.POSITIVE_INFINITY);
    expect(b.counters[0].flags.deadline).toBe(1234);
  });

  it('saves a large typed array by its nonzero 4 KiB pages, and loads it whole', () => {
    const vram = new Float64Array(1 << 17); // 1 MiB
    vram[3] = 1.5;
    vram[(1 << 17) - 1] = -2;
    const text = encodeState({ vram });
    // Two pages of base64, not 1 MiB of it.
    expect(text.length).toBeLessThan(3 * 4096 * 1.4);
    const back = (decodeState(text) as { vram: Float64Array }).vram;
    expect(back).toBeInstanceOf(Float64Array);
    expect(back).toEqual(vram);
    expect(encodeState({ vram: back })).toBe(text);
  });

  it('refuses a sparse typed array larger than it may be, or with a page outside it', () => {
    expect(() => decodeState('{"a":{"$ta":"Uint8Array","bytes":1099511627776,"pages":[]}}')).toThrow(
      /a sparse Uint8Array of 1099511627776 bytes/,
    );
    expect(() => decodeState('{"a":{"$ta":"Uint8Array","bytes":65536,"pages":[[16,"AA=="]]}}')).toThrow(
      /page 16 lies outside its 65536 bytes/,
    );
  });

  it('refuses an object of a class where the device has none, naming the path', () => {
    const a = new Device();
    a.pending = new Counter();
    const state = captureState(a);
    expect(() => restoreState(new Device(), state)).toThrow(StateError);
    expect(() => restoreState(new Device(), state)).toThrow(/state \/pending: the device has no object here/);
  });

  it('never enters skipped fields, boundary objects or views within a boundary view', () => {
    // RAM lies in a larger memory whose other bytes hold device state (the CPU's registers).
    const memory = new ArrayBuffer(1 << 17);
    const ram = new Uint8Array(memory, 1 << 16, 1 << 16);
    const regs = new Int32Array(memory, 0, 4);
    regs[1] = 7;
    const bus = { big: ram };
    const dev = { window: ram.subarray(0, 4096), bus, cache: new Uint8Array(8), regs, value: 3 };
    const state = captureState(dev, {
      skip: ['cache'],
      boundary: new Set<object>([ram, bus]),
    }) as Record<string, unknown>;
    expect(Object.keys(state)).toEqual(['regs', 'value']);
    expect([...(state.regs as Int32Array)]).toEqual([0, 7, 0, 0]);
  });

  it('objectState runs afterLoad once the fields are back', () => {
    const a = { x: 1 };
    let seen = -1;
    const handle = objectState({ a }, { version: 2, afterLoad: () => (seen = a.x) });
    const saved = handle.save();
    a.x = 9;
    handle.load(saved);
    expect(seen).toBe(1);
    expect(handle.version).toBe(2);
  });
});

describe('the clock', () => {
  function clock() {
    const c = new Clock();
    const fired: string[] = [];
    c.owner = 'nic';
    const t1 = c.createTimer('TimerInt', () => fired.push('nic TimerInt'));
    c.owner = 'rtc';
    const t2 = c.createTimer('update', () => fired.push('rtc update'));
    c.owner = '';
    return { c, t1, t2, fired };
  }

  it('saves time and every timer by owner and name; loading re-arms the same callbacks', () => {
    const a = clock();
    a.c.advance(500);
    a.t1.arm(2000);
    a.t2.arm(1000);
    const state = a.c.saveState();
    expect(state.timers.map((t) => t.id)).toEqual(['nic:TimerInt', 'rtc:update']);
    const b = clock();
    b.c.loadState(state);
    expect(b.c.now).toBe(500);
    expect(b.c.nextDeadline).toBe(1000);
    b.c.advance(1600);
    b.c.runDue();
    expect(b.fired).toEqual(['rtc update', 'nic TimerInt']);
  });

  it('refuses a snapshot whose timers differ, naming them', () => {
    const a = new Clock();
    a.owner = 'nic';
    a.createTimer('TimerInt', () => {});
    const b = new Clock();
    b.owner = 'nic0';
    b.createTimer('TimerInt', () => {});
    expect(() => b.loadState(a.saveState())).toThrow(
      /nic0:TimerInt not in the snapshot, nic:TimerInt not in this machine/,
    );
  });
});

describe('the snapshot file', () => {
  it('refuses what is not one, naming the file and offset', () => {
    expect(() => readSnapshot(Buffer.from('not a snapshot at all'), 'x.pbsnap')).toThrow(
      /x.pbsnap: not a Plugboard snapshot \(no PLUGSNAP magic at offset 0\)/,
    );
    const head = Buffer.alloc(16);
    head.write('PLUGSNAP', 'latin1');
    head.writeUInt32LE(99, 8);
    expect(() => readSnapshot(head, 'y.pbsnap')).toThrow(
      /y.pbsnap: snapshot format 99 at offset 8; this build reads format 3/,
    );
    head.writeUInt32LE(3, 8);
    head.writeUInt32LE(1000, 12);
    expect(() => readSnapshot(head, 'z.pbsnap')).toThrow(
      /z.pbsnap: truncated: the header at offset 16 needs 1000 bytes/,
    );
  });
});

describe('a snapshot file that inflates to more than it says', () => {
  /** A file with one page listed in its bitmap and `ramBytes` of RAM after it. */
  const file = (ram: Buffer) => {
    const u32 = (n: number) => {
      const b = Buffer.alloc(4);
      b.writeUInt32LE(n);
      return b;
    };
    const header = Buffer.from(JSON.stringify({ profile: {}, profileHash: 'x', ramBytes: 8 * 4096 }));
    const state = deflateRawSync(Buffer.from(encodeState({ devices: [] })));
    const bitmap = deflateRawSync(Buffer.from([0b1]));
    const writes = deflateRawSync(Buffer.from('[]'));
    return Buffer.concat([
      Buffer.from('PLUGSNAP', 'latin1'),
      u32(3),
      u32(header.length),
      header,
      u32(state.length),
      state,
      u32(bitmap.length),
      bitmap,
      u32(writes.length),
      writes,
      deflateRawSync(ram),
    ]);
  };

  it('inflates the pages its bitmap lists', () => {
    const { pages } = readSnapshot(file(Buffer.alloc(4096, 7)), 'one.pbsnap').body();
    expect(pages.length).toBe(4096);
    expect(pages[4095]).toBe(7);
  });

  it('refuses RAM that inflates past the pages its bitmap lists (a deflate bomb fills no memory)', () => {
    expect(() => readSnapshot(file(Buffer.alloc(64 << 20)), 'bomb.pbsnap').body()).toThrow(
      /bomb.pbsnap: RAM at offset \d+ does not inflate to the 1 pages its bitmap lists/,
    );
  });
});
