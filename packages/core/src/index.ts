export {
  type BlockBackend,
  BlockError,
  type OverlayState,
  type WriteOverlay,
} from './block/block-backend.js';
export type {
  Cpu,
  CpuDebug,
  CpuRegisters,
  GeneralRegister,
  PageMapping,
  ProtectedModeStart,
} from './cpu/cpu.js';
export type { DisplaySource, Frame, Rect } from './display/display.js';
export { Dma } from './dma/dma.js';
export type { DmaTransferHandler, IsaDmaController } from './dma/isa-dma.js';
export { PortBus, type PortClaim, PortConflictError, type PortHandler } from './io/port-bus.js';
export {
  ApicBus,
  type ApicMessage,
  type ApicTarget,
  DeliveryMode,
  type EoiListener,
} from './irq/apic-bus.js';
export { CpuPins, type InterruptAcknowledge } from './irq/cpu-pins.js';
export { type InterruptSink, type IrqLine, IrqLines } from './irq/irq-line.js';
export {
  type BuildOptions,
  buildMachine,
  createDeviceContext,
  createMachineParts,
} from './machine/build.js';
export {
  type DmaEvent,
  type IrqEvent,
  type LogEvent,
  MachineHooks,
  type MmioEvent,
  type PciConfigEvent,
  type PortIoEvent,
  type ShutdownEvent,
} from './machine/hooks.js';
export { Machine, type MachineDevice, type MachineParts } from './machine/machine.js';
export {
  checkProfileLayer,
  type Json,
  MAX_PROFILE_DEPTH,
  type ProfileEntry,
  ProfileError,
  type ProfileLayer,
  type ProfileSection,
  parseProfileJson,
  parseSize,
  type ResolvedProfile,
  resolveProfileLayers,
  tooDeep,
} from './machine/profile.js';
export { loadProfile, machineSchema } from './machine/profile-file.js';
export { profileHash } from './machine/profile-hash.js';
export type { MmioHandler, MmioRegion } from './memory/mmio.js';
export {
  ARENA_BYTES,
  MAX_RAM_BYTES,
  PAGE_SHIFT,
  PAGE_SIZE,
  PhysicalMemory,
} from './memory/physical-memory.js';
export { type WasmInstance, type WasmMemory, type WasmTable, WebAssemblyApi } from './memory/webassembly.js';
export { crc32 } from './net/crc32.js';
export { MemoryNetwork } from './net/memory-network.js';
export type { NetworkBackend, NetworkClient, NetworkPort } from './net/network.js';
export {
  bindNetworkLink,
  type NetworkLinkService,
  type PluggedPort,
  plugNetwork,
} from './net/plug-network.js';
export { devfn, formatPciAddress, type PciAddress, parsePciAddress } from './pci/address.js';
export { pciClassName } from './pci/class-names.js';
export { ConfigMechanism1 } from './pci/config-mechanism.js';
export { PciBus, type PciIntxRouter } from './pci/pci-bus.js';
export { type BarMapping, type PciBar, PciFunction, type PciIdentity } from './pci/pci-function.js';
export { QEMU_SUBSYSTEM } from './pci/qemu.js';
export * from './pci/registers.js';
export {
  type HostFiles,
  MAX_FIRMWARE_BYTES,
  MAX_INITRD_BYTES,
  MAX_KERNEL_BYTES,
} from './platform/host-files.js';
export { HostListeners } from './platform/host-listeners.js';
export { queueHostTask } from './platform/host-task.js';
export { nodeFiles, readUserFile } from './platform/node-files.js';
export type {
  A20GateService,
  AbsolutePointerService,
  CmosService,
  DiskGeometry,
  FirmwareConfigService,
  HostTerminalService,
  PowerButtonService,
  Ps2InputService,
  RemoteConsoleService,
  RemovableMediaService,
  SnapshotEntry,
  SnapshotService,
} from './platform/services.js';
export { POINTER_ABS_MAX } from './platform/services.js';
export { ESCAPE_HELP, EscapeDecoder, type EscapeHandlers } from './platform/terminal-escapes.js';
export type { DeviceContext, SystemControl } from './plugin/context.js';
export {
  type Device,
  type DevicePlugin,
  type DeviceState,
  definePlugin,
  type JsonSchema,
  type PciIds,
  type PluginKind,
  type PluginPackage,
} from './plugin/manifest.js';
export {
  entryPath,
  loadProfilePlugins,
  type PreparedEntry,
  prepareEntries,
} from './plugin/prepare.js';
export { ConfigError, PluginRegistry } from './plugin/registry.js';
export { Tokens } from './plugin/tokens.js';
export {
  defineRegisters,
  MAX_ACCESS_BYTES,
  type RegisterElement,
  type RegisterOffsets,
  type RegisterSpec,
  RegisterTable,
  type RegisterTableOptions,
} from './registers/register-table.js';
export {
  gateService,
  type HostInputs,
  hostInputsOf,
  type InputGate,
  type RunPosition,
} from './replay/host-inputs.js';
export {
  decodeLog,
  EntryKind,
  encodeEntry,
  encodeHeader,
  type InputLog,
  LOG_MAGIC,
  LOG_VERSION,
  type LogEntry,
  type LogHeader,
  readLog,
} from './replay/log-format.js';
export { NetInput, Recorder } from './replay/recorder.js';
export { ReplayDivergence, Replayer } from './replay/replayer.js';
export { profileIdentity, type RunStart, startRecording, startReplay } from './replay/session.js';
export {
  type DeviceSnapshot,
  loadMachineState,
  type MachineState,
  saveMachineState,
} from './state/machine-state.js';
export { ObjectState, type ObjectStateOptions, objectState } from './state/object-state.js';
export {
  type DiskIdentity,
  loadSnapshot,
  readSnapshot,
  SNAPSHOT_FORMAT,
  type SnapshotFile,
  type SnapshotHeader,
  writeSnapshot,
} from './state/snapshot-file.js';
export { decodeState, encodeState } from './state/state-codec.js';
export { captureState, neverCaptured, restoreState, StateError, type StateTree } from './state/state-tree.js';
export {
  Clock,
  type ClockOptions,
  type ClockState,
  DEFAULT_CLOCK_OPTIONS,
  Timer,
  UNMETERED,
  type WorkMeter,
} from './time/clock.js';
export { type BusWatch, PollWatch, TimeSource } from './time/poll-watch.js';
export { traceRegisters } from './trace/register-trace.js';
export { TraceFilter } from './trace/trace-filter.js';
export { formatRegisterEvent, type RegisterTraceEvent, TraceHook } from './trace/trace-hook.js';
export { RegisterTraceWriter, type TraceFormat, type TraceStamp } from './trace/trace-writer.js';
export { UserError } from './user-error.js';
