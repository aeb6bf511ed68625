import { readFileSync } from 'node:fs';
import { type DevicePlugin, MAX_RAM_BYTES, type PluginRegistry } from '@plugboard/core';
import {
  DEFAULT_GDB_PORT,
  parseGdbSpec,
  parseMonitorSpec,
  parseQmpSpec,
  type QmpSpec,
} from '@plugboard/monitor';
import { formatHostFwd, parseRedir, parseUserNetOptions, splitQemuOptions } from '@plugboard/net-slirp';
import { type Catalog, catalogOf, configFields } from './catalog.js';
import { helpText } from './help.js';
import { type LogItem, logItemsText, parseLogItems } from './log-items.js';
import { parseKeyValues, parseQemuArgs, type QemuOption, QemuOptionError } from './options.js';
import { UsbOptions } from './usb.js';

type Json = Record<string, unknown>;

/**
 * What a QEMU command line asks for: a base profile, an overlay onto it, and
 * how to run; or, for `-M help`, `-version` and the like, only text to print.
 */
export interface QemuTranslation {
  /** Text to print instead of running (help and version requests), else null. */
  output: string | null;
  /** Options taken with a difference the user should know of. */
  warnings: string[];
  /** `pc` or `bare`: the machines/ profile the overlay applies to. */
  machine: string;
  overlay: Json;
  run: {
    /** `stdio` or `tcp:...` as -monitor gave it (stdio by default with -nographic), null for none. */
    monitor: string | null;
    noReboot: boolean;
    nographic: boolean;
    firmwareDirs: string[];
    /** `-trace`: register trace patterns, what they leave out, and the file they go to. */
    trace: { trace: string[]; traceExclude: string[]; traceFile?: string };
    /** Where the screen is not shown anywhere (no -vnc, -display or -nographic): what to add to see it. */
    screenHint: string | null;
    /** `-gdb`/`-s`: where the GDB server listens, null for none. */
    gdb: { host: string; port: number } | null;
    /** `-S`: the machine starts paused. */
    startPaused: boolean;
    /** `-qmp`: the QMP sockets. */
    qmp: QmpSpec[];
    /** `-d` items and `-D` file. */
    log: { items: LogItem[]; file?: string };
  };
}

/** Said when the screen has nowhere to go. */
export const NO_SCREEN_HINT =
  'no window: the screen is shown nowhere; add -vnc :0 and point a VNC viewer at 127.0.0.1:5900, or -nographic for the serial console on this terminal';

/** `-bios builtin`: no BIOS image; the built-in loader boots -kernel and sets the platform up itself. */
export const BUILTIN_BIOS = 'builtin';
/** The firmware plugin `-bios builtin` selects (@plugboard/boot-linux). */
export const BUILTIN_FIRMWARE_TYPE = 'linux-direct';
/** What the built-in loader takes; the other firmware settings need a BIOS. */
const BUILTIN_KEYS = ['bios', 'kernel', 'initrd', 'append'];
/** The QEMU option behind each SeaBIOS config key, for error messages. */
const BIOS_OPTION: Record<string, string> = { boot: '-boot', bootMenu: '-boot menu=' };

/** The option ROM QEMU gives each NIC model, for network boot. */
const NIC_ROMS: Record<string, string> = {
  rtl8139: 'efi-rtl8139.rom',
  i82551: 'pxe-eepro100.rom',
  i82557b: 'pxe-eepro100.rom',
  i82559er: 'pxe-eepro100.rom',
};
const IDE_SLOTS = {
  hda: ['primary', 'master'],
  hdb: ['primary', 'slave'],
  hdc: ['secondary', 'master'],
  hdd: ['secondary', 'slave'],
} as const;

interface Nic {
  model: string;
  mac: string | null;
  vlan: string | null;
  netdev: string | null;
  addr: string | null;
}

interface Backend {
  id: string;
  type: string;
  config: Json;
  vlan: string | null;
}

const SIZE_SHIFT: Record<string, number> = { K: 10, M: 20, G: 30, T: 40 };

/** QEMU sizes are MiB unless a suffix says otherwise; the machine takes 1 MiB to 3.5 GiB. */
function memorySize(text: string): string {
  const { head, props } = parseKeyValues(text);
  const extra = [...props.keys()].filter((k) => k !== 'size');
  if (extra.length) throw new QemuOptionError(`-m ${text}: unknown sub-option ${extra.join(', ')}`);
  const value = props.get('size') ?? head ?? '';
  const m = /^(\d+)([KMGT]?)[bB]?$/i.exec(value);
  if (!m) throw new QemuOptionError(`-m ${text}: expected a size such as 512 or 512M`);
  const unit = (m[2] || 'M').toUpperCase();
  const bytes = Number(m[1]) * 2 ** SIZE_SHIFT[unit];
  if (bytes < 2 ** 20 || bytes > MAX_RAM_BYTES || bytes % 4096 !== 0)
    throw new QemuOptionError(
      `-m ${text}: this machine takes 1 MiB to ${MAX_RAM_BYTES / 2 ** 20} MiB of RAM (RAM ends where the PCI hole begins at 3.5 GiB)`,
    );
  return `${m[1]}${unit}`;
}

