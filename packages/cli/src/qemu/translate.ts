import { parseMonitorSpec } from '@plugboard/monitor';
import { formatHostFwd, parseRedir, parseUserNetOptions, splitQemuOptions } from '@plugboard/net-slirp';
import { parseKeyValues, parseQemuArgs, type QemuOption, QemuOptionError } from './options.js';

type Json = Record<string, unknown>;

/** What a QEMU command line asks for: a base profile, an overlay onto it, and how to run. */
export interface QemuTranslation {
  /** `pc` or `bare`: the machines/ profile the overlay applies to. */
  machine: string;
  overlay: Json;
  run: {
    /** `stdio` or `tcp:...` as -monitor gave it (stdio by default with -nographic), null for none. */
    monitor: string | null;
    noReboot: boolean;
    nographic: boolean;
    firmwareDirs: string[];
  };
}

/** `-bios builtin`: no BIOS image; the built-in loader boots -kernel and sets the platform up itself. */
export const BUILTIN_BIOS = 'builtin';
/** The firmware plugin `-bios builtin` selects (@plugboard/boot-linux). */
export const BUILTIN_FIRMWARE_TYPE = 'linux-direct';
/** What the built-in loader takes; the other firmware settings need a BIOS. */
const BUILTIN_KEYS = ['bios', 'kernel', 'initrd', 'append'];
/** The QEMU option behind each SeaBIOS config key, for error messages. */
const BIOS_OPTION: Record<string, string> = { boot: '-boot', bootMenu: '-boot menu=' };

const NIC_MODELS = ['rtl8139', 'i82551', 'i82557b', 'i82559er'];
/** The option ROM QEMU gives each NIC model, for network boot. */
const NIC_ROMS: Record<string, string> = {
  rtl8139: 'efi-rtl8139.rom',
  i82551: 'pxe-eepro100.rom',
  i82557b: 'pxe-eepro100.rom',
  i82559er: 'pxe-eepro100.rom',
};
const CPU_MODELS = ['qemu32', 'pentium', 'pentium2', 'pentium3'];
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

