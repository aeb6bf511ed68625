import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type HostListeners, type Machine, type Ps2InputService, Tokens } from '@plugboard/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { listenMonitor, Monitor } from '../src/index.js';
import { puredarwinXmas } from './machine.js';

const NIC_DEVFN = 3 << 3;
let machine: Machine | null = null;

async function setup(overrides: Record<string, unknown>[] = []) {
  machine = await puredarwinXmas(overrides);
  return { machine, monitor: new Monitor(machine) };
}

afterEach(async () => {
  await machine?.destroy();
  machine = null;
});

describe('monitor commands on puredarwin-xmas', () => {
  it('lists every command with help, and one with help CMD', async () => {
    const { monitor } = await setup();
    const help = await monitor.execute('help');
    for (const name of [
      'info',
      'screendump',
      'sendkey',
      'system_powerdown',
      'system_reset',
      'stop',
      'cont',
      'quit',
    ])
      expect(help).toMatch(new RegExp(`^${name}\\b.* -- `, 'm'));
    expect(await monitor.execute('help cont')).toBe('cont|c -- resume emulation');
    expect(await monitor.execute('info')).toContain('info pci        -- show PCI info');
  });

  it('info jit: what the CPU translated, or that the translator is off', async () => {
    const { machine, monitor } = await setup([{ cpu: { config: { jit: true } } }]);
    await machine.run({ maxInstructions: 3_000_000 });
    expect(await monitor.execute('info jit')).toMatch(/^units translated +[1-9]\d* \(/m);
    await machine.destroy();
    const off = await setup([{ cpu: { config: { jit: false } } }]);
    await off.machine.run({ maxInstructions: 10_000 });
    expect(await off.monitor.execute('info jit')).toBe('translator off (cpu.config.jit false)');
  });

  it('names unknown commands and subcommands', async () => {
    const { monitor } = await setup();
    expect(await monitor.execute('frobnicate')).toBe("unknown command: 'frobnicate'");
    expect(await monitor.execute('info nothing')).toMatch(/^unknown info subcommand: 'nothing'/);
    expect(await monitor.execute('')).toBe('');
  });

  it('info pci: IDs, class, IRQ and BARs as the guest programmed them', async () => {
    const { machine, monitor } = await setup();
    let text = await monitor.execute('info pci');
    expect(text).toContain('  Bus  0, device   0, function 0:\n    Host bridge: PCI device 8086:1237\n');
    expect(text).toContain(
      '  Bus  0, device   3, function 0:\n    Ethernet controller: PCI device 10ec:8139\n',
    );
    expect(text).toContain('      BAR0: I/O at 0x0000 [0x00ff]. (not decoded)');
    // Program the NIC as firmware would: IRQ line, BAR0 at 0xc000, BAR1 at 0xfebf1000, decoding on.
    const write = (offset: number, size: 1 | 2 | 4, value: number) =>
      machine.pci.writeConfig(0, NIC_DEVFN, offset, size, value);
    write(0x3c, 1, 11);
    write(0x10, 4, 0xc001);
    write(0x14, 4, 0xfebf1000);
    write(0x04, 2, 0x0003);
    text = await monitor.execute('info pci');
    const nic = text.slice(text.indexOf('device   3'));
    expect(nic).toContain('      IRQ 11, pin A\n');
    expect(nic).toContain('      BAR0: I/O at 0xc000 [0xc0ff].\n');
    expect(nic).toContain('      BAR1: 32 bit memory at 0xfebf1000 [0xfebf10ff].\n');
    expect(nic).toContain('      id "nic"');
  });

  it('info qtree: every device with its own info lines', async () => {
    const { monitor } = await setup();
    const text = await monitor.execute('info qtree');
    expect(text).toMatch(/^dev: slirp, id "net0"\n/);
    expect(text).toMatch(/\ndev: rtl8139, id "nic"\n {2}nic: RTL8139.* mac 52:54:00:12:34:56/);
    expect(text).toContain('\ndev: floppy, id "fdc"\n');
  });

  it('info registers: the CPU at its reset vector', async () => {
    const { monitor } = await setup();
    const text = await monitor.execute('info registers');
    expect(text).toMatch(/^EAX=00000000 /);
    expect(text).toContain('EIP=0000fff0 ');
    expect(text).toContain('\nCS =f000 ffff0000 0000ffff ');
  });

  it("x /Ni: instructions at the reset vector, through the CPU model's disassembler", async () => {
    const { monitor } = await setup();
    expect(await monitor.execute('x /1i $pc')).toBe('0xfffffff0:  jmp 0xf000:0xe05b');
    expect(await monitor.execute('x/2i 0xffff0')).toMatch(
      /^0x000ffff0: {2}jmp 0xf000:0xe05b\n0x000ffff5: {2}\S/,
    );
  });

  it('x /Ni: SIMD instructions, mandatory prefixes and the 0F 38/0F 3A maps, as objdump -m i8086 prints them', async () => {
    const { monitor, machine } = await setup();
    machine.memory.ram.set(
      [
        0x0f, 0x58, 0xc1, 0x66, 0x0f, 0x38, 0x00, 0xc1, 0x66, 0x0f, 0x3a, 0x0f, 0xc1, 0x04, 0xf2, 0x0f, 0x7c,
        0x07, 0x0f, 0x77,
      ],
      0x500,
    );
    // Real mode at reset: 16-bit code, as objdump's i8086 machine reads it.
    expect(await monitor.execute('x /5i 0x500')).toBe(
      [
        '0x00000500:  addps xmm0,xmm1',
        '0x00000503:  pshufb xmm0,xmm1',
        '0x00000508:  palignr xmm0,xmm1,0x4',
        '0x0000050e:  haddps xmm0,XMMWORD PTR [bx]',
        '0x00000512:  emms',
      ].join('\n'),
    );
  });

  it("x and xp: QEMU's formats and sizes, laid out as QEMU lays them out", async () => {
    const { monitor, machine } = await setup();
    machine.memory.ram.set([0x41, 0x0a, 0xff, 0x7f, 0x00, 0x80, 0x27, 0x5c, 0x12], 0x500);
    expect(await monitor.execute('xp /2xw 0x500')).toBe('0000000000000500: 0x7fff0a41 0x5c278000');
    expect(await monitor.execute('x /4xb 0x500')).toBe('00000500: 0x41 0x0a 0xff 0x7f');
    expect(await monitor.execute('x/9xb 0x500')).toBe(
      '00000500: 0x41 0x0a 0xff 0x7f 0x00 0x80 0x27 0x5c\n00000508: 0x12',
    );
    // Widths as qemu-system-i386 pads them (checked by hand: `xp /3db`, `/2uw`, `/1ob`, `/4c` at 0xffff0).
    // /d is signed at every size, as QEMU's documentation says (QEMU zero-extends bytes and halfwords).
    expect(await monitor.execute('x /3db 0x501')).toBe('00000501:  10  -1 127');
    expect(await monitor.execute('x /2ub 0x502')).toBe('00000502: 255 127');
    expect(await monitor.execute('x /1uw 0x500')).toBe('00000500: 2147420737');
    expect(await monitor.execute('x /1ob 0x501')).toBe('00000501: 012');
    expect(await monitor.execute('x /1dh 0x504')).toBe('00000504: -32768');
    expect(await monitor.execute('x /1xg 0x500')).toBe('00000500: 0x5c2780007fff0a41');
    expect(await monitor.execute('x /1ob 0x502')).toBe('00000502: 0377');
    expect(await monitor.execute('x /4c 0x500')).toBe("00000500: 'A' '\\n' '\\xff' '\\x7f'");
    expect(await monitor.execute('x /2c 0x506')).toBe("00000506: '\\'' '\\\\'");
    // The default is one word in hex; the reset vector's ROM reads through the top of memory.
    expect(await monitor.execute('x 0xfffffff0')).toBe('fffffff0: 0x00e05bea');
    // MMIO or nothing: said on the line, as QEMU says it.
    expect(await monitor.execute('xp /2xw 0xfebffffc')).toMatch(/^00000000febffffc: Cannot access memory$/);
    expect(await monitor.execute('x /1zw 0')).toMatch(/expected \/\[COUNT\]/);
    expect(await monitor.execute('x /100000xg 0')).toMatch(/at most 65536 bytes/);
    expect(await monitor.execute('xp /1i 0')).toMatch(/needs a linear address/);
  });

  it('info network: the slirp netdev with the NIC on it', async () => {
    const { monitor } = await setup();
    const text = await monitor.execute('info network');
    expect(text).toMatch(/^net0: type=slirp\n {4}slirp net0: net 10\.0\.2\.0\/24/);
    expect(text).toMatch(/\n \\ nic: RTL8139.* mac 52:54:00:12:34:56 netdev net0/);
  });

  it('info block: each drive, its image and where it is attached', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'plugboard-monitor-'));
    const image = join(dir, 'disk.img');
    writeFileSync(image, new Uint8Array(16 * 512));
    const { monitor } = await setup([
      {
        drives: { hda: { type: 'file', config: { file: image, format: 'raw' } } },
        devices: { ide: { config: { primary: { master: { drive: 'hda', media: 'disk' } } } } },
      },
    ]);
    const text = await monitor.execute('info block');
    expect(text).toContain(`hda: ${image}: raw, 16 sectors of 512 bytes`);
    expect(text).toContain('    Attached to:      ide (primary.master)');
  });

  it('info status, stop and cont', async () => {
    const { machine, monitor } = await setup();
    expect(await monitor.execute('info status')).toBe(
      'VM status: running\nvirtual time 0.000000 s, 0.000000 s of it skipped by fast-forward',
    );
    await monitor.execute('stop');
    expect(machine.isPaused).toBe(true);
    expect(await monitor.execute('info status')).toMatch(/^VM status: paused\n/);
    // A paused run executes nothing until `cont`.
    const run = machine.run({ maxInstructions: 1000 });
    await new Promise((r) => setTimeout(r, 20));
    expect(machine.cpu!.instructionCount).toBe(0);
    await monitor.execute('c');
    expect((await run).reason).toBe('instruction limit reached');
    expect(machine.cpu!.instructionCount).toBe(1000);
    expect(await monitor.execute('info status')).toMatch(/^VM status: running\nvirtual time 0\.000001 s,/);
  });

  it('system_reset puts the CPU back at its reset vector; quit ends the run', async () => {
    const { machine, monitor } = await setup();
    await machine.run({ maxInstructions: 5000 });
    expect(machine.cpu!.registers().EIP).not.toBe(0xfff0);
    await monitor.execute('system_reset');
    // The reset happens at the run loop's next turn; a run with no instructions left takes just that turn.
    await machine.run({ maxInstructions: machine.cpu!.instructionCount });
    expect(machine.cpu!.registers().EIP).toBe(0xfff0);
    const run = machine.run();
    await monitor.execute('quit');
    expect((await run).reason).toBe('quit from the monitor');
  });

  it('sendkey presses keys in order through the PS/2 input service and releases them in reverse', async () => {
    const { machine, monitor } = await setup();
    const input = machine.container.get<Ps2InputService>(Tokens.Ps2Input);
    const key = vi.spyOn(input, 'key');
    const code = vi.spyOn(input, 'keyCode');
    expect(await monitor.execute('sendkey ctrl-alt-delete 0')).toBe('');
    expect(key.mock.calls).toEqual([
      ['ControlLeft', true],
      ['AltLeft', true],
      ['Delete', true],
      ['Delete', false],
      ['AltLeft', false],
      ['ControlLeft', false],
    ]);
    code.mockClear();
    await monitor.execute('sendkey 0x1c 1');
    expect(code.mock.calls.map((c) => c[1])).toEqual([true, false]);
    expect(await monitor.execute('sendkey ctrl-bogus')).toBe("unknown key: 'bogus'");
    expect(await monitor.execute('sendkey a -5')).toBe("sendkey: bad hold time '-5'");
  });

  it('system_powerdown sets PWRBTN_STS and raises the SCI once the guest enabled PWRBTN_EN', async () => {
    const { machine, monitor } = await setup();
    const pmDevfn = (1 << 3) | 3;
    // What SeaBIOS does: PMBA 0x600, PM I/O on; then the OS: ACPI on (0xB2), PWRBTN_EN.
    machine.pci.writeConfig(0, pmDevfn, 0x40, 4, 0x601);
    machine.pci.writeConfig(0, pmDevfn, 0x80, 1, 1);
    machine.ports.out8(0xb2, 0xf1);
    machine.ports.out16(0x602, 0x0100);
    expect(machine.isaIrqs.level(9)).toBe(false);
    expect(await monitor.execute('system_powerdown')).toBe('');
    expect(machine.ports.in16(0x600) & 0x0100).toBe(0x0100);
    expect(machine.isaIrqs.level(9)).toBe(true);
  });

  it('screendump writes the screen as a PNG', async () => {
    const { machine, monitor } = await setup();
    await machine.run({ maxInstructions: 2_000_000 });
    const file = join(mkdtempSync(join(tmpdir(), 'plugboard-monitor-')), 'screen.png');
    expect(await monitor.execute(`screendump ${file}`)).toBe('');
    expect([...readFileSync(file).subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(await monitor.execute('screendump')).toBe('screendump: expected a file name');
  });
});

