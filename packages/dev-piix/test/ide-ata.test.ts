import { describe, expect, it } from 'vitest';
import {
  COMMAND_BLOCK_READ,
  COMMAND_BLOCK_WRITE,
  CONTROL_BLOCK_WRITE,
  DEVICE_CONTROL,
  LBA_LOW,
  SECTOR_COUNT,
} from '../src/ide/registers.js';
import { bench, Driver, MemoryBackend, PRIMARY, SECONDARY, sectorPattern } from './ide-harness.js';

const BSY = 0x80;
const DRDY = 0x40;
const DSC = 0x10;
const DRQ = 0x08;
const ERR = 0x01;

function atString(words: Uint16Array, first: number, count: number): string {
  let s = '';
  for (let i = 0; i < count; i++) s += String.fromCharCode(words[first + i] >>> 8, words[first + i] & 0xff);
  return s.trimEnd();
}

function diskBench(sectors = 20000, readOnly = false) {
  const disk = new MemoryBackend(512, sectors, readOnly);
  const b = bench({ primary: { master: { drive: 'hd0', serial: 'SN123' } } }, { hd0: disk });
  return { disk, b, d: new Driver(b) };
}

describe('PIIX3 IDE: PCI function', () => {
  it('identifies as 8086:7010, class 01.01.80, with BMIBA at BAR4 and IDETIM/SIDETIM stored', () => {
    const { b } = diskBench();
    expect(b.config(0x00, 4)).toBe(0x70108086);
    expect(b.config(0x08, 4)).toBe(0x01018000);
    expect(b.config(0x20, 4)).toBe(0xc001);
    // BAR sizing as SeaBIOS does it: all ones in, a 16-byte I/O BAR out.
    b.setConfig(0x20, 4, 0xffffffff);
    expect(b.config(0x20, 4)).toBe(0xfffffff1);
    b.setConfig(0x20, 4, 0xc000);
    b.setConfig(0x40, 2, 0xa307);
    b.setConfig(0x44, 1, 0x5a);
    expect(b.config(0x40, 2)).toBe(0xa307);
    expect(b.config(0x44, 1)).toBe(0x5a);
    b.ide.reset();
    expect(b.config(0x40, 4)).toBe(0);
    expect(b.config(0x06, 2)).toBe(0x0280);
  });

  it('decodes the legacy ports only while IDETIM.IDE and I/O space are on', () => {
    const { b, d } = diskBench();
    expect(d.status()).toBe(DRDY | DSC);
    b.setConfig(0x40, 2, 0x0000);
    expect(d.status()).toBe(0xff);
    d.out(2, 0x55);
    b.setConfig(0x40, 2, 0x8000);
    expect(d.in(2)).toBe(1);
    b.setConfig(0x04, 2, 0x0000);
    expect(d.status()).toBe(0xff);
  });
});

