import type { Machine } from '../machine/machine.js';
import type { PciBusState } from '../pci/pci-bus.js';
import type { ClockState } from '../time/clock.js';
import { captureState, restoreState, StateError, type StateTree } from './state-tree.js';

/** One device's saved state, with what it was saved from. */
export interface DeviceSnapshot {
  /** Its profile id. */
  id: string;
  /** Its plugin (`type` in the profile): a snapshot of an rtl8139 never loads into an i82557b. */
  type: string;
  version: number;
  state: StateTree;
}

/**
 * Everything but RAM: the clock with every timer, fast-forward's watch,
 * the CPU pins, the ISA lines, PCI config space, and every device (the CPU
 * is one). Backends (`drive`, `netdev`) are not in it: disks are checked by
 * the snapshot file, and a network backend's host side starts afresh.
 */
export interface MachineState {
  clock: ClockState;
  polls: StateTree;
  cpuPins: { intr: boolean; nmi: boolean };
  isaIrqs: Uint16Array;
  a20Mask: number;
  pci: PciBusState;
  devices: DeviceSnapshot[];
}

const BACKENDS = new Set(['drive', 'netdev']);

/** The objects device state never enters: they belong to the machine and save themselves. */
function boundary(m: Machine): Set<object> {
  return new Set<object>([
    m,
    m.memory,
    m.memory.ram,
    m.ports,
    m.pci,
    m.isaIrqs,
    m.cpuPins,
    m.apicBus,
    m.dma,
    m.clock,
    m.hooks,
    m.container,
  ]);
}

/** Between run slices (never inside one): the machine's state as data, RAM aside. */
export function saveMachineState(m: Machine): MachineState {
  const outside = boundary(m);
  const devices: DeviceSnapshot[] = [];
  for (const d of m.devices) {
    if (BACKENDS.has(d.plugin.kind)) continue;
    const handle = d.device.vmstate;
    if (handle === undefined)
      throw new StateError(
        `device ${d.id} (${d.plugin.meta.id}) cannot be saved: its plugin declares no state`,
      );
    if (handle === null) continue;
    devices.push({ id: d.id, type: d.plugin.meta.id, version: handle.version, state: handle.save(outside) });
  }
  return {
    clock: m.clock.saveState(),
    polls: captureState(m.clock.polls, { boundary: outside }),
    cpuPins: { intr: m.cpuPins.intr, nmi: m.cpuPins.nmi },
    isaIrqs: m.isaIrqs.assertedCounts.slice(),
    a20Mask: m.memory.a20Mask,
    pci: m.pci.saveState(),
    devices,
  };
}

/**
 * Loads `state` into `m`, a machine built from the same profile (checked by
 * the caller) with RAM already loaded. Every device is checked before any is
 * touched: a device missing on either side, of another type or another
 * state version is refused with a `StateError` naming it.
 */
export function loadMachineState(m: Machine, state: MachineState): void {
  const saved = new Map(state.devices.map((d) => [d.id, d]));
  const plan: { load: (s: StateTree) => void; snapshot: DeviceSnapshot }[] = [];
  for (const d of m.devices) {
    if (BACKENDS.has(d.plugin.kind)) continue;
    const handle = d.device.vmstate;
    const s = saved.get(d.id);
    saved.delete(d.id);
    if (handle === undefined)
      throw new StateError(
        `device ${d.id} (${d.plugin.meta.id}) cannot be loaded: its plugin declares no state`,
      );
    if (handle === null) {
      if (s)
        throw new StateError(
          `device ${d.id}: the snapshot has state for it, this ${d.plugin.meta.id} keeps none`,
        );
      continue;
    }
    if (!s) throw new StateError(`device ${d.id} (${d.plugin.meta.id}) is not in the snapshot`);
    if (s.type !== d.plugin.meta.id)
      throw new StateError(
        `device ${d.id} is a ${s.type} in the snapshot and a ${d.plugin.meta.id} in this machine: a snapshot loads only into the machine it was taken on`,
      );
    if (s.version !== handle.version)
      throw new StateError(
        `device ${d.id} (${s.type}): the snapshot has state version ${s.version}, this build reads version ${handle.version}`,
      );
    plan.push({ load: (x) => handle.load(x), snapshot: s });
  }
  const extra = [...saved.keys()];
  if (extra.length) throw new StateError(`the snapshot has devices this machine lacks: ${extra.join(', ')}`);

  try {
    m.clock.loadState(state.clock);
  } catch (e) {
    throw new StateError(`clock: ${(e as Error).message}`);
  }
  restoreState(m.clock.polls, state.polls);
  m.cpuPins.intr = state.cpuPins.intr;
  m.cpuPins.nmi = state.cpuPins.nmi;
  m.cpuPins.attention = true;
  m.isaIrqs.assertedCounts.set(state.isaIrqs);
  m.memory.setA20(state.a20Mask === (0xffffffff | 0));
  try {
    m.pci.loadState(state.pci);
  } catch (e) {
    throw new StateError(`PCI: ${(e as Error).message}`);
  }
  for (const { load, snapshot } of plan) {
    try {
      load(snapshot.state);
    } catch (e) {
      throw new StateError(`device ${snapshot.id} (${snapshot.type}): ${(e as Error).message}`);
    }
  }
  m.memory.ramLoaded();
}