/** QEMU sizes are MiB unless a suffix says otherwise. */
function memorySize(text: string): string {
  const value = text.startsWith('size=') ? text.slice(5) : text;
  const m = /^(\d+)([KMGT]?)[bB]?$/i.exec(value);
  if (!m) throw new QemuOptionError(`-m ${text}: expected a size such as 512 or 512M`);
  return `${m[1]}${(m[2] || 'M').toUpperCase()}`;
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

/** `-vnc :1[,websocket=on|PORT]`: the VNC server of @plugboard/display. */
function vnc(value: string): Json {
  const { head, props } = parseKeyValues(value);
  const config: Json = { display: head ?? '' };
  const ws = props.get('websocket');
  if (ws !== undefined) config.websocket = ws === 'on' ? true : ws === 'off' ? false : Number(ws);
  return { type: 'vnc', config };
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

function socketConfig(props: Map<string, string>): Json {
  const config: Json = {};
  for (const key of ['listen', 'connect', 'mcast']) {
    const v = props.get(key);
    if (v !== undefined) config[key] = v;
  }
  if (Object.keys(config).length !== 1)
    throw new QemuOptionError('socket networking needs exactly one of listen=, connect= or mcast=');
  return config;
}

/** Maps a QEMU command line onto a Plugboard profile overlay. */
export function translateQemu(argv: readonly string[]): QemuTranslation {
  const options = parseQemuArgs(argv);
  const overlay: Json = {};
  const devices: Json = {};
  const drives: Json = {};
  const netdevs: Json = {};
  const run: QemuTranslation['run'] = { monitor: null, noReboot: false, nographic: false, firmwareDirs: [] };
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
  let monitorSet = false;

  const driveFor = (slot: keyof typeof IDE_SLOTS | 'cdrom', file: string) => {
    const [channel, position] = slot === 'cdrom' ? (['secondary', 'master'] as const) : IDE_SLOTS[slot];
    if (ide[channel]?.[position])
      throw new QemuOptionError(`-${slot}: the ${channel} ${position} IDE slot is already taken`);
    drives[slot] = { type: 'file', config: { file, ...(slot === 'cdrom' ? { readOnly: true } : {}) } };
    ide[channel] ??= {};
    ide[channel][position] = { drive: slot, media: slot === 'cdrom' ? 'cdrom' : 'disk' };
  };

  for (const { name, value } of options as (QemuOption & { value: string })[]) {
    switch (name) {
      case 'M':
      case 'machine': {
        const type = parseKeyValues(value).head ?? '';
        if (type === 'pc' || /^pc-i440fx-/.test(type) || type === 'pc-0.10' || type === 'pc-0.11')
          machine = 'pc';
        else if (type === 'bare') machine = 'bare';
        else throw new QemuOptionError(`-M ${value}: supported machines are pc (i440FX) and bare`);
        break;
      }
      case 'm':
        overlay.memory = memorySize(value);
        break;
      case 'smp': {
        const count = Number(parseKeyValues(value).head ?? value);
        if (!Number.isInteger(count) || count < 1)
          throw new QemuOptionError(`-smp ${value}: expected a CPU count`);
        overlay.cpu = {
          ...((overlay.cpu as Json) ?? {}),
          config: { ...(((overlay.cpu as Json)?.config as Json) ?? {}), count },
        };
        break;
      }
      case 'cpu': {
        const model = parseKeyValues(value).head ?? '';
        if (!CPU_MODELS.includes(model))
          throw new QemuOptionError(`-cpu ${value}: supported models are ${CPU_MODELS.join(', ')}`);
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
      case 'hda':
      case 'hdb':
      case 'hdc':
      case 'hdd':
      case 'cdrom':
        driveFor(name, value);
        break;
      case 'boot': {
        const { head, props } = parseKeyValues(value);
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
      case 'vga':
        if (value === 'cirrus') devices.vga = { type: 'cirrus-vga', pci: '00:02.0' };
        else if (value === 'std') devices.vga = { type: 'std-vga', pci: '00:02.0' };
        else if (value === 'none') devices.vga = null;
        else throw new QemuOptionError(`-vga ${value}: supported cards are cirrus, std and none`);
        break;
      case 'net': {
        netGiven = true;
        const { head, props } = parseKeyValues(value);
        const vlan = props.get('vlan') ?? '0';
        if (head === 'nic') {
          const model = props.get('model') ?? 'rtl8139';
          if (!NIC_MODELS.includes(model))
            throw new QemuOptionError(
              `-net nic,model=${model}: supported models are ${NIC_MODELS.join(', ')}`,
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
            config: socketConfig(props),
            vlan,
          });
        } else if (head === 'dump') {
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
          backends.push({ id, type: 'socket', config: socketConfig(props), vlan: null });
        else throw new QemuOptionError(`-netdev ${value}: supported kinds are user and socket`);
        break;
      }
      case 'device': {
        const { head, props } = parseKeyValues(value);
        if (head === 'isa-debugcon') {
          const iobase = props.get('iobase');
          if (iobase) debugconIobase = Number(iobase);
          break;
        }
        if (!head || !NIC_MODELS.includes(head)) {
          throw new QemuOptionError(
            `-device ${value}: supported devices are ${NIC_MODELS.join(', ')} and isa-debugcon`,
          );
        }
        netGiven = true;
        nics.push({
          model: head,
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
        break;
      case 'display':
        if (value.startsWith('vnc=')) devices.display = vnc(value.slice(4));
        else if (value !== 'none')
          throw new QemuOptionError(`-display ${value}: supported are none and vnc=:N`);
        break;
      case 'vnc':
        devices.display = vnc(value);
        break;
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

  if (netGiven || netNone) {
    devices.nic = null;
    netdevs.net0 = null;
    if (!netNone) wireNetworks(nics, backends, redirs, dumpFile, devices, netdevs);
  } else if (redirs.length) {
    netdevs.net0 = { config: { hostfwd: redirs } };
  }

  if (snapshot) for (const d of Object.values(drives)) ((d as Json).config as Json).snapshot = true;
  if (Object.keys(ide).length) devices.ide = { config: ide };
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
  if (Object.keys(drives).length) overlay.drives = drives;
  if (Object.keys(netdevs).length) overlay.netdevs = netdevs;
  if (Object.keys(devices).length) overlay.devices = devices;
  return { machine, overlay, run };
}

/** Joins NICs to backends: by netdev id, or by legacy vlan number (a hub where a vlan has several members). */
function wireNetworks(
  nics: Nic[],
  backends: Backend[],
  redirs: string[],
  dump: { file: string; vlan: string | null } | null,
  devices: Json,
  netdevs: Json,
): void {
  for (const b of backends) netdevs[b.id] = { type: b.type, config: b.config };
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
    const netdev = nic.netdev ?? (nic.vlan !== null ? vlanNetdev.get(nic.vlan) : undefined);
    if (nic.netdev && !backends.some((b) => b.id === nic.netdev))
      throw new QemuOptionError(`-device ${nic.model}: no -netdev with id=${nic.netdev}`);
    const slot = nic.addr ? Number.parseInt(nic.addr.split('.')[0], 16) : 3 + i;
    devices[i === 0 ? 'nic' : `nic${i}`] = {
      type: nic.model,
      pci: `00:${slot.toString(16).padStart(2, '0')}.0`,
      config: { mac: nic.mac ?? macFor(i), ...(netdev ? { netdev } : {}), romfile: NIC_ROMS[nic.model] },
    };
  });
}
