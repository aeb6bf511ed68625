import { UserError } from '@plugboard/core';

/** A QEMU option as written: `-name value`, or a flag. */
export interface QemuOption {
  name: string;
  value: string | null;
}

/**
 * The options the front end understands, and whether each takes a value.
 * Options marked `accepted` are taken for compatibility and mean nothing here
 * (hardware acceleration, KVM's interrupt chip).
 */
export const QEMU_OPTIONS: Record<string, { arg: boolean; accepted?: true; help: string }> = {
  h: { arg: false, help: 'print this list and exit' },
  help: { arg: false, help: 'same as -h' },
  version: { arg: false, help: 'print the version and exit' },
  M: { arg: true, help: 'machine type: pc (the default) or bare; help lists them' },
  machine: { arg: true, help: 'same as -M' },
  m: { arg: true, help: 'RAM size, MiB unless suffixed (512, 512M, 2G, size=512M)' },
  smp: { arg: true, help: 'CPU count: 1 (only one processor is emulated)' },
  cpu: {
    arg: true,
    help: 'CPU model (help lists them): qemu32, pentium, pentium2, pentium3, coreduo, core2duo',
  },
  name: { arg: true, help: 'machine name' },
  uuid: { arg: true, help: 'system UUID (SMBIOS)' },
  drive: {
    arg: true,
    help: 'file=IMAGE[,if=ide|floppy][,index=0-3|bus=,unit=][,media=disk|cdrom][,format=..][,readonly=on][,snapshot=on][,id=..]',
  },
  fda: { arg: true, help: 'floppy disk image in drive A: (floppy0)' },
  fdb: { arg: true, help: 'floppy disk image in drive B: (floppy1)' },
  hda: { arg: true, help: 'primary master disk image' },
  hdb: { arg: true, help: 'primary slave disk image' },
  hdc: { arg: true, help: 'secondary master disk image' },
  hdd: { arg: true, help: 'secondary slave disk image' },
  cdrom: { arg: true, help: 'CD-ROM image (secondary master)' },
  boot: { arg: true, help: 'boot order: a, c, d, n, or order=..,once=..,menu=on' },
  snapshot: { arg: false, help: 'write to temporary overlays, never to the images' },
  bios: { arg: true, help: 'BIOS image file' },
  L: { arg: true, help: 'directory to look for firmware in' },
  kernel: { arg: true, help: 'Linux kernel for direct boot' },
  initrd: { arg: true, help: 'initial ramdisk for direct boot' },
  append: { arg: true, help: 'kernel command line' },
  vga: { arg: true, help: 'VGA card: cirrus, std or none (help lists them)' },
  net: {
    arg: true,
    help: 'nic[,vlan=n][,macaddr=..][,model=..|help][,addr=..] | user[,...] | socket,... | dump,file=.. | none',
  },
  nic: {
    arg: true,
    help: 'user|socket[,model=..][,mac=..][,netdev options] | none: a netdev and its NIC in one',
  },
  netdev: { arg: true, help: 'user,id=..[,...] | socket,id=..,listen=|connect=..' },
  device: {
    arg: true,
    help: 'NIC,netdev=..[,mac=..][,addr=..] | isa-debugcon[,iobase=N] | PLUGIN[,addr=..][,FIELD=..] | help',
  },
  usb: { arg: false, help: "a USB controller: the PIIX3's UHCI at 00:01.2 (two ports)" },
  usbdevice: {
    arg: true,
    help: 'tablet: a USB device on it (implies -usb, as in QEMU); VNC drives the tablet',
  },
  tftp: { arg: true, help: 'old spelling of -net user,tftp=DIR' },
  bootp: { arg: true, help: 'old spelling of -net user,bootfile=FILE' },
  macaddr: { arg: true, help: "old spelling: the first NIC's MAC address" },
  localtime: { arg: false, help: 'old spelling of -rtc base=localtime' },
  rtc: { arg: true, help: 'base=utc|localtime|ISO date: where the RTC starts' },
  redir: { arg: true, help: 'tcp|udp:HOSTPORT::GUESTPORT forward from the host into the guest' },
  object: {
    arg: true,
    help: 'filter-dump,id=ID,netdev=NETDEV,file=FILE: a pcap of every frame through -netdev NETDEV',
  },
  serial: { arg: true, help: 'COM1: stdio, file:PATH, tcp:HOST:PORT[,server][,nowait], null, none' },
  debugcon: { arg: true, help: 'debug console port: stdio, file:PATH' },
  global: { arg: true, help: 'isa-debugcon.iobase=N' },
  nographic: { arg: false, help: 'no display; COM1 on the terminal; SeaBIOS mirrors its screen to COM1' },
  display: { arg: true, help: 'none, or vnc=:N' },
  vnc: { arg: true, help: 'VNC display :N[,websocket=on|PORT] (listens on 127.0.0.1:5900+N; no password)' },
  monitor: {
    arg: true,
    help: 'monitor on stdio, tcp:HOST:PORT,server[,nowait] or none (stdio behind Ctrl-A c with -nographic)',
  },
  'no-reboot': { arg: false, help: 'a guest reset ends the run' },
  qmp: {
    arg: true,
    help: 'tcp:HOST:PORT,server=on[,wait=off], unix:PATH,server=on[,wait=off] or stdio: the QEMU Machine Protocol (repeatable)',
  },
  gdb: {
    arg: true,
    help: 'tcp::PORT or tcp:HOST:PORT: a GDB remote-protocol server (127.0.0.1 without a host)',
  },
  s: { arg: false, help: 'same as -gdb tcp::1234' },
  S: { arg: false, help: 'start stopped: the guest runs after cont (monitor, QMP) or a continue from GDB' },
  trace: {
    arg: true,
    help: '[enable=]PATTERN[,events=FILE][,file=FILE]: register trace, PATTERN as plugboard run --trace',
  },
  k: { arg: true, help: 'VNC keyboard layout: en-us (the only one)' },
  d: { arg: true, help: 'int,cpu_reset,in_asm,guest_errors: what to log (help lists them)' },
  D: { arg: true, help: 'write the -d log to this file instead of stderr' },
  icount: { arg: true, help: 'shift=N: each instruction takes 2^N ns of virtual time (N 0-10; default 0)' },
  'no-kvm-irqchip': { arg: false, accepted: true, help: 'accepted, meaningless here' },
  'no-kvm': { arg: false, accepted: true, help: 'accepted, meaningless here' },
  'enable-kvm': { arg: false, accepted: true, help: 'accepted, meaningless here' },
  accel: {
    arg: true,
    help: 'tcg[,one-insn-per-tb=on|off]: on runs the interpreter alone (cpu.config.jit false); other accelerators are accepted, meaningless here',
  },
};