describe('PIIX3 IDE: detection and reset', () => {
  it('passes SeaBIOS ata_detect: register echo, reset, signatures, absent slave reads status 0', () => {
    const disk = new MemoryBackend(512, 4096);
    const b = bench(
      { primary: { master: { drive: 'hd0' } }, secondary: { slave: { media: 'cdrom' } } },
      { hd0: disk },
    );
    const d = new Driver(b);
    // Register echo on the master.
    d.select(0, 0xa0);
    d.out(2, 0x55);
    d.out(3, 0xaa);
    expect([d.in(2), d.in(3), d.in(6)]).toEqual([0x55, 0xaa, 0xa0]);
    d.softReset();
    expect(d.status() & BSY).toBe(0);
    expect([d.in(1), d.in(2), d.in(3), d.in(4), d.in(5)]).toEqual([1, 1, 1, 0, 0]);
    expect(d.status()).toBe(DRDY | DSC);
    // The absent slave: status 0 tells both SeaBIOS and libata nothing is there.
    d.select(1, 0xb0);
    expect(d.in(6)).toBe(0xb0);
    expect(d.status()).toBe(0);
    // The secondary channel: ATAPI slave signature, empty master.
    const s = new Driver(b, SECONDARY);
    s.softReset();
    s.select(1, 0xb0);
    expect([s.in(2), s.in(3), s.in(4), s.in(5)]).toEqual([1, 1, 0x14, 0xeb]);
    expect(s.status()).toBe(0);
  });

  it('passes libata ata_sff_softreset: devchk, SRST, classify master disk and slave CD-ROM', () => {
    const disk = new MemoryBackend(512, 4096);
    const b = bench({ primary: { master: { drive: 'hd0' }, slave: { media: 'cdrom' } } }, { hd0: disk });
    const d = new Driver(b);
    const devchk = (unit: 0 | 1) => {
      d.select(unit, 0xa0);
      for (const [n, l] of [
        [0x55, 0xaa],
        [0xaa, 0x55],
        [0x55, 0xaa],
      ]) {
        d.out(2, n);
        d.out(3, l);
      }
      return d.in(2) === 0x55 && d.in(3) === 0xaa;
    };
    expect([devchk(0), devchk(1)]).toEqual([true, true]);
    // ata_bus_softreset: ctl, ctl|SRST, ctl (nIEN clear, as libata runs with interrupts on).
    d.control(0x08);
    d.control(0x08 | 0x04);
    d.control(0x08);
    expect(d.altStatus() & BSY).toBe(0);
    const classify = (unit: 0 | 1) => {
      d.select(unit, 0xa0);
      return { error: d.in(1), sig: [d.in(2), d.in(3), d.in(4), d.in(5)], status: d.status() };
    };
    expect(classify(0)).toEqual({ error: 1, sig: [1, 1, 0, 0], status: DRDY | DSC });
    expect(classify(1)).toEqual({ error: 1, sig: [1, 1, 0x14, 0xeb], status: 0 });
    expect(b.irq(PRIMARY)).toBe(false);
    // IDENTIFY on each, then IDENTIFY PACKET on the slave.
    expect(d.identify(0)[0]).toBe(0x0040);
    d.select(1, 0xa0);
    d.out(7, 0xec);
    expect(d.status()).toBe(DRDY | ERR);
    expect(d.identify(1, 0xa1)[0]).toBe(0x85c0);
  });

  it('reads all zeros on a channel without devices', () => {
    const { b } = diskBench();
    const s = new Driver(b, SECONDARY);
    s.out(2, 0x55);
    expect([s.in(2), s.in(7), s.altStatus()]).toEqual([0, 0, 0]);
  });

  it('is busy while SRST is held and selects device 0 afterwards', () => {
    const { d } = diskBench();
    d.select(0, 0xa0);
    d.control(0x04);
    expect(d.altStatus() & BSY).toBe(BSY);
    d.control(0x00);
    d.select(1, 0xb0);
    d.control(0x04);
    d.control(0x00);
    expect(d.in(6)).toBe(0xa0);
    expect(d.altStatus()).toBe(DRDY | DSC);
  });

  it('EXECUTE DEVICE DIAGNOSTIC restores the signature and interrupts', () => {
    const { b, d } = diskBench();
    d.control(0);
    d.out(4, 0x33);
    d.out(7, 0x90);
    expect(d.in(1)).toBe(0x01);
    expect([d.in(2), d.in(3), d.in(4)]).toEqual([1, 1, 0]);
    expect(b.irq(PRIMARY)).toBe(true);
  });
});

describe('PIIX3 IDE: the task file (COMMAND_BLOCK_WRITE)', () => {
  it("keeps the Device register's obsolete bits set, and reset loads the table's values into every image", () => {
    const { b, d } = diskBench();
    d.out(6, 0x00);
    expect(d.in(6)).toBe(0xa0);
    d.out(6, 0x4f);
    expect(d.in(6)).toBe(0xef);
    for (let reg = 1; reg <= 5; reg++) {
      d.out(reg, 0x11 * reg);
      d.out(reg, 0x22 * reg);
    }
    d.control(0x82);
    b.ide.reset();
    // Over the table's values, every position shows the ATA signature: Sector Count and LBA Low 1.
    const signature = Array.from(COMMAND_BLOCK_WRITE.resetImage);
    signature[SECTOR_COUNT] = 1;
    signature[LBA_LOW] = 1;
    for (const ch of b.ide.channels) {
      expect(ch.control).toBe(CONTROL_BLOCK_WRITE.resetImage[DEVICE_CONTROL]);
      for (const dev of ch.devices) {
        expect(Array.from(dev.regs)).toEqual(signature);
        expect(Array.from(dev.hob)).toEqual(Array.from(COMMAND_BLOCK_WRITE.resetImage));
      }
    }
  });
});

