/**
 * Services plugins offer each other through the machine's container, bound
 * under the `Tokens` of the same name. They are the PC platform's wiring that
 * is not a bus: one plugin provides each, others may use it, and a machine
 * without the provider simply has none (check with `container.isBound`).
 */

/** The chipset's A20 gate: each source (the keyboard controller, port 0x92) drives one input. Bound by the PIIX3. */
export interface A20GateService {
  setSource(name: string, enabled: boolean): void;
}

export interface DiskGeometry {
  cylinders: number;
  heads: number;
  sectors: number;
}

/** The RTC's CMOS memory, as firmware plugins fill it. Bound by the MC146818. */
export interface CmosService {
  get(index: number): number;
  /** Sets a CMOS byte (0x0E-0x7F; the clock registers below are the RTC's own). */
  set(index: number, value: number): void;
  /** Fills the AT hard disk bytes (0x12, 0x19/0x1a, 0x1b-0x2c) for unit 0 or 1, as QEMU does; null clears. */
  setHardDisk(unit: 0 | 1, geometry: DiskGeometry | null): void;
  /** The boot order SeaBIOS reads from 0x3d/0x38: up to three of a (floppy), c (disk), d (CD-ROM), n (network). */
  setBootOrder(order: string): void;
}

/** Keyboard and mouse input from the host (VNC, a window). Bound by the i8042. */
export interface Ps2InputService {
  /** A key by PC set 1 make code (0xe0xx for extended keys). */
  keyCode(code: number, down: boolean): void;
  /** A key by `KeyboardEvent.code` name (`KeyA`, `Enter`, `ArrowUp`, `Pause`, ...); false when unknown. */
  key(name: string, down: boolean): boolean;
  /** Relative movement (dx right, dy down, dz wheel down) and the buttons held (bit 0 left, 1 right, 2 middle). */
  mouse(dx: number, dy: number, dz: number, buttons: number): void;
}

/** The largest coordinate of an absolute pointer (QEMU's INPUT_EVENT_ABS_MAX): 0 is the top or left edge. */
export const POINTER_ABS_MAX = 0x7fff;

/**
 * An absolute pointing device (a USB tablet): where the host's pointer is on
 * the guest's screen, so the guest's cursor never drifts from the client's.
 * Bound by the device; a display prefers it to `Ps2InputService.mouse`.
 */
export interface AbsolutePointerService {
  /**
   * The pointer at (x, y), each 0..POINTER_ABS_MAX across the screen, the
   * wheel moved dz notches (down positive, as `Ps2InputService.mouse` takes
   * it) and the buttons held (bit 0 left, 1 right, 2 middle).
   */
  pointer(x: number, y: number, dz: number, buttons: number): void;
}

/** QEMU's firmware configuration items. Bound by fw_cfg; fill it before the guest runs, in `realize`. */
export interface FirmwareConfigService {
  /** Sets a numbered item (FW_CFG_* keys, ARCH_LOCAL ones included). */
  addItem(key: number, data: Uint8Array): void;
  /** Adds or replaces a named file; the directory stays sorted by name. */
  addFile(name: string, data: Uint8Array): void;
  /** The data of a file, or undefined. */
  file(name: string): Uint8Array | undefined;
}

/** The ACPI fixed power button (QEMU's `system_powerdown`). Bound by the PIIX4 PM function. */
export interface PowerButtonService {
  /** A press: PWRBTN_STS is set, and SCI rises if the guest enabled PWRBTN_EN. */
  press(): void;
}

/**
 * The host terminal, when a front end owns it (the CLI shares it between the
 * guest's console and the monitor, as QEMU's `mon:stdio` does). A `stdio`
 * character backend writes through it and hears only the input meant for the
 * guest; where none is bound, the backend uses the process's stdin and stdout.
 */
export interface HostTerminalService {
  write(data: Uint8Array): void;
  /** Input for the guest's console; one console at a time, the last to attach. */
  attach(receive: (data: Uint8Array) => void): void;
  /** Stops giving input to `receive`, if it is the console attached. */
  detach(receive: (data: Uint8Array) => void): void;
}

/**
 * A drive with removable media (a CD-ROM, a floppy drive): bound by its
 * controller, one per drive, for the monitor's `change` and `eject`.
 */
export interface RemovableMediaService {
  /** The names the monitor takes: the profile's drive id, and QEMU's name for the unit (`ide1-cd0`, `floppy0`). */
  readonly names: readonly string[];
  /** The guest locked the tray (PREVENT ALLOW MEDIUM REMOVAL). */
  readonly locked: boolean;
  /** Opens `path` with the drive's own formats and options, and inserts it; the guest sees a media change. */
  change(path: string, format?: string): void;
  /** Takes the medium out (the tray stays empty until `change`). */
  eject(): void;
}

/** A remote console (VNC): bound by its plugin, used by the monitor's `set_password`. */
export interface RemoteConsoleService {
  /** The protocol, as `set_password` names it (`vnc`). */
  readonly protocol: string;
  setPassword(password: string): void;
}

/** A named snapshot as `info snapshots` lists it. */
export interface SnapshotEntry {
  name: string;
  /** When it was taken (ISO 8601, UTC). */
  date: string;
  virtualNs: number;
  instructions: number;
  bytes: number;
}

/**
 * Named snapshots of the running machine (the monitor's `savevm`, `loadvm`,
 * `delvm`, `info snapshots`): bound by the front end, which decides where
 * they are kept. Called between run slices.
 */
export interface SnapshotService {
  /** The folder the snapshots live in. */
  readonly location: string;
  /** Saves the machine as NAME (replacing one of that name); returns the file. */
  save(name: string): string;
  /** Loads NAME into the machine; a snapshot of another machine is an error saying why. */
  load(name: string): void;
  list(): SnapshotEntry[];
  /** False when there is none of that name. */
  remove(name: string): boolean;
}