export class QemuOptionError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'QemuOptionError';
  }
}

export function supportedOptionsText(): string {
  return Object.entries(QEMU_OPTIONS)
    .map(([name, o]) => `  -${name}${o.arg ? ' ARG' : ''}`.padEnd(22) + o.help)
    .join('\n');
}

/** Splits argv into options; `--opt` is accepted for `-opt`, as QEMU does. */
export function parseQemuArgs(argv: readonly string[]): QemuOption[] {
  const out: QemuOption[] = [];
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i];
    if (!word.startsWith('-')) {
      // QEMU takes a bare image as -hda.
      out.push({ name: 'hda', value: word });
      continue;
    }
    const name = word.replace(/^--?/, '');
    const spec = QEMU_OPTIONS[name];
    if (!spec)
      throw new QemuOptionError(`unsupported option ${word}\nsupported options:\n${supportedOptionsText()}`);
    if (!spec.arg) {
      out.push({ name, value: null });
      continue;
    }
    const value = argv[i + 1];
    if (value === undefined) throw new QemuOptionError(`option ${word} needs an argument (${spec.help})`);
    out.push({ name, value });
    i++;
  }
  return out;
}

/** Splits `a,b=c,d=e` into a leading word and key/value pairs; `,,` is a literal comma. */
export function parseKeyValues(text: string): { head: string | null; props: Map<string, string> } {
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < text.length; i++) {
    if (text[i] === ',' && text[i + 1] === ',') {
      cur += ',';
      i++;
    } else if (text[i] === ',') {
      parts.push(cur);
      cur = '';
    } else cur += text[i];
  }
  parts.push(cur);
  const props = new Map<string, string>();
  let head: string | null = null;
  parts.forEach((p, i) => {
    const eq = p.indexOf('=');
    if (eq < 0 && i === 0) head = p;
    else if (eq < 0) props.set(p, 'on');
    else props.set(p.slice(0, eq), p.slice(eq + 1));
  });
  return { head, props };
}