/** Fails on sub-options an option does not know, rather than ignoring them. */
function onlyKeys(option: string, value: string, props: Map<string, string>, known: readonly string[]): void {
  const extra = [...props.keys()].filter((k) => !known.includes(k));
  if (extra.length)
    throw new QemuOptionError(
      `${option} ${value}: unknown sub-option${extra.length > 1 ? 's' : ''} ${extra.join(', ')} (known: ${known.join(', ') || 'none'})`,
    );
}

/**
 * QEMU's `-trace [enable=]PATTERN[,events=FILE][,file=FILE]`. Patterns name
 * device registers (`nic:TSD*`), not QEMU's trace-event names; an events file
 * holds one pattern a line, `-PATTERN` leaving accesses out, `#` comments.
 */
function traceOption(value: string, trace: QemuTranslation['run']['trace']): void {
  const { head, props } = parseKeyValues(value);
  const unknown = [...props.keys()].filter((k) => k !== 'enable' && k !== 'events' && k !== 'file');
  if (unknown.length) throw new QemuOptionError(`-trace ${value}: unknown ${unknown.join(', ')}`);
  const enable = props.get('enable') ?? head;
  if (enable) trace.trace.push(enable);
  const events = props.get('events');
  if (events) {
    let text: string;
    try {
      text = readFileSync(events, 'utf8');
    } catch (err) {
      throw new QemuOptionError(`-trace events=${events}: ${(err as Error).message}`);
    }
    for (const raw of text.split('\n')) {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) continue;
      if (line.startsWith('-')) trace.traceExclude.push(line.slice(1));
      else trace.trace.push(line);
    }
  }
  const file = props.get('file');
  if (file) trace.traceFile = file;
}

/** A chardev spec (`stdio`, `file:PATH`, `tcp:HOST:PORT,server,nowait`) as a UART/debugcon backend. */
function chardev(spec: string, option: string): Json | null {
  if (spec === 'none') return null;
  if (spec === 'null') return { type: 'null' };
  if (spec === 'stdio' || spec === 'mon:stdio') return { type: 'stdio' };
  if (spec.startsWith('file:')) return { type: 'file', path: spec.slice(5) };
  if (spec.startsWith('tcp:')) {
    const { head, props } = parseKeyValues(spec.slice(4));
    const m = /^([^:]*):(\d+)$/.exec(head ?? '');
    if (!m) throw new QemuOptionError(`${option} ${spec}: expected tcp:HOST:PORT[,server][,nowait]`);
    return {
      type: 'tcp',
      host: m[1] || '127.0.0.1',
      port: Number(m[2]),
      server: props.has('server'),
      wait: !props.has('nowait') && props.get('wait') !== 'off',
    };
  }
  throw new QemuOptionError(
    `${option} ${spec}: expected stdio, file:PATH, tcp:HOST:PORT[,server][,nowait], null or none`,
  );
}

/** `-redir tcp:2222::22` in the hostfwd spelling the slirp config keeps. */
function redirToHostfwd(text: string): string {
  try {
    return formatHostFwd(parseRedir(text));
  } catch (err) {
    throw new QemuOptionError(`-redir ${text}: ${(err as Error).message}`);
  }
}

/** `-vnc :1[,websocket=on|PORT][,password=on]`: the VNC server of @plugboard/display. */
function vnc(value: string, option = '-vnc'): Json {
  const { head, props } = parseKeyValues(value);
  onlyKeys(option, value, props, ['websocket', 'password']);
  const config: Json = { display: head ?? '' };
  const ws = props.get('websocket');
  if (ws !== undefined) config.websocket = ws === 'on' ? true : ws === 'off' ? false : Number(ws);
  const password = props.get('password');
  if (password !== undefined) {
    if (password !== 'on' && password !== 'off')
      throw new QemuOptionError(`${option} ${value}: password=on or off`);
    config.password = password === 'on';
  }
  return { type: 'vnc', config };
}

/** Where `-device PLUGIN` without addr= goes: above the slots QEMU's default NICs take. */
const PLUGIN_FIRST_SLOT = 0x10;

/** QEMU's `addr=DD[.F]` (hex) as a profile's PCI address. */
function pciSlot(addr: string): string {
  const m = /^([0-9a-f]{1,2})(?:\.([0-7]))?$/i.exec(addr);
  if (!m || Number.parseInt(m[1], 16) > 0x1f)
    throw new QemuOptionError(`addr=${addr}: expected a PCI slot DD[.F] in hex, such as 05.0`);
  return `00:${m[1].padStart(2, '0').toLowerCase()}.${m[2] ?? '0'}`;
}

function macFor(index: number): string {
  return `52:54:00:12:34:${(0x56 + index).toString(16).padStart(2, '0')}`;
}

/** `-net user,...` / `-netdev user,...` through net-slirp's own parser of QEMU's spelling. */
function userNetConfig(option: string, value: string): Json {
  // `name=` labels a legacy -net client; it means nothing to the backend.
  const parts = splitQemuOptions(value).filter((p) => !p.startsWith('name='));
  try {
    return parseUserNetOptions(parts.map((p) => p.replaceAll(',', ',,')).join(',')).config as Json;
  } catch (err) {
    throw new QemuOptionError(`${option} ${value}: ${(err as Error).message}`);
  }
}

function socketConfig(option: string, value: string, props: Map<string, string>): Json {
  onlyKeys(option, value, props, ['id', 'name', 'vlan', 'listen', 'connect', 'mcast']);
  const config: Json = {};
  for (const key of ['listen', 'connect', 'mcast']) {
    const v = props.get(key);
    if (v !== undefined) config[key] = v;
  }
  if (Object.keys(config).length !== 1)
    throw new QemuOptionError('socket networking needs exactly one of listen=, connect= or mcast=');
  return config;
}

