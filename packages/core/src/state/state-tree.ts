import { Dma } from '../dma/dma.js';
import { PortBus } from '../io/port-bus.js';
import { ApicBus } from '../irq/apic-bus.js';
import { CpuPins } from '../irq/cpu-pins.js';
import { PhysicalMemory } from '../memory/physical-memory.js';
import { PciBus } from '../pci/pci-bus.js';
import { PciFunction } from '../pci/pci-function.js';
import { Clock, Timer } from '../time/clock.js';
import { PollWatch } from '../time/poll-watch.js';
import { TraceHook } from '../trace/trace-hook.js';
import { UserError } from '../user-error.js';

/**
 * A device's state as data: numbers, strings, booleans, null, typed arrays,
 * arrays and plain objects, never closures. `captureState` reads it off the
 * objects a device keeps its state in; `restoreState` writes it back into
 * the same objects of a device built from the same config.
 */
export type StateTree =
  | number
  | string
  | boolean
  | null
  | bigint
  | ArrayBufferView
  | StateTree[]
  | { [key: string]: StateTree };

/** A snapshot that does not fit the machine it is loaded into. */
export class StateError extends UserError {}

/** What capture leaves out and where it stops. */
export interface CaptureOptions {
  /** Property names never saved: caches, host handles, links to other devices. */
  skip?: readonly string[];
  /** Objects never entered (the machine's buses and clock, other devices): they save themselves. A view here keeps out every view within its bytes (RAM and its subarrays), not other views of its buffer. */
  boundary?: ReadonlySet<object>;
}

/** An object reached twice: the second time it is saved as the path of the first. */
interface Ref {
  $ref: string;
}

const REF = '$ref';
/** Marks an object of a class: restore can fill one in, never make one. */
const CLASS = '$class';

function isRef(v: unknown): v is Ref {
  return typeof v === 'object' && v !== null && !ArrayBuffer.isView(v) && REF in v;
}

/**
 * Objects capture never enters, whatever the device: the machine's buses
 * and clock save themselves, timers belong to the clock (which saves them
 * by owner and name), PCI functions to the bus (which saves config space)
 * and hooks to the host. `neverCaptured` adds a class.
 */
const OPAQUE = new Set<abstract new (...args: never[]) => unknown>([
  PhysicalMemory,
  PortBus,
  PciBus,
  PciFunction,
  CpuPins,
  ApicBus,
  Dma,
  Clock,
  PollWatch,
  Timer,
  TraceHook,
]);

export function neverCaptured(type: abstract new (...args: never[]) => unknown): void {
  OPAQUE.add(type);
}

function opaque(v: object): boolean {
  if (v instanceof Promise || v instanceof WeakMap || v instanceof WeakSet) return true;
  // tapable's hooks (functions with a null prototype, so no instanceof): taps are host code.
  if ('taps' in v && 'interceptors' in v) return true;
  for (const type of OPAQUE) if (v instanceof type) return true;
  return false;
}

/**
 * Reads the state out of `root`: every own enumerable property that holds
 * data, recursively through the objects it owns. Functions, `skip`ped names,
 * `boundary` objects and opaque ones (timers, trace hooks) are left out; an
 * object reached again is saved as a reference to its first path, so shared
 * sub-objects stay shared after a restore.
 */
export function captureState(root: object, options: CaptureOptions = {}): StateTree {
  const skip = new Set(options.skip ?? []);
  const boundary = options.boundary ?? new Set<object>();
  const fences = [...boundary].filter((b) => ArrayBuffer.isView(b));
  const fenced = (v: ArrayBufferView): boolean =>
    fences.some(
      (b) =>
        b.buffer === v.buffer &&
        v.byteOffset >= b.byteOffset &&
        v.byteOffset + v.byteLength <= b.byteOffset + b.byteLength,
    );
  const seen = new Map<object, string>();
  const walk = (v: unknown, path: string): StateTree | undefined => {
    if (v === null) return null;
    switch (typeof v) {
      case 'number':
      case 'string':
      case 'boolean':
      case 'bigint':
        return v;
      case 'undefined':
      case 'function':
      case 'symbol':
        return undefined;
    }
    const o = v as object;
    // The root is what the caller asked for, whatever its class.
    if (path !== '' && (boundary.has(o) || opaque(o) || (ArrayBuffer.isView(o) && fenced(o))))
      return undefined;
    const first = seen.get(o);
    if (first !== undefined) return { [REF]: first };
    seen.set(o, path);
    if (ArrayBuffer.isView(o)) return copyView(o);
    if (Array.isArray(o)) {
      const out: StateTree[] = [];
      for (let i = 0; i < o.length; i++) out.push(walk(o[i], `${path}/${i}`) ?? null);
      return out;
    }
    if (o instanceof Map || o instanceof Set) {
      const entries = o instanceof Map ? [...o.entries()] : [...o.values()].map((x) => [x, true]);
      return {
        $entries: entries.map(([k, x], i) => [
          walk(k, `${path}/k${i}`) ?? null,
          walk(x, `${path}/${i}`) ?? null,
        ]),
      };
    }
    const out: { [key: string]: StateTree } = {};
    const proto = Object.getPrototypeOf(o);
    if (proto !== Object.prototype && proto !== null) out[CLASS] = 1;
    for (const key of Object.keys(o)) {
      if (skip.has(key)) continue;
      const x = walk((o as Record<string, unknown>)[key], `${path}/${key}`);
      if (x !== undefined) out[key] = x;
    }
    return out;
  };
  return walk(root, '') ?? null;
}

