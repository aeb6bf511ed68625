import type { NetworkBackend, NetworkClient } from '../net/network.js';
import { UserError } from '../user-error.js';
import type { InputGate } from './host-inputs.js';
import { EntryKind, type InputLog, type LogEntry } from './log-format.js';
import { NetInput } from './recorder.js';

type Attached = Parameters<InputGate['attach']>[0];

/** The replayed run left the recorded one: another image, build or profile, or a bug in the gate. */
export class ReplayDivergence extends UserError {
  constructor(file: string, what: string) {
    super(`replay of ${file} diverged: ${what}`);
    this.name = 'ReplayDivergence';
  }
}

const KIND_NAMES: Record<number, string> = {
  [EntryKind.Input]: 'input',
  [EntryKind.Refused]: 'a refused frame',
  [EntryKind.Idle]: 'a wait on host time',
  [EntryKind.Value]: 'a host value',
  [EntryKind.End]: 'the end of the recording',
};

/**
 * `--replay`: the log's inputs go to the guest at the sync point of the
 * instruction count and virtual time they were recorded at; host input is
 * ignored and network backends open nothing. Any difference from the
 * recording (an input whose point was passed, a NIC that answers otherwise,
 * a different end) is a `ReplayDivergence`.
 */
export class Replayer implements InputGate {
  readonly mode = 'replay';
  private machine: Attached | null = null;
  private next = 0;
  private readonly delivers = new Map<string, (data: Uint8Array) => void>();
  private readonly nics = new Map<string, NetworkClient>();
  private ended = false;

  constructor(
    private readonly file: string,
    private readonly log: InputLog,
  ) {}

  attach(machine: Attached): void {
    this.machine = machine;
  }

  private name(e: LogEntry): string {
    return this.log.channels.get(e.channel) ?? '';
  }

  private describe(e: LogEntry): string {
    const on = e.kind === EntryKind.Input || e.kind === EntryKind.Refused ? ` on ${this.name(e)}` : '';
    return `${KIND_NAMES[e.kind]}${on} at instruction ${e.instructions} (${e.time} ns)`;
  }

  private diverged(what: string): never {
    const at = this.machine?.position() ?? { instructions: 0, time: 0 };
    throw new ReplayDivergence(
      this.file,
      `${what}; this run is at instruction ${at.instructions} (${at.time} ns)`,
    );
  }

  channel(name: string, deliver: (data: Uint8Array) => void): (data: Uint8Array) => void {
    this.delivers.set(name, deliver);
    return () => {};
  }

  hostValue(name: string): number {
    const e = this.log.entries[this.next];
    if (e?.kind !== EntryKind.Value || this.name(e) !== name)
      this.diverged(`${name} reads a host value, the recording has ${e ? this.describe(e) : 'nothing'} next`);
    this.next++;
    return new DataView(e.payload.buffer, e.payload.byteOffset, 8).getFloat64(0, true);
  }

  network(id: string): NetworkBackend {
    let connections = 0;
    return {
      id,
      connect: (nic) => {
        this.nics.set(`net:${id}#${connections++}`, nic);
        return { send() {}, receiveReady() {}, disconnect() {} };
      },
      close() {},
    };
  }

  sync(): void {
    const at = this.machine!.position();
    for (;;) {
      const e = this.log.entries[this.next];
      if (e === undefined || e.kind === EntryKind.Idle) return;
      if (e.instructions > at.instructions || (e.instructions === at.instructions && e.time > at.time))
        return;
      if (e.instructions < at.instructions || e.time < at.time)
        this.diverged(`the recording has ${this.describe(e)}, which this run went past`);
      this.next++;
      this.apply(e);
    }
  }

  private apply(e: LogEntry): void {
    if (e.kind === EntryKind.End) {
      const { reason, exitCode } = JSON.parse(new TextDecoder().decode(e.payload)) as {
        reason: string;
        exitCode: number;
      };
      this.ended = true;
      this.machine!.requestShutdown(reason, exitCode);
      return;
    }
    const name = this.name(e);
    if (e.kind === EntryKind.Value) this.diverged(`the recording has ${this.describe(e)} during the run`);
    const nic = this.nics.get(name);
    if (nic !== undefined) {
      const refused = e.kind === EntryKind.Refused;
      if (refused || e.payload[0] === NetInput.Frame) {
        if (nic.canReceive() === refused)
          this.diverged(`the NIC on ${name} ${refused ? 'takes' : 'refuses'} ${this.describe(e)}`);
        if (!refused) nic.receive(e.payload.subarray(1));
      } else nic.linkChanged?.(e.payload[0] === NetInput.LinkUp);
      return;
    }
    // A netdev behind another (a hub's uplink, a dump's inner netdev) is not built on replay: what
    // reached a NIC through it is on the NIC's own channel.
    if (name.startsWith('net:') && !this.nics.has(name)) return;
    const deliver = this.delivers.get(name);
    if (deliver === undefined || e.kind !== EntryKind.Input)
      this.diverged(`the recording has ${this.describe(e)}, and this machine has no such input`);
    deliver(e.payload);
  }

  instructionsUntilNext(): number {
    const e = this.log.entries[this.next];
    if (e === undefined) return Number.POSITIVE_INFINITY;
    // Due at this count but later in time: the CPU is halted, and one slice of 1 lets it idle there.
    return Math.max(1, e.instructions - this.machine!.position().instructions);
  }

  idle(): number {
    const e = this.log.entries[this.next];
    if (e?.kind !== EntryKind.Idle || e.instructions !== this.machine!.position().instructions)
      this.diverged(
        `a halted CPU waits on host time, the recording has ${e ? this.describe(e) : 'nothing'} next`,
      );
    this.next++;
    return e.time;
  }

  /**
   * The run stopped. At the recording's end it must be the same end; before
   * it (an instruction limit, Ctrl-C) the replay may go on with another
   * `run`, and `pending` says how much of the log is left.
   */
  finish(event: { reason: string; exitCode: number }): void {
    if (this.ended) return;
    const e = this.log.entries[this.next];
    if (e === undefined) return;
    const at = this.machine!.position();
    if (e.instructions > at.instructions) return;
    if (e.kind !== EntryKind.End)
      this.diverged(`the recording has ${this.describe(e)}, which this run went past`);
    const recorded = JSON.parse(new TextDecoder().decode(e.payload)) as { reason: string };
    if (e.instructions !== at.instructions || e.time !== at.time || recorded.reason !== event.reason)
      this.diverged(
        `the run stopped (${event.reason}) where the recording has ${this.describe(e)} (${recorded.reason})`,
      );
    this.next++;
    this.ended = true;
  }

  /** Entries of the log not replayed yet (0 once the replay reached the recording's end). */
  get pending(): number {
    return this.log.entries.length - this.next;
  }

  close(): void {}
}
