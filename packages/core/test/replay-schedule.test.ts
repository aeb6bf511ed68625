import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Clock,
  type Cpu,
  createMachineParts,
  type InputGate,
  Machine,
  type NetworkBackend,
  type NetworkClient,
  type NetworkPort,
  plugNetwork,
  Recorder,
  ReplayDivergence,
  Replayer,
  readLog,
  type Timer,
} from '@plugboard/core';
import { describe, expect, it } from 'vitest';

const SERIAL_INPUTS = 24;
const FRAMES = 24;

/**
 * A toy guest: a state that every instruction scrambles and every input
 * changes, a serial inbox, a NIC ring of two frames the guest drains now and
 * then (its `canReceive` counts refusals, as a chip flags an exhausted ring),
 * and halts: with a timer, or (while it still expects serial input) waiting
 * for input with no timer at all, where the run loop waits on host time.
 */
class ToyGuest implements NetworkClient {
  state: number;
  inbox: number[] = [];
  ring: Uint8Array[] = [];
  refusals = 0;
  consumed = 0;
  steps = 0;
  port: NetworkPort | null = null;
  readonly transcript: string[] = [];
  readonly timer: Timer;

  constructor(
    readonly machine: Machine,
    seed: number,
  ) {
    this.state = seed;
    this.timer = machine.clock.createTimer('toy', () => {
      this.cpu.halted = false;
    });
  }

  get cpu(): ToyCpu {
    return this.machine.cpu as ToyCpu;
  }

  private note(what: string): void {
    const { instructions, time } = this.machine.position();
    this.transcript.push(`${instructions}@${time} ${what} ${this.state}`);
  }

  serial = (data: Uint8Array): void => {
    this.inbox.push(...data);
    this.cpu.halted = false;
  };

  canReceive(): boolean {
    if (this.ring.length < 2) return true;
    this.refusals++;
    return false;
  }

  receive(frame: Uint8Array): void {
    this.ring.push(frame.slice());
    this.note(`frame ${frame[0]} (refused ${this.refusals})`);
    this.cpu.halted = false;
  }

  /** One instruction. */
  step(): void {
    this.state = (Math.imul(this.state, 1103515245) + 12345) >>> 0;
    const byte = this.inbox.shift();
    if (byte !== undefined) {
      this.state ^= byte;
      this.consumed++;
      this.note(`serial ${byte}`);
    }
    if (this.ring.length && (this.state & 0xff) < 4) {
      this.state ^= this.ring.shift()![0];
      this.note('drained');
      this.port?.receiveReady();
    }
    // The first halt waits for input with no timer (Node runs no host timer before the loop first waits).
    const first = ++this.steps === 5000;
    if ((this.state & 0x3ffff) === 7 || first) {
      this.cpu.halted = true;
      if (first) this.timer.cancel();
      else if (this.consumed >= SERIAL_INPUTS || this.state & 0x10000) this.timer.armIn(this.state & 0xfffff);
      this.note('hlt');
    }
  }
}

/** The slice protocol as cpu-x86 keeps it: `retired` current, the count added when the slice ends. */
class ToyCpu implements Cpu {
  halted = false;
  interruptible = true;
  instructionCount = 0;
  guest!: ToyGuest;
  constructor(private readonly clock: Clock) {}
  run(budget: number): number {
    const clock = this.clock;
    clock.beginSlice(budget);
    let n = 0;
    while (n < clock.sliceLimit && !this.halted) {
      clock.retired = n;
      this.guest.step();
      n++;
    }
    this.instructionCount += n;
    return n;
  }
  registers() {
    return {};
  }
  startProtectedMode(): void {}
  info(): string {
    return 'toy';
  }
}

/** A netdev on the host: frames come from host timers, held while the NIC has no room. */
class HostNet implements NetworkBackend {
  readonly id = 'net0';
  client: NetworkClient | null = null;
  held: Uint8Array[] = [];
  connect(client: NetworkClient): NetworkPort {
    this.client = client;
    return { send() {}, receiveReady: () => this.flush(), disconnect() {} };
  }
  arrive(frame: Uint8Array): void {
    this.held.push(frame);
    this.flush();
  }
  flush(): void {
    while (this.client && this.held.length && this.client.canReceive())
      this.client.receive(this.held.shift()!);
  }
  close(): void {}
}