/** A `-device` value for a plugin that is not a NIC: its config fields, typed by its schema. */
function pluginDevice(plugin: DevicePlugin, value: string, props: Map<string, string>): Json {
  const fields = configFields(plugin);
  onlyKeys('-device', value, props, [
    'id',
    ...(plugin.kind === 'pci' ? ['addr'] : []),
    ...Object.keys(fields),
  ]);
  const config: Json = {};
  for (const [key, raw] of props) {
    if (key === 'id' || key === 'addr') continue;
    const types = [fields[key].type ?? []].flat();
    if (types.includes('boolean') && (raw === 'on' || raw === 'off')) config[key] = raw === 'on';
    else if ((types.includes('integer') || types.includes('number')) && /^(0x[0-9a-f]+|\d+)$/i.test(raw))
      config[key] = Number(raw);
    else config[key] = raw;
  }
  return { type: plugin.meta.id, config };
}

/**
 * Maps a QEMU command line onto a Plugboard profile overlay. Device, NIC, VGA
 * and CPU names come from the manifests in `registry`.
 */
export function translateQemu(argv: readonly string[], registry: PluginRegistry): QemuTranslation {
  const options = parseQemuArgs(argv);
  const catalog: Catalog = catalogOf(registry);
  const help = (topic: Parameters<typeof helpText>[0]): QemuTranslation => ({
    output: helpText(topic, catalog),
    warnings: [],
    machine: 'pc',
    overlay: {},
    run: {
      monitor: null,
      noReboot: false,
      nographic: false,
      firmwareDirs: [],
      trace: { trace: [], traceExclude: [] },
      screenHint: null,
      gdb: null,
      startPaused: false,
      qmp: [],
      log: { items: [] },
    },
  });
  for (const { name, value } of options) {
    const kv = value === null ? null : parseKeyValues(value);
    if (name === 'h' || name === 'help') return help('options');
    if (name === 'version') return help('version');
    if ((name === 'M' || name === 'machine') && (kv?.head === 'help' || kv?.props.get('type') === 'help'))
      return help('machine');
    if (name === 'cpu' && value === 'help') return help('cpu');
    if (name === 'device' && value === 'help') return help('device');
    if (name === 'vga' && value === 'help') return help('vga');
    if (name === 'net' && kv?.head === 'nic' && kv.props.get('model') === 'help') return help('nic');
    if (name === 'd' && value === 'help') return { ...help('version'), output: logItemsText() };
  }
  const nicModels = catalog.nics.map((p) => p.meta.id);
  const warnings: string[] = [];
  const overlay: Json = {};
  const devices: Json = {};
  const drives: Json = {};
  const netdevs: Json = {};
  const run: QemuTranslation['run'] = {
    monitor: null,
    noReboot: false,
    nographic: false,
    firmwareDirs: [],
    trace: { trace: [], traceExclude: [] },
    screenHint: NO_SCREEN_HINT,
    gdb: null,
    startPaused: false,
    qmp: [],
    log: { items: [] },
  };
  const legacyUser: Json = {};
  let legacyMac: string | null = null;
  const bios: Json = {};
  const ide: Record<string, Record<string, Json>> = {};
  const nics: Nic[] = [];
  const backends: Backend[] = [];
  const redirs: string[] = [];
  let machine = 'pc';
  let snapshot = false;
  let netGiven = false;
  let netNone = false;
  let serialSet = false;
  let debugconIobase: number | null = null;
  let debugcon: Json | null = null;
  let dumpFile: { file: string; vlan: string | null } | null = null;
  const filterDumps: FilterDump[] = [];
  let monitorSet = false;
  let pluginDevices = 0;
  const usb = new UsbOptions(catalog);

  /** Drive ids of CD-ROMs: they open after the disks (see the end). */
  const cdroms = new Set<string>();
  /** Puts a drive into IDE slot `index` (0 = primary master ... 3). */
  const attachIde = (option: string, index: number, id: string, media: 'disk' | 'cdrom', drive: Json) => {
    const [channel, position] = Object.values(IDE_SLOTS)[index];
    if (ide[channel]?.[position])
      throw new QemuOptionError(`${option}: the ${channel} ${position} IDE slot is already taken`);
    drives[id] = drive;
    if (media === 'cdrom') cdroms.add(id);
    ide[channel] ??= {};
    ide[channel][position] = { drive: id, media };
  };
  /** The pc profile's floppy controller drives: `driveA`/`driveB` of its `fdc` device. */
  const floppies: Json = {};
  const attachFloppy = (option: string, unit: number, id: string, drive: Json) => {
    const key = unit === 0 ? 'driveA' : 'driveB';
    if (floppies[key]) throw new QemuOptionError(`${option}: floppy drive ${'AB'[unit]}: is already taken`);
    drives[id] = drive;
    floppies[key] = { drive: id };
  };
  const driveFor = (slot: keyof typeof IDE_SLOTS | 'cdrom', file: string) => {
    const cd = slot === 'cdrom';
    const index = cd ? 2 : Object.keys(IDE_SLOTS).indexOf(slot);
    attachIde(`-${slot}`, index, slot, cd ? 'cdrom' : 'disk', {
      type: 'file',
      config: { file, ...(cd ? { readOnly: true } : {}) },
    });
  };
  /** QEMU's `-nic TYPE[,model=..][,mac=..][,TYPE's options]`: a netdev and a NIC on it in one; `none` for no NIC. */
  const nicOption = (value: string) => {
    const { head, props } = parseKeyValues(value);
    if (head === 'none') {
      netNone = true;
      return;
    }
    const model = props.get('model') ?? 'rtl8139';
    if (!nicModels.includes(model))
      throw new QemuOptionError(
        `-nic ${value}: supported models are ${nicModels.join(', ')} (-net nic,model=help)`,
      );
    const id = props.get('id') ?? `nic${nics.length}`;
    // What remains is the netdev's own options.
    const rest = splitQemuOptions(value)
      .filter((p) => !/^(model|mac|id)=/.test(p))
      .map((p) => p.replaceAll(',', ',,'))
      .join(',');
    const backendProps = parseKeyValues(rest).props;
    if (head === 'user')
      backends.push({ id, type: 'slirp', config: userNetConfig('-nic', rest), vlan: null });
    else if (head === 'socket')
      backends.push({ id, type: 'socket', config: socketConfig('-nic', rest, backendProps), vlan: null });
    else throw new QemuOptionError(`-nic ${value}: supported kinds are user, socket and none`);
    nics.push({ model, mac: props.get('mac') ?? null, vlan: null, netdev: id, addr: null });
  };
  /** QEMU's `-drive`, the IDE forms: `file=,if=ide,index=|bus=,unit=,media=,format=,readonly=,snapshot=,id=`. */
  const driveOption = (value: string) => {
    const { head, props } = parseKeyValues(value);
    if (head !== null)
      throw new QemuOptionError(`-drive ${value}: expected key=value pairs (file=IMAGE,...)`);
    onlyKeys('-drive', value, props, [
      'file',
      'if',
      'index',
      'bus',
      'unit',
      'media',
      'format',
      'readonly',
      'snapshot',
      'id',
      'cache',
      'aio',
    ]);
    const iface = props.get('if') ?? 'ide';
    if (iface !== 'ide' && iface !== 'floppy')
      throw new QemuOptionError(
        `-drive ${value}: if=${iface} is not supported; only if=ide and if=floppy (there is no ${iface} controller plugin)`,
      );
    const media = props.get('media') ?? 'disk';
    if (media !== 'disk' && media !== 'cdrom')
      throw new QemuOptionError(`-drive ${value}: media is disk or cdrom`);
    const flag = (key: string) => {
      const v = props.get(key);
      if (v !== undefined && v !== 'on' && v !== 'off')
        throw new QemuOptionError(`-drive ${value}: ${key} is on or off`);
      return v === 'on';
    };
    if (iface === 'floppy') {
      floppyDrive(value, props, flag);
      return;
    }
    let index: number;
    if (props.has('index')) index = Number(props.get('index'));
    else if (props.has('bus') || props.has('unit'))
      index = Number(props.get('bus') ?? 0) * 2 + Number(props.get('unit') ?? 0);
    else {
      // As QEMU: the first free slot.
      index = Object.values(IDE_SLOTS).findIndex(([channel, position]) => !ide[channel]?.[position]);
      if (index < 0) throw new QemuOptionError(`-drive ${value}: every IDE slot is taken`);
    }
    if (!Number.isInteger(index) || index < 0 || index > 3)
      throw new QemuOptionError(`-drive ${value}: an IDE index is 0 to 3 (bus 0-1, unit 0-1)`);
    for (const key of ['cache', 'aio'])
      if (props.has(key))
        warnings.push(
          `-drive ${value}: ${key}= has no meaning here (the image is written as the guest writes)`,
        );
    const file = props.get('file');
    if (!file && media === 'disk') throw new QemuOptionError(`-drive ${value}: a disk needs file=`);
    const id = props.get('id') ?? `ide${index >> 1}-${media === 'cdrom' ? 'cd' : 'hd'}${index & 1}`;
    const readOnly = flag('readonly') || media === 'cdrom';
    // No file: an empty CD-ROM tray, a drive the monitor's `change` can fill, as QEMU's.
    const config: Json = {
      ...(file ? { file } : {}),
      ...(readOnly ? { readOnly } : {}),
      ...(flag('snapshot') ? { snapshot: true } : {}),
    };
    if (props.has('format')) config.format = props.get('format');
    attachIde('-drive', index, id, media, { type: 'file', config });
  };

  /** `-drive if=floppy,file=,index=|unit=,readonly=,snapshot=,format=,id=`: drive A: or B:. */
  const floppyDrive = (value: string, props: Map<string, string>, flag: (key: string) => boolean) => {
    if ((props.get('media') ?? 'disk') !== 'disk')
      throw new QemuOptionError(`-drive ${value}: a floppy drive takes media=disk`);
    if (props.has('bus') && props.get('bus') !== '0')
      throw new QemuOptionError(`-drive ${value}: the floppy controller has one bus (bus=0)`);
    const given = props.get('index') ?? props.get('unit');
    const unit = given === undefined ? (floppies.driveA ? 1 : 0) : Number(given);
    if (unit !== 0 && unit !== 1)
      throw new QemuOptionError(`-drive ${value}: a floppy index (or unit) is 0 (A:) or 1 (B:)`);
    const file = props.get('file');
    if (!file)
      throw new QemuOptionError(`-drive ${value}: a floppy drive needs file= (an empty drive has no option)`);
    const config: Json = {
      file,
      ...(flag('readonly') ? { readOnly: true } : {}),
      ...(flag('snapshot') ? { snapshot: true } : {}),
    };
    if (props.has('format')) config.format = props.get('format');
    attachFloppy('-drive', unit, props.get('id') ?? `floppy${unit}`, { type: 'file', config });
  };

  for (const { name, value } of options as (QemuOption & { value: string })[]) {
    switch (name) {
      case 'M':
      case 'machine': {
        const { head, props } = parseKeyValues(value);
        onlyKeys(`-${name}`, value, props, ['type', 'accel', 'kernel_irqchip']);
        const type = props.get('type') ?? head ?? '';
        if (type === 'pc' || /^pc-i440fx-/.test(type) || type === 'pc-0.10' || type === 'pc-0.11')
          machine = 'pc';
        else if (type === 'bare') machine = 'bare';
        else throw new QemuOptionError(`-M ${value}: supported machines are pc (i440FX) and bare (-M help)`);
        break;
      }
      case 'm':
        overlay.memory = memorySize(value);
        break;
      case 'smp': {
        const { head, props } = parseKeyValues(value);
        onlyKeys('-smp', value, props, ['cpus', 'maxcpus', 'sockets', 'cores', 'threads']);
        const counts = [head, ...props.values()].filter((v): v is string => v !== null);
        if (counts.some((c) => !/^\d+$/.test(c) || Number(c) < 1))
          throw new QemuOptionError(`-smp ${value}: expected a CPU count`);
        if (counts.some((c) => Number(c) > 1))
          throw new QemuOptionError(`-smp ${value}: only one processor is emulated; use -smp 1`);
        break;
      }
      case 'cpu': {
        const model = parseKeyValues(value).head ?? '';
        if (!catalog.cpuModels.includes(model))
          throw new QemuOptionError(
            `-cpu ${value}: supported models are ${catalog.cpuModels.join(', ')} (-cpu help)`,
          );
        overlay.cpu = {
          ...((overlay.cpu as Json) ?? {}),
          config: { ...(((overlay.cpu as Json)?.config as Json) ?? {}), model },
        };
        break;
      }
      case 'accel': {
        // TCG's one instruction per translation block is the interpreter here; KVM and the rest mean nothing.
        const perInsn = parseKeyValues(value).props.get('one-insn-per-tb');
        if (perInsn === undefined) break;
        if (perInsn !== 'on' && perInsn !== 'off')
          throw new QemuOptionError(`-accel ${value}: one-insn-per-tb is on or off`);
        overlay.cpu = {
          ...((overlay.cpu as Json) ?? {}),
          config: { ...(((overlay.cpu as Json)?.config as Json) ?? {}), jit: perInsn === 'off' },
        };
        break;
      }
      case 'name': {
        const { head, props } = parseKeyValues(value);
        overlay.name = props.get('guest') ?? head ?? value;
        break;
      }
      case 'uuid':
        if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value)) {
          throw new QemuOptionError(
            `-uuid ${value}: expected a UUID such as 12345678-1234-1234-1234-123456789abc`,
          );
        }
        devices['fw-cfg'] = { config: { uuid: value.toLowerCase() } };
        break;
      case 'drive':
        driveOption(value);
        break;
      case 'nic':
        netGiven = true;
        nicOption(value);
        break;
      case 'hda':
      case 'hdb':
      case 'hdc':
      case 'hdd':
      case 'cdrom':
        driveFor(name, value);
        break;
      case 'fda':
      case 'fdb':
        attachFloppy(`-${name}`, name === 'fda' ? 0 : 1, name, { type: 'file', config: { file: value } });
        break;
      case 'boot': {
        const { head, props } = parseKeyValues(value);
        onlyKeys('-boot', value, props, ['order', 'once', 'menu']);
        if (props.has('once'))
          warnings.push(`-boot ${value}: once= is kept for every boot, not only the first`);
        const order = props.get('order') ?? props.get('once') ?? head ?? '';
        if (order && !/^[acdn]+$/.test(order))
          throw new QemuOptionError(
            `-boot ${value}: boot devices are a (floppy), c (disk), d (CD-ROM), n (network)`,
          );
        if (order) bios.boot = order;
        if (props.has('menu')) bios.bootMenu = props.get('menu') === 'on';
        break;
      }
      case 'snapshot':
        snapshot = true;
        break;
      case 'bios':
        bios.bios = value;
        break;
      case 'L':
        run.firmwareDirs.push(value);
        break;
      case 'kernel':
        bios.kernel = value;
        break;
      case 'initrd':
        bios.initrd = value;
        break;
      case 'append':
        bios.append = value;
        break;
      case 'vga': {
        const card = catalog.vgas.get(value);
        if (card) {
          // A card whose manifest names a default VGA BIOS gets it said in the entry, so a swap
          // from the profile's card does not report the old card's romfile as dropped.
          const rom = (configFields(card).romfile as { default?: unknown } | undefined)?.default;
          devices.vga = {
            type: card.meta.id,
            pci: '00:02.0',
            ...(typeof rom === 'string' ? { config: { romfile: rom } } : {}),
          };
        } else if (value === 'none') devices.vga = null;
        else
          throw new QemuOptionError(
            `-vga ${value}: supported cards are ${[...catalog.vgas.keys(), 'none'].join(', ')} (-vga help)`,
          );
        break;
      }
      case 'net': {
        netGiven = true;
        const { head, props } = parseKeyValues(value);
        const vlan = props.get('vlan') ?? '0';
        if (head === 'nic') {
          onlyKeys('-net', value, props, ['vlan', 'macaddr', 'model', 'addr', 'name', 'id']);
          const model = props.get('model') ?? 'rtl8139';
          if (!nicModels.includes(model))
            throw new QemuOptionError(
              `-net nic,model=${model}: supported models are ${nicModels.join(', ')} (-net nic,model=help)`,
            );
          nics.push({
            model,
            mac: props.get('macaddr') ?? null,
            vlan,
            netdev: null,
            addr: props.get('addr') ?? null,
          });
        } else if (head === 'user') {
          backends.push({
            id: props.get('name') ?? props.get('id') ?? `user${backends.length}`,
            type: 'slirp',
            config: userNetConfig('-net', value),
            vlan,
          });
        } else if (head === 'socket') {
          backends.push({
            id: props.get('name') ?? `socket${backends.length}`,
            type: 'socket',
            config: socketConfig('-net', value, props),
            vlan,
          });
        } else if (head === 'dump') {
          onlyKeys('-net', value, props, ['vlan', 'file', 'len', 'name', 'id']);
          dumpFile = { file: props.get('file') ?? 'qemu-vlan0.pcap', vlan };
        } else if (head === 'none') {
          netNone = true;
        } else {
          throw new QemuOptionError(`-net ${value}: supported kinds are nic, user, socket, dump and none`);
        }
        break;
      }
      case 'netdev': {
        netGiven = true;
        const { head, props } = parseKeyValues(value);
        const id = props.get('id');
        if (!id) throw new QemuOptionError(`-netdev ${value}: needs id=`);
        if (head === 'user')
          backends.push({ id, type: 'slirp', config: userNetConfig('-netdev', value), vlan: null });
        else if (head === 'socket')
          backends.push({ id, type: 'socket', config: socketConfig('-netdev', value, props), vlan: null });
        else throw new QemuOptionError(`-netdev ${value}: supported kinds are user and socket`);
        break;
      }
      case 'device': {
        const { head, props } = parseKeyValues(value);
        if (head === 'isa-debugcon') {
          onlyKeys('-device', value, props, ['iobase', 'chardev', 'id']);
          if (props.has('chardev'))
            warnings.push(`-device ${value}: chardev= is not followed; the output goes where -debugcon says`);
          const iobase = props.get('iobase');
          if (iobase) debugconIobase = Number(iobase);
          break;
        }
        const plugin = head ? catalog.devices.find((p) => p.meta.id === head) : undefined;
        if (!plugin) {
          throw new QemuOptionError(
            `-device ${value}: no such device; the devices are ${[...catalog.devices.map((p) => p.meta.id), 'isa-debugcon'].join(', ')} (-device help)`,
          );
        }
        if (!catalog.nics.includes(plugin)) {
          usb.device(plugin, value);
          const index = pluginDevices++;
          const addr = props.get('addr') ?? (PLUGIN_FIRST_SLOT + index).toString(16);
          devices[props.get('id') ?? `${plugin.meta.id}-${index}`] = {
            ...pluginDevice(plugin, value, props),
            ...(plugin.kind === 'pci' ? { pci: pciSlot(addr) } : {}),
          };
          break;
        }
        onlyKeys('-device', value, props, ['netdev', 'mac', 'addr', 'id', 'romfile']);
        netGiven = true;
        nics.push({
          model: plugin.meta.id,
          mac: props.get('mac') ?? null,
          vlan: null,
          netdev: props.get('netdev') ?? null,
          addr: props.get('addr') ?? null,
        });
        break;
      }
      case 'redir':
        redirs.push(redirToHostfwd(value));
        break;
      case 'object': {
        const { head, props } = parseKeyValues(value);
        if (head !== 'filter-dump')
          throw new QemuOptionError(
            `-object ${value}: the only object type is filter-dump (a pcap of a -netdev)`,
          );
        onlyKeys('-object', value, props, ['id', 'netdev', 'file', 'maxlen']);
        const id = props.get('id');
        const netdev = props.get('netdev');
        const file = props.get('file');
        if (!id || !netdev || !file)
          throw new QemuOptionError(`-object ${value}: needs id=, netdev= and file=`);
        if (props.has('maxlen'))
          warnings.push(`-object ${value}: maxlen= is not followed; every frame is written whole`);
        filterDumps.push({ id, netdev, file });
        break;
      }
      case 'usb':
        usb.enable();
        break;
      case 'usbdevice':
        usb.usbdevice(value, devices);
        break;
      case 'serial': {
        serialSet = true;
        // QEMU's mon:stdio: the monitor shares the terminal with this port.
        if (value === 'mon:stdio' && !monitorSet) run.monitor = 'stdio';
        const backend = chardev(value, '-serial');
        devices.com1 = backend === null ? null : { config: { backend } };
        break;
      }
      case 'debugcon':
        debugcon = chardev(value, '-debugcon');
        break;
      case 'global': {
        const m = /^isa-debugcon\.iobase=(0x[0-9a-f]+|\d+)$/i.exec(value);
        if (!m) throw new QemuOptionError(`-global ${value}: only isa-debugcon.iobase=N is supported`);
        debugconIobase = Number(m[1]);
        break;
      }
      case 'nographic':
        run.nographic = true;
        run.screenHint = null;
        break;
      case 'display':
        run.screenHint = null;
        if (value.startsWith('vnc=')) devices.display = vnc(value.slice(4), '-display vnc=');
        else if (value !== 'none')
          throw new QemuOptionError(`-display ${value}: supported are none and vnc=:N`);
        break;
      case 'vnc':
        run.screenHint = null;
        devices.display = vnc(value);
        break;
      case 'tftp':
        legacyUser.tftp = value;
        break;
      case 'bootp':
        legacyUser.bootfile = value;
        break;
      case 'macaddr':
        legacyMac = value;
        break;
      case 'localtime':
        devices.rtc = { config: { base: 'localtime' } };
        break;
      case 'rtc': {
        const { head, props } = parseKeyValues(value);
        onlyKeys('-rtc', value, props, ['base', 'clock', 'driftfix']);
        if (head !== null || (props.has('clock') && props.get('clock') !== 'vm'))
          throw new QemuOptionError(`-rtc ${value}: supported are base=utc|localtime|DATE and clock=vm`);
        if (props.has('driftfix'))
          warnings.push(`-rtc ${value}: driftfix= means nothing here (no lost ticks)`);
        if (props.has('base')) devices.rtc = { config: { base: props.get('base') } };
        break;
      }
      case 'monitor':
        try {
          parseMonitorSpec(value);
        } catch (err) {
          throw new QemuOptionError(`-${(err as Error).message}`);
        }
        monitorSet = true;
        run.monitor = value === 'none' ? null : value;
        break;
      case 'no-reboot':
        run.noReboot = true;
        break;
      case 'gdb':
        try {
          run.gdb = parseGdbSpec(value);
        } catch (err) {
          throw new QemuOptionError((err as Error).message);
        }
        break;
      case 'qmp': {
        let spec: QmpSpec | null;
        try {
          spec = parseQmpSpec(value);
        } catch (err) {
          throw new QemuOptionError((err as Error).message);
        }
        if (spec) run.qmp.push(spec);
        break;
      }
      case 's':
        run.gdb = { host: '127.0.0.1', port: DEFAULT_GDB_PORT };
        break;
      case 'S':
        run.startPaused = true;
        break;
      case 'trace':
        traceOption(value, run.trace);
        break;
      case 'd':
        run.log.items.push(...parseLogItems(value));
        break;
      case 'k':
        // The VNC server maps keysyms with a US layout; clients that send QEMU's extended key events
        // (raw keycodes: noVNC, gvncviewer, TigerVNC) are layout-independent and need no -k.
        if (value.toLowerCase() !== 'en-us')
          throw new QemuOptionError(
            `-k ${value}: only en-us is supported (the VNC server maps keysyms with a US layout); a VNC client that sends raw keycodes (QEMU's extended key events: noVNC, gvncviewer, TigerVNC) types right with any layout and needs no -k`,
          );
        break;
      case 'D':
        run.log.file = value;
        break;
      case 'icount': {
        const { head, props } = parseKeyValues(value);
        const shift = props.get('shift') ?? head ?? '';
        const extra = [...props.keys()].filter((k) => k !== 'shift');
        if (!/^\d+$/.test(shift) || Number(shift) > 10 || extra.length)
          throw new QemuOptionError(`-icount ${value}: supported is shift=N with N from 0 to 10`);
        overlay.clock = { mode: 'instructions', nsPerInstruction: 2 ** Number(shift) };
        break;
      }
      default:
        // Accepted for compatibility: acceleration and KVM options.
        break;
    }
  }

  usb.finish(devices);
  if (run.nographic) {
    if (!serialSet) devices.com1 = { config: { backend: { type: 'stdio' } } };
    // QEMU's -nographic puts the monitor on the terminal too, behind Ctrl-A c.
    if (!monitorSet) run.monitor = 'stdio';
    devices['fw-cfg'] = {
      config: { ...(((devices['fw-cfg'] as Json)?.config as Json) ?? {}), sercon: true },
    };
  }
  if (debugcon !== null || debugconIobase !== null) {
    devices.debugcon = {
      type: 'debugcon',
      config: { iobase: debugconIobase ?? 0xe9, output: debugcon ?? { type: 'stdio' } },
    };
  }

  if (legacyMac !== null) {
    if (nics.length) nics[0].mac ??= legacyMac;
    else if (!netGiven) devices.nic = { config: { mac: legacyMac } };
  }
  const legacyUserSet = Object.keys(legacyUser).length > 0;
  const user = backends.find((b) => b.type === 'slirp');
  if (legacyUserSet && user) user.config = { ...legacyUser, ...user.config };
  if (netGiven || netNone) {
    if (legacyUserSet && !user)
      throw new QemuOptionError('-tftp and -bootp need user-mode networking (-net user)');
    devices.nic = null;
    netdevs.net0 = null;
    if (!netNone) wireNetworks(nics, backends, redirs, dumpFile, filterDumps, devices, netdevs);
    else if (filterDumps.length)
      throw new QemuOptionError('-object filter-dump: there is no network (-net none)');
  } else if (redirs.length || legacyUserSet) {
    netdevs.net0 = { config: { ...legacyUser, ...(redirs.length ? { hostfwd: redirs } : {}) } };
  }

  if (snapshot) for (const d of Object.values(drives)) ((d as Json).config as Json).snapshot = true;
  if (Object.keys(ide).length) devices.ide = { config: ide };
  if (Object.keys(floppies).length) {
    if (machine === 'bare')
      throw new QemuOptionError('-M bare has no floppy controller (-fda, -fdb, -drive if=floppy)');
    devices.fdc = { config: floppies };
  }
  if (machine === 'bare') {
    // The bare machine's firmware is a plain ROM image: only -bios applies.
    const extra = Object.keys(bios).filter((k) => k !== 'bios');
    if (extra.length)
      throw new QemuOptionError(`-M bare takes only -bios for firmware, not ${extra.join(', ')}`);
    if (bios.bios !== undefined) devices.rom = { config: { image: bios.bios } };
  } else if (bios.bios === BUILTIN_BIOS) {
    if (bios.kernel === undefined)
      throw new QemuOptionError('-bios builtin is the built-in Linux loader: it needs -kernel');
    const extra = Object.keys(bios).filter((k) => !BUILTIN_KEYS.includes(k));
    if (extra.length)
      throw new QemuOptionError(
        `-bios builtin boots -kernel without a BIOS; ${extra.map((k) => BIOS_OPTION[k] ?? k).join(', ')} needs one`,
      );
    const { bios: _, ...config } = bios;
    devices.bios = { type: BUILTIN_FIRMWARE_TYPE, config };
  } else if (Object.keys(bios).length) devices.bios = { config: bios };
  // Disks before the CD-ROM, whatever the argument order: a CD-ROM of the disk's own image reads through
  // the disk's open image, which must exist first (see @plugboard/block, "One image, two drives").
  if (Object.keys(drives).length)
    overlay.drives = Object.fromEntries(
      Object.entries(drives).sort(([a], [b]) => Number(cdroms.has(a)) - Number(cdroms.has(b))),
    );
  if (Object.keys(netdevs).length) overlay.netdevs = netdevs;
  if (Object.keys(devices).length) overlay.devices = devices;
  if (machine === 'bare') run.screenHint = null;
  return { output: null, warnings, machine, overlay, run };
}