describe('PIIX3 IDE: IDENTIFY DEVICE', () => {
  it('reports model, serial, geometry, LBA28/LBA48 sizes, DMA modes and a valid checksum', () => {
    const { d } = diskBench(20000);
    const w = d.identify(0);
    expect(w[0]).toBe(0x0040);
    expect(atString(w, 27, 20)).toBe('PLUGBOARD HARDDISK');
    expect(atString(w, 10, 10)).toBe('SN123');
    expect([w[1], w[3], w[6]]).toEqual([19, 16, 63]);
    expect(w[47] & 0xff).toBe(16);
    expect(w[49] & 0x0300).toBe(0x0300);
    expect(w[60] | (w[61] << 16)).toBe(20000);
    expect(w[83] & 0x0400).toBe(0x0400);
    expect(w[100] + w[101] * 0x10000).toBe(20000);
    expect(w[63] & 0xff).toBe(0x07);
    expect(w[88] & 0xff).toBe(0x3f);
    expect(w[255] & 0xff).toBe(0xa5);
    const bytes = new Uint8Array(w.buffer);
    expect(bytes.reduce((s, x) => s + x, 0) & 0xff).toBe(0);
    expect(d.status()).toBe(DRDY | DSC);
  });

  it('caps the LBA28 size and reports the LBA48 size of a disk beyond 2^28 sectors', () => {
    const big = 2 ** 30 + 5;
    const { d } = diskBench(big);
    const w = d.identify(0);
    expect(w[60] | (w[61] << 16)).toBe(0x0fffffff);
    expect(w[100] + w[101] * 0x10000 + w[102] * 0x100000000).toBe(big);
  });

  it('flags the transfer mode SET FEATURES selected', () => {
    const { d } = diskBench();
    d.out(1, 0x03);
    d.out(2, 0x45);
    d.out(7, 0xef);
    expect(d.status() & ERR).toBe(0);
    expect(d.identify(0)[88]).toBe(0x3f | (1 << 13));
    d.out(1, 0x03);
    d.out(2, 0x22);
    d.out(7, 0xef);
    const w = d.identify(0);
    expect(w[63]).toBe(0x07 | (1 << 10));
    expect(w[88]).toBe(0x3f);
    d.out(1, 0x03);
    d.out(2, 0x47); // UDMA7 does not exist
    d.out(7, 0xef);
    expect(d.status()).toBe(DRDY | ERR);
    expect(d.in(1)).toBe(0x04);
  });
});