describe('set_password', () => {
  it('sets the VNC password through the machine remote console, and says when there is none', async () => {
    const { machine, monitor } = await setup();
    expect(await monitor.execute('set_password vnc pw')).toContain('set_password: no vnc server');
    const set: string[] = [];
    machine.container
      .bind(Tokens.RemoteConsole)
      .toConstantValue({ protocol: 'vnc', setPassword: (p: string) => set.push(p) });
    expect(await monitor.execute('set_password vnc s3cret')).toBe('');
    expect(set).toEqual(['s3cret']);
    expect(await monitor.execute('set_password spice x')).toContain('no spice server');
  });
});

describe('the TCP monitor and the guest', () => {
  it("adds its port to the machine's HostListeners, which user-mode networking refuses to guests", async () => {
    const { machine, monitor } = await setup();
    const server = await listenMonitor(monitor, '127.0.0.1', 0);
    const listeners = machine.container.get<HostListeners>(Tokens.HostListeners);
    expect(listeners.get(server.port)).toBe('monitor');
    await server.close();
    expect(listeners.get(server.port)).toBeUndefined();
  });
  it('change and eject: media into and out of the CD-ROM by drive id or QEMU name; a locked tray needs -f', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'plugboard-media-'));
    const first = join(dir, 'first.iso');
    const second = join(dir, 'second.iso');
    writeFileSync(first, new Uint8Array(2048 * 10));
    writeFileSync(second, new Uint8Array(2048 * 25));
    const { monitor, machine } = await setup([
      {
        drives: { cd: { type: 'file', config: { file: first, readOnly: true, format: 'raw' } } },
        devices: { ide: { config: { secondary: { master: { drive: 'cd', media: 'cdrom' } } } } },
      },
    ]);
    const ide = machine.device<{ info(): string; slot(s: string): { locked: boolean } }>('ide')!;
    expect(ide.info()).toContain('cdrom, 10 blocks');
    expect(await monitor.execute('change cd')).toMatch(/expected DEVICE FILE/);
    expect(await monitor.execute(`change cd ${second}`)).toBe('');
    expect(ide.info()).toContain('cdrom, 25 blocks');
    expect(await monitor.execute('eject ide1-cd0')).toBe('');
    expect(ide.info()).toContain('cdrom, no media');
    expect(await monitor.execute(`change ide1-cd0 ${first} raw`)).toBe('');
    expect(ide.info()).toContain('cdrom, 10 blocks');
    ide.slot('secondary.master').locked = true;
    expect(await monitor.execute('eject cd')).toMatch(/Device 'cd' is locked and force was not specified/);
    expect(await monitor.execute('eject -f cd')).toBe('');
    expect(await monitor.execute('eject ide0-hd0')).toMatch(
      /Device 'ide0-hd0' not found \(removable media: cd or ide1-cd0\)/,
    );
    expect(await monitor.execute(`change cd ${join(dir, 'missing.iso')}`)).toMatch(/missing\.iso/);
  });
  it('change fills a CD-ROM that started with an empty tray (a file drive given no file)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'plugboard-media-'));
    const iso = join(dir, 'disc.iso');
    writeFileSync(iso, new Uint8Array(2048 * 12));
    const { monitor, machine } = await setup([
      {
        drives: { cd: { type: 'file', config: { readOnly: true } } },
        devices: { ide: { config: { secondary: { master: { drive: 'cd', media: 'cdrom' } } } } },
      },
    ]);
    const ide = machine.device<{ info(): string }>('ide')!;
    expect(ide.info()).toContain('cdrom, no media');
    expect(await monitor.execute(`change ide1-cd0 ${iso}`)).toBe('');
    expect(ide.info()).toContain('cdrom, 12 blocks');
    expect(await monitor.execute('eject cd')).toBe('');
    expect(ide.info()).toContain('cdrom, no media');
  });
  it("set_link: the RTL8139's link as its driver reads it (MSR.LINKB, BMSR link status), by NIC or netdev id", async () => {
    const { machine, monitor } = await setup();
    const write = (offset: number, size: 1 | 2 | 4, value: number) =>
      machine.pci.writeConfig(0, NIC_DEVFN, offset, size, value);
    write(0x10, 4, 0xc001);
    write(0x04, 2, 0x0001);
    // MSR (0x58) bit 2 is LINKB, set while the link is down; BMSR (0x64) bit 2 is link status.
    const msrLinkFail = () => (machine.ports.in8(0xc058) & 0x04) !== 0;
    const bmsrLinked = () => (machine.ports.in16(0xc064) & 0x04) !== 0;
    expect([msrLinkFail(), bmsrLinked()]).toEqual([false, true]);
    expect(await monitor.execute('set_link nic off')).toBe('');
    expect([msrLinkFail(), bmsrLinked()]).toEqual([true, false]);
    expect(await monitor.execute('set_link net0 on')).toBe('');
    expect([msrLinkFail(), bmsrLinked()]).toEqual([false, true]);
    expect(await monitor.execute('set_link nic sideways')).toMatch(/expected NAME on\|off/);
    expect(await monitor.execute('set_link eth9 off')).toMatch(
      /Device 'eth9' not found \(NICs on a netdev: nic on net0\)/,
    );
  });
  it('info tlb and info mem: the page tables as QEMU lists them; PG disabled before paging', async () => {
    const { machine, monitor } = await setup();
    expect(await monitor.execute('info tlb')).toBe('PG disabled');
    expect(await monitor.execute('info mem')).toBe('PG disabled');
    const { ram: bytes } = machine.memory;
    const ram = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    // PDE 0 -> table at 0x11000 (present, writable, user); PTE 0 -> 0x100000 (P W), PTE 1 -> 0x200000
    // (P U A, read-only); PTE 2 -> 0x300000 (P W D). PDE 0x300 (0xC0000000): a 4 MiB page at 0x400000 (P W G).
    ram.setUint32(0x10000, 0x11007, true);
    ram.setUint32(0x11000, 0x100003, true);
    ram.setUint32(0x11004, 0x200025, true);
    ram.setUint32(0x11008, 0x300043, true);
    ram.setUint32(0x10000 + 0x300 * 4, 0x400183, true);
    const core = (machine.cpu as unknown as { core: { cr0: number; cr3: number; cr4: number } }).core;
    core.cr3 = 0x10000;
    core.cr4 |= 1 << 4;
    core.cr0 |= 0x80000001;
    expect(await monitor.execute('info tlb')).toBe(
      [
        '0000000000000000: 0000000000100000 -------W',
        '0000000000001000: 0000000000200000 ----A--U-',
        '0000000000002000: 0000000000300000 ---D----W',
        '00000000c0000000: 0000000000400000 -GP-----W',
      ]
        .map((l) => l.replace(/ (\S+)$/, (_, f: string) => ` ${f.padStart(9, '-')}`))
        .join('\n'),
    );
    // Access merges across the first and third page only where it is the same and contiguous.
    expect(await monitor.execute('info mem')).toBe(
      [
        '0000000000000000-0000000000001000 0000000000001000 -rw',
        '0000000000001000-0000000000002000 0000000000001000 ur-',
        '0000000000002000-0000000000003000 0000000000001000 -rw',
        '00000000c0000000-00000000c0400000 0000000000400000 -rw',
      ].join('\n'),
    );
  });

  it('info irq counts rising edges of the ISA lines; info pic shows the 8259 pair', async () => {
    const { machine, monitor } = await setup();
    const line = machine.isaIrqs.line(5);
    line.pulse();
    line.pulse();
    line.set(true);
    line.set(true);
    expect(await monitor.execute('info irq')).toMatch(
      /^IRQ statistics \(ISA lines, rising edges\):\n 5: 3$/m,
    );
    expect(await monitor.execute('info pic')).toMatch(/^8259 master irr=\S\S isr=00 imr=\S\S/);
  });
});