/** `-object filter-dump`: a capture of the frames through one `-netdev`. */
interface FilterDump {
  id: string;
  netdev: string;
  file: string;
}

/**
 * Joins NICs to backends: by netdev id, or by legacy vlan number (a hub where
 * a vlan has several members). A filter-dump puts a dump netdev between a
 * -netdev and the NIC on it, which captures the same frames QEMU's filter does.
 */
function wireNetworks(
  nics: Nic[],
  backends: Backend[],
  redirs: string[],
  dump: { file: string; vlan: string | null } | null,
  filterDumps: FilterDump[],
  devices: Json,
  netdevs: Json,
): void {
  for (const b of backends) netdevs[b.id] = { type: b.type, config: b.config };
  const filtered = new Map<string, string>();
  for (const f of filterDumps) {
    if (!backends.some((b) => b.id === f.netdev))
      throw new QemuOptionError(`-object filter-dump,id=${f.id}: no -netdev with id=${f.netdev}`);
    if (filtered.has(f.netdev))
      throw new QemuOptionError(
        `-object filter-dump,id=${f.id}: -netdev ${f.netdev} already has a filter-dump`,
      );
    const id = `filter-${f.id}`;
    netdevs[id] = { type: 'dump', config: { file: f.file, backend: f.netdev } };
    filtered.set(f.netdev, id);
  }
  if (redirs.length) {
    const user = backends.find((b) => b.type === 'slirp');
    if (!user) throw new QemuOptionError('-redir needs user-mode networking (-net user)');
    (netdevs[user.id] as Json).config = {
      ...user.config,
      hostfwd: [...((user.config.hostfwd as string[]) ?? []), ...redirs],
    };
  }
  const vlans = new Set([...nics, ...backends].map((x) => x.vlan).filter((v): v is string => v !== null));
  const vlanNetdev = new Map<string, string>();
  for (const vlan of vlans) {
    const members = backends.filter((b) => b.vlan === vlan);
    const nicCount = nics.filter((n) => n.vlan === vlan).length;
    let target: string;
    if (members.length === 1 && nicCount <= 1) target = members[0].id;
    else {
      target = `vlan${vlan}`;
      netdevs[target] = { type: 'hub', config: { members: members.map((m) => m.id) } };
    }
    if (dump && (dump.vlan ?? '0') === vlan) {
      netdevs[`dump${vlan}`] = { type: 'dump', config: { file: dump.file, backend: target } };
      target = `dump${vlan}`;
    }
    vlanNetdev.set(vlan, target);
  }
  nics.forEach((nic, i) => {
    if (nic.netdev && !backends.some((b) => b.id === nic.netdev))
      throw new QemuOptionError(`-device ${nic.model}: no -netdev with id=${nic.netdev}`);
    const netdev = nic.netdev
      ? (filtered.get(nic.netdev) ?? nic.netdev)
      : nic.vlan !== null
        ? vlanNetdev.get(nic.vlan)
        : undefined;
    const slot = nic.addr ? Number.parseInt(nic.addr.split('.')[0], 16) : 3 + i;
    devices[i === 0 ? 'nic' : `nic${i}`] = {
      type: nic.model,
      pci: `00:${slot.toString(16).padStart(2, '0')}.0`,
      config: { mac: nic.mac ?? macFor(i), ...(netdev ? { netdev } : {}), romfile: NIC_ROMS[nic.model] },
    };
  });
}