function toyMachine(gate: InputGate, seed: number, net: NetworkBackend | null) {
  const parts = createMachineParts({ name: 'toy', memoryBytes: 1 << 16 });
  const m = new Machine(parts);
  const cpu = new ToyCpu(parts.clock);
  m.cpu = cpu;
  m.gateInputs(gate);
  const guest = new ToyGuest(m, seed);
  cpu.guest = guest;
  const push = gate.channel('serial:toy', guest.serial);
  guest.port = plugNetwork(gate.network('net0', net), guest, () => {});
  return { m, guest, push };
}

/** Host input at host-chosen moments: the nondeterminism a recording captures. */
function hostTraffic(push: (data: Uint8Array) => void, net: HostNet): Promise<void> {
  const sends: Promise<void>[] = [];
  for (let i = 0; i < SERIAL_INPUTS; i++)
    sends.push(new Promise((r) => setTimeout(() => r(push(Uint8Array.of(i + 1))), 1 + Math.random() * 40)));
  for (let i = 0; i < FRAMES; i++)
    sends.push(
      new Promise((r) => setTimeout(() => r(net.arrive(Uint8Array.of(100 + i, i))), Math.random() * 40)),
    );
  return Promise.all(sends).then(() => {});
}

const LIMIT = 3_000_000;

async function record(path: string) {
  const recorder = new Recorder(path, { profile: { name: 'toy', hash: '0' }, start: { kind: 'power-on' } });
  const net = new HostNet();
  const { m, guest, push } = toyMachine(recorder, 1, net);
  const traffic = hostTraffic(push, net);
  const event = await m.run({ maxInstructions: LIMIT });
  await traffic;
  await m.destroy();
  return { event, guest, end: m.position() };
}

/** Replays in runs of `chunk` instructions: slices end elsewhere than in the recording. */
async function replay(path: string, seed = 1, chunk = LIMIT) {
  const replayer = new Replayer(path, readLog(path));
  const { m, guest } = toyMachine(replayer, seed, null);
  let event = await m.run({ maxInstructions: Math.min(chunk, LIMIT) });
  for (let limit = 2 * chunk; replayer.pending > 0; limit += chunk)
    event = await m.run({ maxInstructions: Math.min(limit, LIMIT) });
  await m.destroy();
  return { event, guest, end: m.position() };
}

describe('record and replay scheduling', () => {
  it('delivers every input at the instruction count and time it was recorded at, whatever the host did', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'plugboard-replay-')), 'toy.pbr');
    const recorded = await record(path);
    expect(recorded.guest.consumed).toBe(SERIAL_INPUTS);
    expect(recorded.guest.transcript.filter((l) => l.includes(' frame ')).length).toBe(FRAMES);
    // The ring filled: refusals happened and are part of what must replay.
    expect(recorded.guest.refusals).toBeGreaterThan(0);
    const log = readLog(path);
    const kinds = new Set(log.entries.map((e) => e.kind));
    expect([...kinds].sort()).toEqual([2, 3, 4, 6]);

    for (const chunk of [LIMIT, 77_777]) {
      const replayed = await replay(path, 1, chunk);
      expect(replayed.guest.transcript).toEqual(recorded.guest.transcript);
      expect(replayed.guest.refusals).toBe(recorded.guest.refusals);
      expect(replayed.end).toEqual(recorded.end);
      expect(replayed.event).toEqual(recorded.event);
    }
  });

  it('a replay that leaves the recording stops with a divergence naming the input', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'plugboard-replay-')), 'toy.pbr');
    await record(path);
    await expect(replay(path, 2)).rejects.toThrow(ReplayDivergence);
    await expect(replay(path, 2)).rejects.toThrow(/diverged: .* at instruction \d+/);
  });

  it('a host-side timer leaves the guest schedule once detached: no slice end, no nextDeadline; runHostDue fires it', () => {
    const clock = new Clock();
    const fired: number[] = [];
    const host = clock.createHostTimer('slirp', (now) => fired.push(now));
    host.arm(500);
    expect(clock.nextDeadline).toBe(500);
    clock.detachHostTimers();
    expect(clock.nextDeadline).toBe(Number.POSITIVE_INFINITY);
    clock.beginSlice(1000);
    host.arm(200);
    expect(clock.sliceLimit).toBe(1000);
    clock.retired = 100;
    clock.runHostDue();
    expect(fired).toEqual([]);
    clock.retired = 300;
    clock.runHostDue();
    expect(fired).toEqual([300]);
    expect(host.armed).toBe(false);
  });
});
