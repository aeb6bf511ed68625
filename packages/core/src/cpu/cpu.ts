import type { Device } from '../plugin/manifest.js';

/**
 * A processor's register state as data: names as the architecture's manuals
 * spell them, in the order the CPU lists them, values as unsigned numbers.
 * A model formats it for people itself (x86: QEMU's `info registers` layout).
 */
export type CpuRegisters = Readonly<Record<string, number>>;

/**
 * A processor as the run loop drives it. The CPU polls `CpuPins` and its own
 * local APIC between instructions, and advances nothing but its own state:
 * the machine turns executed instructions into virtual time.
 */
export interface Cpu extends Device {
  /**
   * Runs at most `budget` instructions and returns how many ran; 0 while
   * halted with nothing pending. It starts with `clock.beginSlice(budget)`,
   * sets `clock.retired` to the instructions retired so far before each one
   * (so `clock.now` is exact at device accesses) and stops early once it
   * reaches `clock.sliceLimit` (lowered when a timer due sooner is armed).
   */
  run(budget: number): number;
  /** In HLT (or waiting for SIPI) and not woken yet. */
  readonly halted: boolean;
  /** Instructions retired since power-on. */
  readonly instructionCount: number;
  /** The architectural registers now, read between instructions. */
  registers(): CpuRegisters;
  /** The registers as the model formats them for the monitor's `info registers`. */
  info(): string;
}
