import type { Container } from 'inversify';
import type { NetworkBackend } from '../net/network.js';
import { Tokens } from '../plugin/tokens.js';

/** Where the guest is: instructions retired since power-on and virtual time (ns). */
export interface RunPosition {
  instructions: number;
  time: number;
}

/**
 * The one door host input takes into a recorded or replayed machine (bound
 * under `Tokens.HostInputs` while recording or replaying; absent otherwise,
 * and then devices take host input directly, as before).
 *
 * Host input arrives on Node's event loop at any moment; recording holds it
 * and the run loop delivers it at its next sync point (between slices, at
 * one place in the loop), logging the instruction count and virtual time of
 * that point. Replaying, host input is ignored and the log's is delivered at
 * the same sync points. So a device sees each input at the same count in
 * both runs.
 */
export interface HostInputs {
  readonly mode: 'record' | 'replay';
  /**
   * Opens channel `name` (unique: `serial:com1`); `deliver` gives one input
   * to the guest. Returns what host code calls with input: it holds the
   * input for the next sync point (recording) or drops it (replaying).
   */
  channel(name: string, deliver: (data: Uint8Array) => void): (data: Uint8Array) => void;
  /** A number read from the host once (the host's calendar): read and logged, or the logged one. */
  hostValue(name: string, read: () => number): number;
}

/** What the build and the run loop ask of a recorder or a replayer. */
export interface InputGate extends HostInputs {
  /** The machine's position, and how to wake its idle wait. Set by `buildMachine`. */
  attach(machine: {
    position(): RunPosition;
    wake(): void;
    requestShutdown(reason: string, exitCode: number): void;
  }): void;
  /** The netdev as NICs see it: the real backend behind the gate, or (replaying) one that opens nothing. */
  network(id: string, backend: NetworkBackend | null): NetworkBackend;
  /** The sync point: deliver what is due here. */
  sync(): void;
  /** How many instructions the next slice may run (replay stops a slice at the next logged input). */
  instructionsUntilNext(): number;
  /** Recording: a halted CPU's wait on host time ended. Replaying: the time that wait ended at. */
  idle(): number | null;
  /** The run stopped with `event`: log its end, or check it ended where the recording did. */
  finish(event: { reason: string; exitCode: number }): void;
  close(): void;
}

const utf8 = new TextEncoder();

/**
 * A host service whose calls change guest-visible state (key presses, the
 * power button) behind the gate: each call of `methods` becomes one input
 * on channel `name`, applied at a sync point. The gated service has only
 * `methods` (a service interface is all its consumers see), and they return
 * nothing.
 */
export function gateService<T extends object>(
  inputs: HostInputs | null,
  name: string,
  service: T,
  methods: readonly (keyof T & string)[],
): T {
  if (inputs === null) return service;
  const target = service as Record<string, (...args: unknown[]) => unknown>;
  const push = inputs.channel(name, (data) => {
    const [method, ...args] = JSON.parse(new TextDecoder().decode(data)) as [string, ...unknown[]];
    if (methods.includes(method as keyof T & string)) target[method].apply(service, args);
  });
  const gated: Record<string, unknown> = {};
  for (const method of methods)
    gated[method] = (...args: unknown[]) => push(utf8.encode(JSON.stringify([method, ...args])));
  return gated as T;
}

/** The machine's gate while recording or replaying, else null (host input then goes straight in). */
export function hostInputsOf(container: Container): HostInputs | null {
  return container.isBound(Tokens.HostInputs) ? container.get<HostInputs>(Tokens.HostInputs) : null;
}