describe('PIIX3 IDE: PIO transfers', () => {
  it('READ SECTORS: one DRQ block and one interrupt per sector, the task file left at the last sector', () => {
    const { b, disk, d } = diskBench();
    for (let s = 100; s < 103; s++) disk.stamp(s);
    d.control(0);
    d.lba28(0x20, 100, 3);
    for (let s = 100; s < 103; s++) {
      expect(b.irq(PRIMARY)).toBe(true);
      expect(d.status()).toBe(DRDY | DSC | DRQ);
      expect(b.irq(PRIMARY)).toBe(false);
      expect(d.readData(512)).toEqual(sectorPattern(s));
    }
    expect(d.altStatus()).toBe(DRDY | DSC);
    expect(b.irq(PRIMARY)).toBe(false);
    expect([d.in(3), d.in(4), d.in(2)]).toEqual([102, 0, 0]);
  });

  it('READ MULTIPLE moves SET MULTIPLE MODE blocks per interrupt; without a mode it aborts', () => {
    const { b, disk, d } = diskBench();
    for (let s = 0; s < 10; s++) disk.stamp(s);
    d.control(0);
    d.out(2, 4);
    d.out(7, 0xc6);
    expect(d.status()).toBe(DRDY | DSC);
    d.lba28(0xc4, 0, 10);
    let interrupts = 0;
    const data: Uint8Array[] = [];
    while (d.altStatus() & DRQ) {
      if (b.irq(PRIMARY)) interrupts++;
      d.status();
      data.push(d.readData(Math.min(4, 10 - data.length * 4) * 512));
    }
    expect(interrupts).toBe(3);
    expect(data.map((x) => x.length)).toEqual([2048, 2048, 1024]);
    expect(data[2].subarray(512)).toEqual(sectorPattern(9));
    d.out(2, 3); // not a power of two
    d.out(7, 0xc6);
    expect(d.status()).toBe(DRDY | ERR);
    d.out(2, 0);
    d.out(7, 0xc6);
    d.lba28(0xc4, 0, 1);
    expect(d.status()).toBe(DRDY | ERR);
    expect(d.in(1)).toBe(0x04);
  });

  it('WRITE SECTORS and WRITE MULTIPLE: data lands on the backend, the final interrupt follows the last block', () => {
    const { b, disk, d } = diskBench();
    d.control(0);
    d.lba28(0x30, 7, 2);
    expect(d.altStatus()).toBe(DRDY | DSC | DRQ);
    expect(b.irq(PRIMARY)).toBe(false);
    d.writeData(sectorPattern(70));
    expect(b.irq(PRIMARY)).toBe(true);
    d.status();
    d.writeData(sectorPattern(71));
    expect(b.irq(PRIMARY)).toBe(true);
    expect(d.status()).toBe(DRDY | DSC);
    expect(disk.sectors.get(7)).toEqual(sectorPattern(70));
    expect(disk.sectors.get(8)).toEqual(sectorPattern(71));

    d.out(2, 2);
    d.out(7, 0xc6);
    d.status();
    d.lba28(0xc5, 20, 3);
    d.writeData(new Uint8Array([...sectorPattern(1), ...sectorPattern(2)]));
    d.status();
    d.writeData(sectorPattern(3));
    expect(d.status()).toBe(DRDY | DSC);
    expect(disk.sectors.get(22)).toEqual(sectorPattern(3));
  });

  it('READ/WRITE MULTIPLE EXT move multiple-count blocks at 48-bit addresses', () => {
    const { disk, d } = diskBench(2 ** 29);
    const lba = 2 ** 28 + 7;
    d.out(2, 2);
    d.out(7, 0xc6);
    d.lba48(0x39, lba, 3);
    d.writeData(new Uint8Array([...sectorPattern(1), ...sectorPattern(2)]));
    expect(d.status()).toBe(DRDY | DSC | DRQ);
    d.writeData(sectorPattern(3));
    expect(d.status()).toBe(DRDY | DSC);
    expect(disk.sectors.get(lba + 2)).toEqual(sectorPattern(3));
    d.lba48(0x29, lba, 3);
    expect(d.readData(1024)).toEqual(new Uint8Array([...sectorPattern(1), ...sectorPattern(2)]));
    d.status();
    expect(d.readData(512)).toEqual(sectorPattern(3));
    expect(d.altStatus()).toBe(DRDY | DSC);
  });

  it('32-bit data port accesses move two words each', () => {
    const { disk, d } = diskBench();
    disk.stamp(5);
    d.lba28(0x20, 5, 1);
    const out = new Uint32Array(128);
    for (let i = 0; i < 128; i++) out[i] = d.ports.in32(PRIMARY.base);
    expect(new Uint8Array(out.buffer)).toEqual(sectorPattern(5));
    expect(d.altStatus()).toBe(DRDY | DSC);
  });

  it('READ/WRITE SECTORS EXT reach LBAs beyond 2^28 on a large sparse disk', () => {
    const { disk, d } = diskBench(2 ** 33);
    const lba = 2 ** 32 + 12345;
    d.lba48(0x34, lba, 2);
    d.writeData(sectorPattern(1));
    d.writeData(sectorPattern(2));
    expect(d.status()).toBe(DRDY | DSC);
    expect(disk.sectors.get(lba + 1)).toEqual(sectorPattern(2));
    disk.stamp(lba);
    d.lba48(0x24, lba, 1);
    expect(d.readData(512)).toEqual(sectorPattern(lba));
    // HOB readback: the high bytes of the last LBA.
    d.control(0x80);
    expect([d.in(3), d.in(4), d.in(5)]).toEqual([0x00, 0x01, 0x00]);
    d.control(0x00);
    expect([d.in(3), d.in(4), d.in(5)]).toEqual([lba & 0xff, (lba >>> 8) & 0xff, (lba >>> 16) & 0xff]);
  });

  it('CHS reads follow INITIALIZE DEVICE PARAMETERS', () => {
    const { disk, d } = diskBench();
    // 4 heads x 17 sectors: C/H/S 2/3/5 is LBA (2*4+3)*17+4 = 191.
    disk.stamp(191);
    d.out(2, 17);
    d.out(6, 0xa0 | 3);
    d.out(7, 0x91);
    expect(d.status()).toBe(DRDY | DSC);
    const w = d.identify(0);
    expect([w[55], w[56]]).toEqual([4, 17]);
    d.out(2, 1);
    d.out(3, 5);
    d.out(4, 2);
    d.out(5, 0);
    d.out(6, 0xa0 | 3);
    d.out(7, 0x20);
    expect(d.readData(512)).toEqual(sectorPattern(191));
    // Sector 0 does not exist in CHS.
    d.out(3, 0);
    d.out(7, 0x20);
    expect(d.status()).toBe(DRDY | ERR);
    expect(d.in(1)).toBe(0x10);
  });

  it('out-of-range LBAs fail with IDNF, never an exception', () => {
    const { d } = diskBench(1000);
    d.lba28(0x20, 999, 2);
    expect(d.status()).toBe(DRDY | ERR);
    expect(d.in(1)).toBe(0x10);
    // The task file points at sector 1000, the first that does not exist.
    expect([d.in(3), d.in(4)]).toEqual([1000 & 0xff, 1000 >>> 8]);
    d.lba48(0x25, 2 ** 40, 1);
    expect(d.in(1)).toBe(0x10);
    d.lba28(0x40, 990, 20);
    expect(d.in(1)).toBe(0x10);
    d.lba28(0x40, 990, 10);
    expect(d.status()).toBe(DRDY | DSC);
  });

  it('a medium error on read reports UNC with the failing sector in the task file', () => {
    const { disk, d } = diskBench();
    disk.failRead = 42;
    d.lba28(0x20, 40, 4);
    d.readData(512);
    d.readData(512);
    expect(d.status()).toBe(DRDY | ERR);
    expect(d.in(1)).toBe(0x40);
    expect(d.in(3)).toBe(42);
  });

  it('writes to a read-only disk end with an error and leave it untouched', () => {
    const { disk, d } = diskBench(1000, true);
    d.lba28(0x30, 1, 1);
    expect(d.status()).toBe(DRDY | ERR);
    expect(d.in(1)).toBe(0x04);
    d.lba28(0xca, 1, 1);
    expect(d.status()).toBe(DRDY | ERR);
    expect(disk.sectors.size).toBe(0);
  });
});

