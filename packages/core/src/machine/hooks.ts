import { SyncHook } from 'tapable';
import { TraceHook } from '../trace/trace-hook.js';
import type { Machine } from './machine.js';

export interface PortIoEvent {
  write: boolean;
  port: number;
  size: 1 | 2 | 4;
  value: number;
}

export interface MmioEvent {
  write: boolean;
  address: number;
  size: 1 | 2 | 4;
  value: number;
  region: string;
}

export interface PciConfigEvent {
  write: boolean;
  bus: number;
  devfn: number;
  offset: number;
  size: 1 | 2 | 4;
  value: number;
}

export interface IrqEvent {
  line: number;
  level: boolean;
}

export interface DmaEvent {
  write: boolean;
  address: number;
  length: number;
}

export interface LogEvent {
  source: string;
  message: string;
  time: number;
}

export interface ShutdownEvent {
  reason: string;
  exitCode: number;
}

/**
 * Every extension point of a machine, declared in one place. Lifecycle hooks
 * fire a handful of times per run; trace hooks fire per access, but only once
 * something taps them: until then the buses run without any tracing code.
 */
export class MachineHooks {
  readonly created = new SyncHook<[Machine]>(['machine'], 'created');
  readonly realized = new SyncHook<[Machine]>(['machine'], 'realized');
  readonly reset = new SyncHook<[Machine]>(['machine'], 'reset');
  readonly run = new SyncHook<[Machine]>(['machine'], 'run');
  readonly pause = new SyncHook<[Machine]>(['machine'], 'pause');
  readonly resume = new SyncHook<[Machine]>(['machine'], 'resume');
  readonly shutdown = new SyncHook<[Machine, ShutdownEvent]>(['machine', 'event'], 'shutdown');
  readonly log = new SyncHook<[LogEvent]>(['event'], 'log');

  readonly portIo = new TraceHook<PortIoEvent>('portIo');
  readonly mmio = new TraceHook<MmioEvent>('mmio');
  readonly pciConfig = new TraceHook<PciConfigEvent>('pciConfig');
  readonly irq = new TraceHook<IrqEvent>('irq');
  readonly dma = new TraceHook<DmaEvent>('dma');
}
