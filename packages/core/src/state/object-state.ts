import type { DeviceState } from '../plugin/manifest.js';
import { captureState, neverCaptured, restoreState, type StateTree } from './state-tree.js';

export interface ObjectStateOptions {
  /** The layout's version (see `DeviceState.version`). */
  version: number;
  /** Property names that are not state: caches, host handles, links to the device's neighbours. */
  skip?: readonly string[];
  /** Runs after a load: re-derives what follows from the state (memory routes, interrupt outputs). */
  afterLoad?: () => void;
}

/** Property names no device keeps state under: its context (the machine's buses and its own id). */
const NEVER = ['ctx'];

/**
 * A device whose state lives in the fields of its objects (`roots`, named):
 * saved by reading them (`captureState`), loaded by writing them back. The
 * machine's buses and clock, timers and trace hooks are never entered; they
 * save themselves.
 */
export class ObjectState implements DeviceState {
  readonly version: number;
  private readonly skip: readonly string[];

  constructor(
    private readonly roots: Record<string, object>,
    private readonly options: ObjectStateOptions,
  ) {
    this.version = options.version;
    this.skip = [...NEVER, ...(options.skip ?? [])];
  }

  save(boundary?: ReadonlySet<object>): StateTree {
    return captureState(this.roots, { skip: this.skip, boundary });
  }

  load(state: StateTree): void {
    restoreState(this.roots, state);
    this.options.afterLoad?.();
  }
}

// A device reached from another (the PIIX3 holds its 8259s) is saved once, by its own handle's roots.
neverCaptured(ObjectState);

export function objectState(roots: Record<string, object>, options: ObjectStateOptions): ObjectState {
  return new ObjectState(roots, options);
}
