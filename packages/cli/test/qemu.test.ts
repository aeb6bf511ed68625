import { QemuOptionError, translateQemu } from '@plugboard/cli';
import { describe, expect, it } from 'vitest';

const t = (line: string) => translateQemu(line.split(' ').filter(Boolean));

describe('QEMU option mapping', () => {
  it('maps the seed command line onto the pc machine', () => {
    const { machine, overlay } = t('-hda puredarwinxmas.vmdk -cdrom puredarwinxmas.vmdk -boot d -m 512');
    expect(machine).toBe('pc');
    expect(overlay).toEqual({
      memory: '512M',
      drives: {
        hda: { type: 'file', config: { file: 'puredarwinxmas.vmdk' } },
        cdrom: { type: 'file', config: { file: 'puredarwinxmas.vmdk', readOnly: true } },
      },
      devices: {
        ide: {
          config: {
            primary: { master: { drive: 'hda', media: 'disk' } },
            secondary: { master: { drive: 'cdrom', media: 'cdrom' } },
          },
        },
        bios: { config: { boot: 'd' } },
      },
    });
  });

  it('keeps the default NIC and user network, adding -redir forwards to it', () => {
    const { overlay } = t('-redir tcp:2222::22 -redir udp:5353:10.0.2.15:53');
    expect(overlay.netdevs).toEqual({
      net0: { config: { hostfwd: ['tcp:127.0.0.1:2222-:22', 'udp:127.0.0.1:5353-10.0.2.15:53'] } },
    });
    expect(overlay.devices).toBeUndefined();
  });

  it('builds NICs and backends from legacy -net options, with QEMU MAC numbering', () => {
    const { overlay } = t(
      '-net nic,model=i82557b -net nic,vlan=1,model=i82559er,macaddr=52:54:00:aa:bb:cc -net user,hostfwd=tcp::8080-:80 -net socket,vlan=1,listen=:1234',
    );
    expect(overlay.devices).toEqual({
      nic: {
        type: 'i82557b',
        pci: '00:03.0',
        config: { mac: '52:54:00:12:34:56', netdev: 'user0', romfile: 'pxe-eepro100.rom' },
      },
      nic1: {
        type: 'i82559er',
        pci: '00:04.0',
        config: { mac: '52:54:00:aa:bb:cc', netdev: 'socket1', romfile: 'pxe-eepro100.rom' },
      },
    });
    expect(overlay.netdevs).toEqual({
      net0: null,
      user0: { type: 'slirp', config: { hostfwd: ['tcp:127.0.0.1:8080-:80'] } },
      socket1: { type: 'socket', config: { listen: ':1234' } },
    });
  });

  it('joins several NICs on one vlan through a hub, and wraps a vlan in a pcap dump', () => {
    const { overlay } = t('-net nic -net nic -net user -net dump,file=cap.pcap');
    const netdevs = overlay.netdevs as Record<string, unknown>;
    expect(netdevs.vlan0).toEqual({ type: 'hub', config: { members: ['user0'] } });
    expect(netdevs.dump0).toEqual({ type: 'dump', config: { file: 'cap.pcap', backend: 'vlan0' } });
    expect((overlay.devices as Record<string, { config: { netdev: string } }>).nic1.config.netdev).toBe(
      'dump0',
    );
  });

  it("takes QEMU's user-network spellings, netmask and domainname included", () => {
    const { overlay } = t(
      '-net nic -net user,net=10.1.0.0/255.255.0.0,domainname=example.org,hostname=guest',
    );
    expect((overlay.netdevs as Record<string, unknown>).user0).toEqual({
      type: 'slirp',
      config: { net: '10.1.0.0/16', domain: 'example.org', hostname: 'guest' },
    });
    expect(() => t('-net user,smb=/tmp')).toThrow(/-net user,smb=\/tmp: user: option "smb" is not supported/);
  });

  it('maps -netdev/-device pairs and checks the netdev exists', () => {
    const { overlay } = t(
      '-netdev user,id=n0,restrict=on -device rtl8139,netdev=n0,mac=52:54:00:00:00:01,addr=5',
    );
    expect((overlay.devices as Record<string, unknown>).nic).toEqual({
      type: 'rtl8139',
      pci: '00:05.0',
      config: { mac: '52:54:00:00:00:01', netdev: 'n0', romfile: 'efi-rtl8139.rom' },
    });
    expect((overlay.netdevs as Record<string, unknown>).n0).toEqual({
      type: 'slirp',
      config: { restrict: true },
    });
    expect(() => t('-device rtl8139,netdev=missing')).toThrow(/no -netdev with id=missing/);
  });

  it('removes the network with -net none', () => {
    expect(t('-net none').overlay).toEqual({ netdevs: { net0: null }, devices: { nic: null } });
  });

  it('sets serial, -nographic console mirroring, debugcon port and firmware options', () => {
    const { overlay, run } = t(
      '-nographic -debugcon file:seabios.log -global isa-debugcon.iobase=0x402 -bios my.bin -L /fw -no-reboot -kernel vmlinuz -append console=ttyS0',
    );
    expect(overlay.devices).toEqual({
      com1: { config: { backend: { type: 'stdio' } } },
      'fw-cfg': { config: { sercon: true } },
      debugcon: {
        type: 'debugcon',
        config: { iobase: 0x402, output: { type: 'file', path: 'seabios.log' } },
      },
      bios: { config: { bios: 'my.bin', kernel: 'vmlinuz', append: 'console=ttyS0' } },
    });
    expect(run).toEqual({ monitor: 'stdio', noReboot: true, nographic: true, firmwareDirs: ['/fw'] });
    expect(t('-serial tcp::4444,server,nowait').overlay.devices).toEqual({
      com1: {
        config: { backend: { type: 'tcp', host: '127.0.0.1', port: 4444, server: true, wait: false } },
      },
    });
  });

  it('puts the monitor where -monitor says, on the terminal by default with -nographic', () => {
    expect(t('-m 64').run.monitor).toBeNull();
    expect(t('-monitor tcp:127.0.0.1:4444,server,nowait').run.monitor).toBe(
      'tcp:127.0.0.1:4444,server,nowait',
    );
    expect(t('-nographic -monitor none').run.monitor).toBeNull();
    expect(t('-nographic -monitor tcp::4444,server').run.monitor).toBe('tcp::4444,server');
    expect(t('-serial mon:stdio').run.monitor).toBe('stdio');
    expect(() => t('-monitor tcp:127.0.0.1:4444')).toThrow(/-monitor tcp:127\.0\.0\.1:4444: .*add ,server/);
    expect(() => t('-monitor vc')).toThrow(QemuOptionError);
  });

  it('marks every drive copy-on-write with -snapshot, and swaps or drops the VGA card', () => {
    const { overlay } = t('-snapshot -hda a.img -hdb b.img -vga none');
    const drives = overlay.drives as Record<string, { config: { snapshot: boolean } }>;
    expect(drives.hda.config.snapshot && drives.hdb.config.snapshot).toBe(true);
    expect((overlay.devices as Record<string, unknown>).vga).toBeNull();
    expect((t('-vga std').overlay.devices as Record<string, unknown>).vga).toEqual({
      type: 'std-vga',
      pci: '00:02.0',
    });
  });

  it('adds the VNC server for -vnc and -display vnc=, websocket included', () => {
    expect((t('-vnc :1,websocket=on').overlay.devices as Record<string, unknown>).display).toEqual({
      type: 'vnc',
      config: { display: ':1', websocket: true },
    });
    expect((t('-display vnc=:2').overlay.devices as Record<string, unknown>).display).toEqual({
      type: 'vnc',
      config: { display: ':2' },
    });
  });

  it('maps -icount shift=N onto the virtual clock: 2^N ns per instruction, as QEMU', () => {
    expect(t('-icount shift=10').overlay).toEqual({
      clock: { mode: 'instructions', nsPerInstruction: 1024 },
    });
    expect(t('-icount 3').overlay).toEqual({ clock: { mode: 'instructions', nsPerInstruction: 8 } });
    expect(() => t('-icount shift=auto')).toThrow(/supported is shift=N with N from 0 to 10/);
    expect(() => t('-icount shift=11')).toThrow(/supported is shift=N/);
    expect(() => t('-icount shift=2,sleep=off')).toThrow(/supported is shift=N/);
  });

  it('maps -accel tcg,one-insn-per-tb=on onto the interpreter alone (cpu.config.jit false)', () => {
    expect(t('-accel tcg,one-insn-per-tb=on').overlay).toEqual({ cpu: { config: { jit: false } } });
    expect(t('-cpu pentium3 -accel tcg,one-insn-per-tb=off').overlay).toEqual({
      cpu: { config: { model: 'pentium3', jit: true } },
    });
    expect(() => t('-accel tcg,one-insn-per-tb=maybe')).toThrow(/one-insn-per-tb is on or off/);
  });

  it('accepts the KVM and acceleration options and ignores them', () => {
    expect(t('-no-kvm-irqchip -accel tcg -enable-kvm -m 1G').overlay).toEqual({ memory: '1G' });
  });

  it('names unsupported options, values and conflicts clearly', () => {
    expect(() => t('-usbdevice tablet')).toThrow(
      /unsupported option -usbdevice\nsupported options:\n {2}-M ARG/,
    );
    expect(() => t('-M q35')).toThrow(/supported machines are pc \(i440FX\) and bare/);
    expect(() => t('-cpu core2duo')).toThrow(/supported models are qemu32, pentium, pentium2, pentium3/);
    expect(() => t('-net nic,model=e1000')).toThrow(
      /supported models are rtl8139, i82551, i82557b, i82559er/,
    );
    expect(() => t('-hdc a.img -cdrom b.iso')).toThrow(/secondary master IDE slot is already taken/);
    expect(() => t('-m lots')).toThrow(QemuOptionError);
    expect(() => t('-hda')).toThrow(/needs an argument/);
  });

  it('runs a test ROM on the bare machine with its debug console', () => {
    const { machine, overlay } = t('-M bare -bios test.rom -debugcon file:out.txt');
    expect(machine).toBe('bare');
    expect(overlay.devices).toEqual({
      rom: { config: { image: 'test.rom' } },
      debugcon: { type: 'debugcon', config: { iobase: 0xe9, output: { type: 'file', path: 'out.txt' } } },
    });
    expect(() => t('-M bare -kernel vmlinuz')).toThrow(/-M bare takes only -bios/);
  });

  it('selects the built-in Linux loader with -bios builtin, which needs -kernel and no BIOS options', () => {
    const { overlay } = t('-bios builtin -kernel vmlinuz -initrd initrd.gz -append console=ttyS0');
    expect(overlay.devices).toEqual({
      bios: {
        type: 'linux-direct',
        config: { kernel: 'vmlinuz', initrd: 'initrd.gz', append: 'console=ttyS0' },
      },
    });
    expect(() => t('-bios builtin')).toThrow(/-bios builtin .* needs -kernel/);
    expect(() => t('-bios builtin -kernel vmlinuz -boot d')).toThrow(/-boot needs one/);
  });

  it('takes a bare image name as -hda, like QEMU', () => {
    expect((t('disk.img').overlay.drives as Record<string, unknown>).hda).toEqual({
      type: 'file',
      config: { file: 'disk.img' },
    });
  });
});
