import { createRegistry, QemuOptionError, translateQemu } from '@plugboard/cli';
import { describe, expect, it } from 'vitest';

const registry = await createRegistry();
const t = (line: string) => translateQemu(line.split(' ').filter(Boolean), registry);

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

  it('orders disks before the CD-ROM, so a CD-ROM of the disk image reads through the open disk', () => {
    const { overlay } = t('-cdrom x.vmdk -hdb y.img -hda x.vmdk');
    expect(Object.keys(overlay.drives as object)).toEqual(['hdb', 'hda', 'cdrom']);
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

  it('puts a pcap dump between a -netdev and its NIC for -object filter-dump', () => {
    const { overlay, warnings } = t(
      '-netdev user,id=n0 -device rtl8139,netdev=n0 -object filter-dump,id=f0,netdev=n0,file=cap.pcap,maxlen=64',
    );
    expect((overlay.netdevs as Record<string, unknown>)['filter-f0']).toEqual({
      type: 'dump',
      config: { file: 'cap.pcap', backend: 'n0' },
    });
    expect((overlay.devices as Record<string, { config: { netdev: string } }>).nic.config.netdev).toBe(
      'filter-f0',
    );
    expect(warnings).toContain(
      '-object filter-dump,id=f0,netdev=n0,file=cap.pcap,maxlen=64: maxlen= is not followed; every frame is written whole',
    );
    expect(() => t('-netdev user,id=n0 -object filter-dump,id=f0,netdev=n1,file=c.pcap')).toThrow(
      /no -netdev with id=n1/,
    );
    expect(() => t('-object filter-dump,id=f0,netdev=n0')).toThrow(/needs id=, netdev= and file=/);
    expect(() => t('-object memory-backend-ram,id=m,size=1G')).toThrow(/the only object type is filter-dump/);
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
    expect(run).toEqual({
      monitor: 'stdio',
      noReboot: true,
      nographic: true,
      firmwareDirs: ['/fw'],
      trace: { trace: [], traceExclude: [] },
      screenHint: null,
      gdb: null,
      startPaused: false,
      qmp: [],
      log: { items: [] },
    });
    expect(t('-serial tcp::4444,server,nowait').overlay.devices).toEqual({
      com1: {
        config: { backend: { type: 'tcp', host: '127.0.0.1', port: 4444, server: true, wait: false } },
      },
    });
  });

  it('maps -drive (IDE) onto drives and IDE slots, named as QEMU names them', () => {
    const { overlay } = t(
      '-drive file=b.iso,media=cdrom,index=2 -drive file=a.vmdk,if=ide,index=0,format=vmdk',
    );
    // The disk opens before the CD-ROM whatever the order (a CD-ROM of the disk's image reads through it).
    expect(Object.keys(overlay.drives as object)).toEqual(['ide0-hd0', 'ide1-cd0']);
    expect(overlay.drives).toEqual({
      'ide0-hd0': { type: 'file', config: { file: 'a.vmdk', format: 'vmdk' } },
      'ide1-cd0': { type: 'file', config: { file: 'b.iso', readOnly: true } },
    });
    expect(overlay.devices).toEqual({
      ide: {
        config: {
          primary: { master: { drive: 'ide0-hd0', media: 'disk' } },
          secondary: { master: { drive: 'ide1-cd0', media: 'cdrom' } },
        },
      },
    });
    const second = t('-drive file=a.img,readonly=on,snapshot=on -drive media=cdrom,bus=1,unit=1');
    // A CD-ROM with no file is an empty tray: a drive with no medium, which `change` fills.
    expect(second.overlay.drives).toEqual({
      'ide0-hd0': { type: 'file', config: { file: 'a.img', readOnly: true, snapshot: true } },
      'ide1-cd1': { type: 'file', config: { readOnly: true } },
    });
    expect(second.overlay.devices).toMatchObject({
      ide: { config: { secondary: { slave: { drive: 'ide1-cd1', media: 'cdrom' } } } },
    });
    expect(t('-drive file=x,cache=none').warnings).toEqual([
      '-drive file=x,cache=none: cache= has no meaning here (the image is written as the guest writes)',
    ]);
    expect(() => t('-drive file=x,if=virtio')).toThrow(/if=virtio is not supported; only if=ide/);
    expect(() => t('-hda a -drive file=b,index=0')).toThrow(/the primary master IDE slot is already taken/);
    expect(() => t('-drive file=x,index=4')).toThrow(/index is 0 to 3/);
    expect(() => t('-drive if=ide')).toThrow(/a disk needs file=/);
    expect(() => t('-drive file=x,readonly=yes')).toThrow(/readonly is on or off/);
    expect(() => t('-drive file=x,werror=stop')).toThrow(/unknown sub-option werror/);
  });

  it('maps -fda, -fdb and -drive if=floppy onto the floppy controller drives A: and B:', () => {
    const { overlay } = t('-fda a.img -fdb b.img -boot a -snapshot');
    expect(overlay.drives).toEqual({
      fda: { type: 'file', config: { file: 'a.img', snapshot: true } },
      fdb: { type: 'file', config: { file: 'b.img', snapshot: true } },
    });
    expect(overlay.devices).toMatchObject({
      fdc: { config: { driveA: { drive: 'fda' }, driveB: { drive: 'fdb' } } },
      bios: { config: { boot: 'a' } },
    });
    const drive = t('-drive if=floppy,file=d.img,index=1,readonly=on,format=raw');
    expect(drive.overlay.drives).toEqual({
      floppy1: { type: 'file', config: { file: 'd.img', readOnly: true, format: 'raw' } },
    });
    expect(drive.overlay.devices).toEqual({ fdc: { config: { driveB: { drive: 'floppy1' } } } });
    expect(t('-drive if=floppy,file=x').overlay.devices).toEqual({
      fdc: { config: { driveA: { drive: 'floppy0' } } },
    });
    expect(() => t('-fda a.img -drive if=floppy,file=b,index=0')).toThrow(/floppy drive A: is already taken/);
    expect(() => t('-drive if=floppy,file=x,index=2')).toThrow(/floppy index \(or unit\) is 0 \(A:\) or 1/);
    expect(() => t('-drive if=floppy,file=x,media=cdrom')).toThrow(/a floppy drive takes media=disk/);
    expect(() => t('-drive if=floppy')).toThrow(/a floppy drive needs file=/);
    expect(() => t('-M bare -fda a.img')).toThrow(/-M bare has no floppy controller/);
  });

  it('maps -nic onto a netdev and a NIC on it', () => {
    const { overlay } = t('-nic user,model=i82557b,mac=52:54:00:00:00:09,hostfwd=tcp::2222-:22');
    expect(overlay.netdevs).toEqual({
      net0: null,
      nic0: { type: 'slirp', config: { hostfwd: ['tcp:127.0.0.1:2222-:22'] } },
    });
    expect((overlay.devices as Record<string, unknown>).nic).toEqual({
      type: 'i82557b',
      pci: '00:03.0',
      config: { mac: '52:54:00:00:00:09', netdev: 'nic0', romfile: 'pxe-eepro100.rom' },
    });
    expect(t('-nic none').overlay).toMatchObject({ devices: { nic: null }, netdevs: { net0: null } });
    expect(() => t('-nic user,model=ne2k_pci')).toThrow(
      /-nic user,model=ne2k_pci: supported models are .*rtl8139/,
    );
    expect(() => t('-nic tap,ifname=tap0')).toThrow(/supported kinds are user, socket and none/);
  });

  it('takes -k en-us and refuses other layouts, saying what works instead', () => {
    expect(t('-k en-us').overlay).toEqual({});
    expect(() => t('-k de')).toThrow(/-k de: only en-us is supported .* needs no -k/);
  });

  it('maps -d and -D onto the run; -d help lists the items; an unknown item is an error with the list', () => {
    expect(t('-d int,cpu_reset,in_asm -d guest_errors -D q.log').run.log).toEqual({
      items: ['int', 'cpu_reset', 'in_asm', 'guest_errors'],
      file: 'q.log',
    });
    expect(t('-d help').output).toMatch(/^Log items \(comma separated\):\nint +interrupt lines/);
    expect(() => t('-d exec,int')).toThrow(
      /-d exec,int: unknown log item exec\nLog items \(comma separated\):\nint /,
    );
  });

  it('maps -s, -gdb, -S and -qmp onto the run, and refuses what they cannot do', () => {
    expect(t('-s -S').run).toMatchObject({ gdb: { host: '127.0.0.1', port: 1234 }, startPaused: true });
    expect(t('-gdb tcp:0.0.0.0:9000').run.gdb).toEqual({ host: '0.0.0.0', port: 9000 });
    expect(t('-gdb none').run.gdb).toBeNull();
    expect(() => t('-gdb stdio')).toThrow(/-gdb stdio: expected tcp::PORT, tcp:HOST:PORT or none/);
    expect(t('-qmp tcp::4444,server=on,wait=off -qmp unix:/tmp/q,server').run.qmp).toEqual([
      { type: 'tcp', host: '127.0.0.1', port: 4444, wait: false },
      { type: 'unix', path: '/tmp/q', wait: true },
    ]);
    expect(() => t('-qmp tcp::4444')).toThrow(/only a listening QMP socket is supported/);
    expect(t('-qmp stdio').run.qmp).toEqual([{ type: 'stdio', wait: false }]);
    expect(() => t('-qmp mon:stdio')).toThrow(/QMP cannot share the terminal with a console/);
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
    expect((t('-vga cirrus').overlay.devices as Record<string, unknown>).vga).toEqual({
      type: 'cirrus-vga',
      pci: '00:02.0',
    });
    // The card names come from the manifests: std-vga is `-vga std`, as QEMU names it.
    // Its VGA BIOS is the manifest's default romfile, as QEMU's class_init names it.
    expect((t('-vga std').overlay.devices as Record<string, unknown>).vga).toEqual({
      type: 'std-vga',
      pci: '00:02.0',
      config: { romfile: 'vgabios-stdvga.bin' },
    });
    expect(() => t('-vga vmware')).toThrow(
      /-vga vmware: supported cards are cirrus, std, none \(-vga help\)/,
    );
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
    expect((t('-vnc :3,password=on').overlay.devices as Record<string, unknown>).display).toEqual({
      type: 'vnc',
      config: { display: ':3', password: true },
    });
    expect(() => t('-vnc :3,password=yes')).toThrow(/password=on or off/);
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

  it('maps -usb to the PIIX3 UHCI at 00:01.2, -usbdevice tablet and -device usb-tablet to the tablet, as QEMU 7.2 does', () => {
    const uhci = { type: 'piix3-usb-uhci', pci: '00:01.2' };
    expect(t('-usb').overlay.devices).toEqual({ usb: uhci });
    // -usbdevice implies -usb.
    expect(t('-usbdevice tablet').overlay.devices).toEqual({
      'usb-tablet': { type: 'usb-tablet' },
      usb: uhci,
    });
    expect(t('-usb -device usb-tablet,id=tab').overlay.devices).toEqual({
      tab: { type: 'usb-tablet', config: {} },
      usb: uhci,
    });
    // QEMU: "No 'usb-bus' bus found for device 'usb-tablet'".
    expect(() => t('-device usb-tablet')).toThrow(/-device usb-tablet: there is no USB bus; add -usb/);
    expect(() => t('-usbdevice mouse')).toThrow(
      /-usbdevice mouse: no such USB device; the USB devices are tablet/,
    );
    expect(() => t('-usb -device usb-tablet,addr=05.0')).toThrow(/unknown sub-option addr/);
  });

  it('names unsupported options, values and conflicts clearly', () => {
    expect(() => t('-soundhw sb16')).toThrow(/unsupported option -soundhw\nsupported options:\n {2}-h /);
    // Options with no device behind them yet say why, never pass silently.
    expect(() => t('-vga qxl')).toThrow(/-vga qxl: supported cards are cirrus, std, none/);
    expect(() => t('-M q35')).toThrow(/supported machines are pc \(i440FX\) and bare/);
    expect(() => t('-cpu athlon')).toThrow(
      /supported models are qemu32, pentium, pentium2, pentium3, coreduo, core2duo \(-cpu help\)/,
    );
    expect(() => t('-net nic,model=e1000')).toThrow(
      /supported models are i82551, i82557a, .*i82559er, rtl8139 \(-net nic,model=help\)/,
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

  it('refuses what it cannot do rather than doing something else', () => {
    expect(() => t('-smp 2')).toThrow(/-smp 2: only one processor is emulated/);
    expect(() => t('-smp cpus=1,cores=2')).toThrow(/only one processor/);
    expect(t('-smp 1').overlay).toEqual({});
    expect(() => t('-vnc :1,password=maybe')).toThrow(/-vnc :1,password=maybe: password=on or off/);
    expect(() => t('-vnc :1,lossy=on')).toThrow(/-vnc :1,lossy=on: unknown sub-option lossy/);
    expect(() => t('-net nic,model=rtl8139,bogus=1')).toThrow(/unknown sub-option bogus/);
    expect(() => t('-machine pc,usb=on')).toThrow(/-machine pc,usb=on: unknown sub-option usb/);
    expect(t('-machine type=pc').machine).toBe('pc');
    expect(() => t('-boot order=c,strict=on')).toThrow(/unknown sub-option strict/);
    expect(() => t('-device rtl8139,netdev=n0,speed=10')).toThrow(/unknown sub-option speed/);
    expect(() => t('-netdev socket,id=s,listen=:1234,bogus=1')).toThrow(/unknown sub-option bogus/);
    expect(() => t('-device e1000')).toThrow(/-device e1000: no such device; the devices are .*rtl8139/);
    expect(t('-boot once=d').warnings).toEqual([
      '-boot once=d: once= is kept for every boot, not only the first',
    ]);
  });

  it('gives a clear error for RAM the machine cannot have, not an internal one', () => {
    expect(() => t('-m 4096')).toThrow(/-m 4096: this machine takes 1 MiB to 3584 MiB of RAM/);
    expect(() => t('-m 0')).toThrow(/-m 0: this machine takes 1 MiB/);
    expect(() => t('-m 3G')).not.toThrow();
    expect(() => t('-m size=512M,slots=2')).toThrow(/unknown sub-option slots/);
  });

  it('lists machines, CPUs, devices, NIC models and VGA cards from the manifests, as QEMU does', () => {
    expect(t('-M help').output).toMatch(/^Supported machines are:\npc +Standard PC/);
    expect(t('-machine help').output).toMatch(/\nbare +/);
    expect(t('-cpu help').output).toBe(
      'Available CPUs:\nx86 qemu32\nx86 pentium\nx86 pentium2\nx86 pentium3\nx86 coreduo\nx86 core2duo\n',
    );
    expect(t('-device help').output).toMatch(/\nrtl8139 +pci, Realtek/);
    expect(t('-device help').output).toMatch(/\nuart16550a +isa, /);
    expect(t('-net nic,model=help').output).toMatch(/^Supported NIC models:\n(.*\n)*rtl8139\n/);
    expect(t('-vga help').output).toMatch(
      /\ncirrus +Cirrus Logic CL-GD5446 VGA\nstd +Standard VGA with Bochs VBE extensions\nnone +/,
    );
    expect(t('-h').output).toMatch(/^usage: plugboard qemu \[options\] \[disk_image\]/);
    expect(t('--help').output).toBe(t('-h').output);
    expect(t('-version').output).toMatch(/^Plugboard \d+\.\d+\.\d+ /);
    // A help request wins over the rest of the line, as in QEMU.
    expect(t('-m 512 -M help').output).toMatch(/Supported machines/);
  });

  it('adds any installed PCI or ISA plugin with -device, its fields checked against the schema', () => {
    const devices = t(
      '-device uart16550a,id=com2,iobase=0x2f8 -device i82559er,netdev=u,addr=05 -netdev user,id=u',
    ).overlay.devices as Record<string, unknown>;
    expect(devices.com2).toEqual({ type: 'uart16550a', config: { iobase: 0x2f8 } });
    expect((devices.nic as { pci: string }).pci).toBe('00:05.0');
    expect(() => t('-device uart16550a,addr=04.0')).toThrow(/unknown sub-option addr/);
    expect(() => t('-device piix3-ide,addr=40')).toThrow(/addr=40: expected a PCI slot/);
  });

  it('says where the screen is when no display option is given', () => {
    expect(t('-m 64').run.screenHint).toMatch(/no window: .*-vnc :0 .*127\.0\.0\.1:5900.*-nographic/);
    expect(t('-vnc :0').run.screenHint).toBeNull();
    expect(t('-display none').run.screenHint).toBeNull();
    expect(t('-nographic').run.screenHint).toBeNull();
  });

  it('takes the old spellings -tftp, -bootp, -macaddr, -localtime and -rtc base=', () => {
    expect(t('-tftp /srv -bootp pxe.0').overlay.netdevs).toEqual({
      net0: { config: { tftp: '/srv', bootfile: 'pxe.0' } },
    });
    const legacy = t('-net nic -net user -tftp /srv -macaddr 52:54:00:00:00:01').overlay;
    expect((legacy.netdevs as Record<string, { config: unknown }>).user0.config).toMatchObject({
      tftp: '/srv',
    });
    expect((legacy.devices as Record<string, { config: { mac: string } }>).nic.config.mac).toBe(
      '52:54:00:00:00:01',
    );
    expect(t('-localtime').overlay.devices).toEqual({ rtc: { config: { base: 'localtime' } } });
    expect(t('-rtc base=utc').overlay.devices).toEqual({ rtc: { config: { base: 'utc' } } });
    expect(() => t('-rtc clock=host')).toThrow(/-rtc clock=host: supported are base=/);
  });
});
