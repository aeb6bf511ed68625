export { Dma } from './dma/dma.js';
export { PortBus, type PortClaim, type PortHandler } from './io/port-bus.js';
export { ApicBus, DeliveryMode, type ApicMessage, type ApicTarget, type EoiListener } from './irq/apic-bus.js';
export { CpuPins, type InterruptAcknowledge } from './irq/cpu-pins.js';
export { IrqLines, type InterruptSink, type IrqLine } from './irq/irq-line.js';
export type { MmioHandler, MmioRegion } from './memory/mmio.js';
export { PAGE_SIZE, PAGE_SHIFT, PhysicalMemory } from './memory/physical-memory.js';
export { devfn, formatPciAddress, parsePciAddress, type PciAddress } from './pci/address.js';
export { ConfigMechanism1 } from './pci/config-mechanism.js';
export { PciBus, type PciIntxRouter } from './pci/pci-bus.js';
export { PciFunction, type BarMapping, type PciBar, type PciIdentity } from './pci/pci-function.js';
export * from './pci/registers.js';
export { Clock, DEFAULT_CLOCK_OPTIONS, Timer, type ClockOptions } from './time/clock.js';
export type { NetworkBackend, NetworkClient, NetworkPort } from './net/network.js';
export { BlockError, type BlockBackend } from './block/block-backend.js';
export type { Cpu } from './cpu/cpu.js';
export type { DeviceContext, SystemControl } from './plugin/context.js';
export {
  definePlugin,
  type Device,
  type DevicePlugin,
  type JsonSchema,
  type PciIds,
  type PluginKind,
  type PluginPackage,
} from './plugin/manifest.js';
export { ConfigError, PluginRegistry } from './plugin/registry.js';
export { Tokens } from './plugin/tokens.js';
export { TraceHook } from './trace/trace-hook.js';
export {
  MachineHooks,
  type DmaEvent,
  type IrqEvent,
  type LogEvent,
  type MmioEvent,
  type PciConfigEvent,
  type PortIoEvent,
  type ShutdownEvent,
} from './machine/hooks.js';
export { Machine, type MachineDevice, type MachineParts } from './machine/machine.js';
export { buildMachine, createDeviceContext, createMachineParts } from './machine/build.js';
export { loadProfile, parseSize, ProfileError, type ProfileEntry, type ProfileSection, type ResolvedProfile } from './machine/profile.js';
