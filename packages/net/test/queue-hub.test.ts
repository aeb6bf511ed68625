import { describe, expect, it } from 'vitest';
import { FrameQueue, Hub } from '../src/index.js';
import { FakeNic, frame } from './helpers.js';

describe('FrameQueue', () => {
  it('copies frames, keeps order and drops beyond its frame and byte limits', () => {
    const q = new FrameQueue(3, 200);
    const f = frame(60, 1);
    expect(q.push(f)).toBe(true);
    f.fill(9);
    expect(q.push(frame(60, 2))).toBe(true);
    expect(q.push(frame(100, 3))).toBe(false);
    expect(q.push(frame(60, 3))).toBe(true);
    expect(q.push(frame(10, 4))).toBe(false);
    expect(q.dropped).toBe(2);
    expect([q.shift()![0], q.shift()![0], q.shift()![0], q.shift()]).toEqual([1, 2, 3, undefined]);
  });

  it('delivers directly when the NIC has room and holds frames until it does', () => {
    const q = new FrameQueue(4);
    const nic = new FakeNic();
    nic.room = 1;
    q.deliver(nic, frame(60, 1));
    q.deliver(nic, frame(60, 2));
    q.deliver(nic, frame(60, 3));
    expect(nic.received.map((f) => f[0])).toEqual([1]);
    nic.room = 10;
    q.deliver(nic, frame(60, 4));
    expect(nic.received.map((f) => f[0])).toEqual([1]);
    q.flush(nic);
    expect(nic.received.map((f) => f[0])).toEqual([1, 2, 3, 4]);
  });
});

describe('Hub', () => {
  it('forwards every frame to every other member, never back to the sender', () => {
    const hub = new Hub('hub0');
    const [a, b, c] = [new FakeNic(), new FakeNic(), new FakeNic()];
    const pa = hub.connect(a);
    hub.connect(b);
    const pc = hub.connect(c);
    pa.send(frame(64, 0xaa));
    expect(a.received).toHaveLength(0);
    expect(b.received[0]![0]).toBe(0xaa);
    expect(c.received[0]![0]).toBe(0xaa);
    pc.disconnect();
    pa.send(frame(64, 0xbb));
    expect(c.received).toHaveLength(1);
    expect(b.received).toHaveLength(2);
  });

  it('holds frames for a full NIC up to its limit, counts drops, and releases on receiveReady', () => {
    const hub = new Hub('hub0', 2);
    const a = new FakeNic();
    const b = new FakeNic();
    const pa = hub.connect(a);
    const pb = hub.connect(b);
    b.room = 0;
    for (let i = 0; i < 5; i++) pa.send(frame(60, i));
    expect(hub.dropped).toBe(3);
    b.room = 10;
    pb.receiveReady();
    expect(b.received.map((f) => f[0])).toEqual([0, 1]);
  });

  it('attaches another netdev as a member, so two NICs and a backend share a segment', () => {
    const inner = new Hub('other');
    const far = new FakeNic();
    const pFar = inner.connect(far);
    const hub = new Hub('hub0');
    hub.attach(inner);
    const near = new FakeNic();
    const pNear = hub.connect(near);
    pNear.send(frame(60, 7));
    expect(far.received.map((f) => f[0])).toEqual([7]);
    pFar.send(frame(60, 8));
    expect(near.received.map((f) => f[0])).toEqual([8]);
    hub.close();
  });
});
