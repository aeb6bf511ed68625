import type { ContainerModule } from 'inversify';
import type { StateTree } from '../state/state-tree.js';
import type { RegisterTraceEvent, TraceHook } from '../trace/trace-hook.js';
import type { DeviceContext } from './context.js';

/**
 * Where a plugin plugs in. Backends (`drive`, `netdev`) are built before
 * devices, and the CPU before the devices that wire interrupts to it. A `usb`
 * device plugs into a USB host controller's root port when the machine is
 * realized.
 */
export type PluginKind = 'drive' | 'netdev' | 'cpu' | 'firmware' | 'pci' | 'isa' | 'usb' | 'system';

export interface PciIds {
  vendorId: number;
  deviceId: number;
  classCode: number;
  revision: number;
  subsystemVendorId?: number;
  subsystemId?: number;
}

/** A JSON Schema (draft 2020-12) object describing a plugin's `config`. */
export type JsonSchema = Record<string, unknown>;

/** What a built device offers the machine. Every member is optional. */
export interface Device {
  /** Hardware reset: power-on and every system reset. Puts all state back. */
  reset?(): void;
  /**
   * Work only a reset needs, done when the first one comes rather than at
   * build time: a machine restored from a snapshot may never reset, and
   * then never pays for it (linux-direct decompresses its kernel here). The
   * machine awaits it before each reset it makes (`Machine.prepareReset`);
   * calls after the first cost nothing.
   */
  prepareReset?(): Promise<void>;
  /** Called once every device of the machine exists: connect to services other plugins provide. */
  realize?(): void | Promise<void>;
  /** Releases host resources (files, sockets). */
  destroy?(): void | Promise<void>;
  /** A few lines for the monitor's `info` commands. */
  info?(): string;
  /** Register accesses by name (`plugboard run --trace <id>`); costs nothing untapped. */
  registerTrace?: TraceHook<RegisterTraceEvent>;
  /**
   * The device's whole state as data, for snapshots (`savevm`; named after
   * QEMU's VMState, since many devices call their register file `state`). `null`
   * declares there is none (a ROM, a backend whose host side is rebuilt);
   * a machine with a device that leaves it out cannot be saved.
   */
  vmstate?: DeviceState | null;
}

/**
 * Saves and loads a device's state (see `objectState` for the usual way).
 * `load` gets what `save` returned on a device built from the same config,
 * then puts derived things (memory routes, IRQ outputs) back from it.
 */
export interface DeviceState {
  /** Bumped whenever what `save` returns changes meaning: a snapshot of another version is refused. */
  readonly version: number;
  save(boundary?: ReadonlySet<object>): StateTree;
  load(state: StateTree): void;
}

/**
 * A device plugin: plain data saying what it is, plus one factory. Listing
 * plugins (`plugboard devices`) reads only the data; nothing is built.
 */
export interface DevicePlugin<Config = Record<string, unknown>, Built extends Device = Device> {
  meta: {
    /** The `type` a profile names, e.g. `rtl8139`. */
    id: string;
    /** For people: `Realtek RTL8139C+ 10/100 Ethernet`. */
    name: string;
    /** The npm package it came from, filled in by the registry. */
    package?: string;
  };
  kind: PluginKind;
  /** PCI identity (the default model's, where the config chooses among models). */
  pci?: PciIds;
  /** PCI identities selected by the config's `model` value, where one plugin covers several chips. */
  models?: Record<string, PciIds>;
  /**
   * Config keys that say how the device is wired into the machine (a NIC's
   * `netdev` and `mac`): when a profile layer swaps another type for this
   * one, they are kept from the old entry's config; the rest is dropped.
   */
  carryOnSwap?: readonly string[];
  /** JSON Schema (2020-12) of `config`, with `default`s; ajv fills them in before `create`. */
  configSchema: JsonSchema;
  create(ctx: DeviceContext, config: Config): Built | Promise<Built>;
  /** Services this plugin adds to the machine's container, for other plugins to ask for by token. */
  module?: ContainerModule;
}

/** What a plugin package exports: `export const plugins = [...]` (or a default export of the same). */
export interface PluginPackage {
  plugins: DevicePlugin[];
}

/** Identity function that keeps a plugin's config type checked against its factory. */
export function definePlugin<Config, Built extends Device = Device>(
  plugin: DevicePlugin<Config, Built>,
): DevicePlugin<Config, Built> {
  return plugin;
}