function copyView(v: ArrayBufferView): ArrayBufferView {
  if (v instanceof DataView) return new Uint8Array(v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength));
  const ctor = v.constructor as new (source: ArrayBufferView) => ArrayBufferView;
  return new ctor(v);
}

/**
 * Writes `state` (from `captureState` on an object built the same way) back
 * into `root`: numbers and flags assigned, typed arrays and arrays filled in
 * place (other code may hold them), objects entered. What cannot be made to
 * fit (an array of objects of another length, an object where the device now
 * has none) is a `StateError` naming the path.
 */
export function restoreState(root: object, state: StateTree): void {
  const refs: { holder: Record<string | number, unknown>; key: string | number; path: string }[] = [];
  const fail = (path: string, what: string): never => {
    throw new StateError(`state ${path || '/'}: ${what}`);
  };
  const into = (target: unknown, s: StateTree, path: string): unknown => {
    if (s === null || typeof s !== 'object') return s;
    if (ArrayBuffer.isView(s)) {
      if (target instanceof DataView) {
        if (target.byteLength !== s.byteLength)
          fail(path, `expected ${target.byteLength} bytes, got ${s.byteLength}`);
        new Uint8Array(target.buffer, target.byteOffset, target.byteLength).set(s as Uint8Array);
        return target;
      }
      if (ArrayBuffer.isView(target) && target.constructor === s.constructor) {
        const t = target as unknown as { length: number; set(a: ArrayLike<unknown>): void };
        const src = s as unknown as ArrayLike<unknown>;
        if (t.length === src.length) {
          t.set(src);
          return target;
        }
      }
      return copyView(s);
    }
    if (Array.isArray(s)) {
      const t = Array.isArray(target) ? target : [];
      if (t.length !== s.length) {
        if (t.some((x) => x !== null && typeof x === 'object'))
          fail(path, `expected ${t.length} entries, got ${s.length}`);
        t.length = s.length;
      }
      for (let i = 0; i < s.length; i++)
        set(t as unknown as Record<number, unknown>, i, s[i], `${path}/${i}`);
      return t;
    }
    if ('$entries' in s) {
      const entries = s.$entries as [StateTree, StateTree][];
      if (target instanceof Set) {
        target.clear();
        for (const [k] of entries) target.add(k);
        return target;
      }
      const map = target instanceof Map ? target : new Map();
      const keep = new Map(map);
      map.clear();
      for (const [k, x] of entries) map.set(k, into(keep.get(k), x, `${path}/${String(k)}`));
      return map;
    }
    if (target === null || typeof target !== 'object') {
      // Only plain data can be made from nothing; an object of a class the device did not build is a mismatch.
      if (CLASS in s) fail(path, 'the device has no object here');
      target = {};
    }
    const o = target as Record<string, unknown>;
    for (const key of Object.keys(s)) if (key !== CLASS) set(o, key, s[key], `${path}/${key}`);
    return o;
  };
  const set = (
    holder: Record<string | number, unknown>,
    key: string | number,
    s: StateTree,
    path: string,
  ) => {
    if (isRef(s)) {
      refs.push({ holder, key, path: s.$ref });
      return;
    }
    const current = holder[key];
    const next = into(current, s, path);
    if (next !== current) holder[key] = next;
  };
  if (root === null || typeof root !== 'object') fail('', 'nothing to restore into');
  into(root, state, '');
  for (const r of refs) r.holder[r.key] = resolve(root, r.path, fail);
}

function resolve(root: object, path: string, fail: (path: string, what: string) => never): unknown {
  let v: unknown = root;
  for (const part of path.split('/').slice(1)) {
    if (v === null || typeof v !== 'object') fail(path, 'reference to nothing');
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}
