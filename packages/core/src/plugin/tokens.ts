/**
 * Service identifiers of the machine's inversify container. Core binds the
 * buses; plugins bind what they provide (a backend under its id, the chipset's
 * PCI interrupt router) and ask for what they need, never for another plugin's
 * classes.
 */
export const Tokens = {
  Machine: Symbol.for('plugboard.Machine'),
  PhysicalMemory: Symbol.for('plugboard.PhysicalMemory'),
  PortBus: Symbol.for('plugboard.PortBus'),
  PciBus: Symbol.for('plugboard.PciBus'),
  IsaIrqs: Symbol.for('plugboard.IsaIrqs'),
  CpuPins: Symbol.for('plugboard.CpuPins'),
  ApicBus: Symbol.for('plugboard.ApicBus'),
  Dma: Symbol.for('plugboard.Dma'),
  /** IsaDmaController: the ISA DMA channels, bound by the chipset that has the 8237As. */
  IsaDma: Symbol.for('plugboard.isaDma'),
  Clock: Symbol.for('plugboard.Clock'),
  Hooks: Symbol.for('plugboard.Hooks'),
  /** A BlockBackend, bound by name under its drive id. */
  BlockBackend: Symbol.for('plugboard.BlockBackend'),
  /** A NetworkBackend, bound by name under its netdev id. */
  NetworkBackend: Symbol.for('plugboard.NetworkBackend'),
  /** The Cpu, once built. */
  Cpu: Symbol.for('plugboard.Cpu'),
  /** The machine's screen (a DisplaySource), bound by the graphics card. */
  Display: Symbol.for('plugboard.Display'),
  /** FirmwareConfigService: bound by fw_cfg, filled by firmware plugins. */
  FirmwareConfig: Symbol.for('plugboard.fwcfg'),
  /** A20GateService: bound by the chipset, driven by the keyboard controller and port 0x92. */
  A20: Symbol.for('plugboard.A20'),
  /** CmosService: bound by the RTC. */
  Cmos: Symbol.for('plugboard.cmos'),
  /** Ps2InputService: bound by the keyboard controller, used by displays. */
  Ps2Input: Symbol.for('plugboard.ps2input'),
  /** AbsolutePointerService: bound by an absolute pointing device (a USB tablet), used by displays. */
  AbsolutePointer: Symbol.for('plugboard.absolutePointer'),
  /** PowerButtonService: bound by the ACPI PM device, pressed by the monitor's `system_powerdown`. */
  PowerButton: Symbol.for('plugboard.powerButton'),
  /** RemoteConsoleService: bound by the VNC server, for the monitor's `set_password`. */
  RemoteConsole: Symbol.for('plugboard.remoteConsole'),
  /** NetworkLinkService: bound by each NIC plugged into a netdev, for the monitor's `set_link`. */
  NetworkLink: Symbol.for('plugboard.networkLink'),
  /** RemovableMediaService: bound by a controller per drive with removable media, for `change` and `eject`. */
  RemovableMedia: Symbol.for('plugboard.removableMedia'),
  /** HostListeners: the host ports the emulator listens on, which guests may not reach (bound by core). */
  HostListeners: Symbol.for('plugboard.hostListeners'),
  /** HostTerminalService: bound by the front end (the CLI) through `buildMachine`'s `services`. */
  HostTerminal: Symbol.for('plugboard.hostTerminal'),
  /** HostInputs: bound by core while recording or replaying (`BuildOptions.inputs`); host input goes through it. */
  HostInputs: Symbol.for('plugboard.hostInputs'),
  /** SnapshotService: bound by the front end, for the monitor's `savevm` and `loadvm`. */
  Snapshots: Symbol.for('plugboard.snapshots'),
} as const;