describe('PIIX3 IDE: other commands', () => {
  it('FLUSH CACHE (EXT), write cache off flushing each write, READ VERIFY, RECALIBRATE, SEEK', () => {
    const { disk, d } = diskBench();
    d.out(7, 0xe7);
    d.out(7, 0xea);
    expect(disk.flushes).toBe(2);
    d.out(1, 0x82);
    d.out(7, 0xef);
    expect(d.status()).toBe(DRDY | DSC);
    expect(d.identify(0)[85] & 0x20).toBe(0);
    d.lba28(0x30, 3, 1);
    d.writeData(sectorPattern(3));
    expect(disk.flushes).toBe(4);
    d.lba28(0x40, 10, 5);
    expect(d.status()).toBe(DRDY | DSC);
    expect(d.in(3)).toBe(14);
    d.out(7, 0x10);
    expect(d.status()).toBe(DRDY | DSC);
    d.out(7, 0x70);
    expect(d.status()).toBe(DRDY | DSC);
  });

  it('power commands and CHECK POWER MODE', () => {
    const { d } = diskBench();
    d.out(7, 0xe0);
    d.out(7, 0xe5);
    expect(d.in(2)).toBe(0x00);
    d.out(7, 0xe1);
    d.out(7, 0xe5);
    expect(d.in(2)).toBe(0xff);
  });

  it('aborts unknown commands, NOP and IDENTIFY PACKET DEVICE on a disk', () => {
    const { d } = diskBench();
    for (const cmd of [0x00, 0xa1, 0xb0, 0xff, 0x27]) {
      d.out(7, cmd);
      expect(d.status()).toBe(DRDY | ERR);
      expect(d.in(1)).toBe(0x04);
    }
  });

  it('ignores a command written to an absent slave', () => {
    const { b, d } = diskBench();
    d.control(0);
    d.select(1, 0xb0);
    d.out(7, 0xec);
    expect(d.status()).toBe(0);
    expect(b.irq(PRIMARY)).toBe(false);
  });
});

describe('PIIX3 IDE: interrupts', () => {
  it('nIEN masks IRQ14; reading Status acknowledges, Alternate Status does not', () => {
    const { b, d } = diskBench();
    d.control(0x02);
    d.out(7, 0xe7);
    expect(b.irq(PRIMARY)).toBe(false);
    d.control(0x00);
    // The pending interrupt shows once nIEN clears.
    expect(b.irq(PRIMARY)).toBe(true);
    d.altStatus();
    expect(b.irq(PRIMARY)).toBe(true);
    d.status();
    expect(b.irq(PRIMARY)).toBe(false);
    d.out(7, 0xe7);
    expect(b.irq(PRIMARY)).toBe(true);
    // Writing a new command clears the old interrupt.
    d.out(7, 0xe1);
    d.status();
    expect(b.irq(PRIMARY)).toBe(false);
  });

  it('the secondary channel interrupts on IRQ15', () => {
    const disk = new MemoryBackend(512, 100);
    const b = bench({ secondary: { slave: { drive: 'hd1' } } }, { hd1: disk });
    const s = new Driver(b, SECONDARY);
    s.control(0);
    s.select(1, 0xb0);
    s.out(7, 0xe7);
    expect(b.irq(SECONDARY)).toBe(true);
    expect(b.irq(PRIMARY)).toBe(false);
    expect(b.ide.info()).toContain('slave: disk, 100 sectors');
  });

  it('emits named register events on the trace hook only when tapped', () => {
    const { b, d } = diskBench();
    const events: string[] = [];
    d.status();
    b.ide.trace.tap('test', (e) =>
      events.push(`${e.write ? 'w' : 'r'} ${e.register} ${e.value.toString(16)}`),
    );
    d.out(2, 5);
    d.status();
    d.ports.out8(PRIMARY.bm + 2, 0x04);
    expect(events).toEqual(['w Sector Count 5', 'r Status 50', 'w BMISP 4']);
  });

  it('names an access from the table of its direction where one address holds two registers', () => {
    const { b, d } = diskBench();
    const names: string[] = [];
    b.ide.trace.tap('test', (e) => names.push(`${e.write ? 'w' : 'r'} ${e.register}`));
    d.out(1, 0);
    d.in(1);
    d.altStatus();
    d.control(0);
    d.out(7, 0xe5);
    d.status();
    d.in(0);
    d.ports.out32(PRIMARY.bm + 4, 0x1000);
    expect(names).toEqual([
      'w Features',
      'r Error',
      'r Alternate Status',
      'w Device Control',
      'w Command',
      'r Status',
      'r Data',
      'w BMIDTP',
    ]);
    expect(COMMAND_BLOCK_READ.nameAt(2)).toBe(COMMAND_BLOCK_WRITE.nameAt(2));
  });
});

describe('PIIX3 IDE: configuration', () => {
  it('rejects a disk without a drive, an unknown drive and a disk backend with 2048-byte sectors', () => {
    expect(() => bench({ primary: { master: { media: 'disk' } } })).toThrow(/a disk needs "drive"/);
    expect(() => bench({ primary: { master: { drive: 'nope' } } })).toThrow(
      /drive "nope", which the profile does not define/,
    );
    expect(() =>
      bench({ primary: { master: { drive: 'iso' } } }, { iso: new MemoryBackend(2048, 10) }),
    ).toThrow(/needs 512/);
    expect(() => bench({ primary: { master: { drive: 'x', bogus: 1 } } } as never)).toThrow(/bogus/);
  });
});
