import { type RemovableMediaService, Tokens } from '@plugboard/core';
import { stateText } from '@plugboard/core/testing';
import { describe, expect, it } from 'vitest';
import { fdcMachine, MemoryDisk, numberedImage } from './fdc-harness.js';

const READ = 0xe6; // MT, MFM, SK + READ DATA
const WRITE = 0xc5; // MT, MFM + WRITE DATA
const RAM = 0x20000;

/** The bytes of image sector `lba` as `numberedImage` wrote them. */
const sectorOf = (lba: number) => {
  const s = new Uint8Array(512).fill(lba & 0xff);
  s[0] = lba & 0xff;
  s[1] = lba >> 8;
  return s;
};

describe('82077AA registers', () => {
  it('holds the controller in reset after power-on, then interrupts and owes four sense answers', () => {
    const m = fdcMachine({ a: new MemoryDisk(numberedImage()) });
    expect(m.in(0x3f2)).toBe(0);
    expect(m.msr()).toBe(0);
    m.out(0x3f2, 0x0c);
    expect(m.msr()).toBe(0x80);
    expect(m.irq()).toBe(true);
    const senses = [0, 1, 2, 3].map(() => {
      m.fifo(0x08);
      return m.results();
    });
    expect(senses).toEqual([
      [0xc0, 0],
      [0xc1, 0],
      [0xc2, 0],
      [0xc3, 0],
    ]);
    expect(m.irq()).toBe(false);
    m.fifo(0x08);
    expect(m.results()).toEqual([0x80]);
  });

  it('gates the interrupt with DOR bit 3 and resets from DSR bit 7', () => {
    const m = fdcMachine({ a: new MemoryDisk(numberedImage()) });
    m.out(0x3f2, 0x04);
    expect(m.irq()).toBe(false);
    expect(m.in(0x3f0) & 0x80).toBe(0x80); // SRA: the interrupt is pending behind the gate
    m.out(0x3f2, 0x0c);
    expect(m.irq()).toBe(true);
    m.fifo(0x08);
    m.results();
    m.out(0x3f4, 0x80);
    expect(m.irq()).toBe(true);
    m.fifo(0x08);
    expect(m.results()).toEqual([0xc0, 0]);
  });

  it('identifies itself, keeps CONFIGURE through a reset while locked, and dumps its registers', () => {
    const m = fdcMachine({ a: new MemoryDisk(numberedImage()) });
    m.start();
    m.fifo(0x10);
    expect(m.results()).toEqual([0x90]);
    m.fifo(0x18);
    expect(m.results()).toEqual([0x41]);
    m.fifo(0x03, 0xaf, 0x02); // SPECIFY: SRT/HUT, HLT with DMA
    m.fifo(0x13, 0x00, 0x57, 0x05); // CONFIGURE: implied seek, FIFO on, threshold 7, precomp track 5
    m.fifo(0x12, 0x80 | 0x04 | 0x02); // PERPENDICULAR: drive 0 perpendicular, GAP
    m.fifo(0x94);
    expect(m.results()).toEqual([0x10]);
    m.out(0x3f2, 0x08);
    m.out(0x3f2, 0x0c);
    for (let i = 0; i < 4; i++) {
      m.fifo(0x08);
      m.results();
    }
    m.fifo(0x0e);
    expect(m.results()).toEqual([0, 0, 0, 0, 0xaf, 0x02, 0, 0x80 | 0x04, 0x57, 0x05]);
    m.fifo(0x14);
    expect(m.results()).toEqual([0]);
  });

  it('reports drive status: track 0, write protect, and the A: type in CMOS', () => {
    const m = fdcMachine({
      a: new MemoryDisk(numberedImage(), true),
      b: new MemoryDisk(numberedImage(5760)),
    });
    expect(m.cmos.get(0x10)).toBe(0x45); // A: 1.44 MB, B: 2.88 MB
    expect(m.cmos.get(0x14) & 0xc1).toBe(0x41); // floppy present, two drives
    m.start();
    m.fifo(0x04, 0x04); // head 1, drive 0
    expect(m.results()).toEqual([0x40 | 0x20 | 0x10 | 0x08 | 0x04]);
    m.fifo(0x04, 0x01);
    expect(m.results()).toEqual([0x20 | 0x10 | 0x08 | 0x01]);
  });

  it('seeks and recalibrates with an interrupt each; a step with a disk in clears the change line', () => {
    const m = fdcMachine({ a: new MemoryDisk(numberedImage()) });
    m.start();
    expect(m.in(0x3f7) & 0x80).toBe(0x80);
    m.fifo(0x0f, 0x04, 40);
    expect(m.irq()).toBe(true);
    expect(m.msr()).toBe(0x80);
    m.fifo(0x08);
    expect(m.results()).toEqual([0x24, 40]);
    expect(m.irq()).toBe(false);
    expect(m.in(0x3f7) & 0x80).toBe(0);
    m.fifo(0x07, 0x00);
    m.fifo(0x08);
    expect(m.results()).toEqual([0x20, 0]);
    // Drive 2 is not cabled: its recalibrate never finds track 0.
    m.fifo(0x07, 0x02);
    m.fifo(0x08);
    expect(m.results()).toEqual([0x72, 0]);
  });

  it('answers an unknown opcode with ST0 0x80 and no interrupt', () => {
    const m = fdcMachine({ a: new MemoryDisk(numberedImage()) });
    m.start();
    m.fifo(0x1f);
    expect(m.results()).toEqual([0x80]);
    expect(m.irq()).toBe(false);
    expect(m.msr()).toBe(0x80);
  });
});

describe('82077AA data transfers', () => {
  it('READ DATA moves sectors through DMA channel 2 and ends at terminal count with the next sector ID', () => {
    const disk = new MemoryDisk(numberedImage());
    const m = fdcMachine({ a: disk });
    m.start();
    m.dma.program(RAM, 2 * 512 - 1);
    m.fifo(READ, 0x04, 0, 1, 1, 2, 2, 0x1b, 0xff); // C0 H1 R1..2
    expect(m.msr() & 0x80).toBe(0); // execution phase: no RQM
    m.dma.run();
    expect(m.parts.memory.ram.subarray(RAM, RAM + 512)).toEqual(sectorOf(18));
    expect(m.parts.memory.ram.subarray(RAM + 512, RAM + 1024)).toEqual(sectorOf(19));
    expect(m.irq()).toBe(true);
    expect(m.dma.dreq).toBe(false);
    // MT ending on side 1 at EOT: the next ID is on the next cylinder, side 0 (the datasheet's table).
    expect(m.results()).toEqual([0x04, 0, 0, 1, 0, 1, 2]);
    expect(m.irq()).toBe(false);
  });

  it('READ DATA with MT continues on side 1 and stops mid-track at a short DMA count', () => {
    const m = fdcMachine({ a: new MemoryDisk(numberedImage()) });
    m.start();
    m.fifo(0x0f, 0x00, 3);
    m.fifo(0x08);
    m.results();
    m.dma.program(RAM, 3 * 512 - 1);
    m.fifo(READ, 0x00, 3, 0, 17, 2, 18, 0x1b, 0xff); // C3 H0 R17: 17, 18, then side 1 sector 1
    m.dma.run();
    const lba = (3 * 2 + 0) * 18 + 16;
    for (let i = 0; i < 3; i++)
      expect(m.parts.memory.ram.subarray(RAM + i * 512, RAM + i * 512 + 512)).toEqual(sectorOf(lba + i));
    expect(m.results()).toEqual([0x04, 0, 0, 3, 1, 2, 2]);
  });

  it('WRITE DATA writes guest memory to the image; a write-protected disk refuses', () => {
    const disk = new MemoryDisk(numberedImage());
    const m = fdcMachine({ a: disk });
    m.start();
    for (let i = 0; i < 512; i++) m.parts.memory.ram[RAM + i] = (i * 7) & 0xff;
    m.dma.program(RAM, 511);
    m.fifo(WRITE, 0x00, 0, 0, 5, 2, 18, 0x1b, 0xff);
    m.dma.run();
    expect(m.results()).toEqual([0x00, 0, 0, 0, 0, 6, 2]);
    expect(disk.bytes.subarray(4 * 512, 5 * 512)).toEqual(m.parts.memory.ram.subarray(RAM, RAM + 512));

    const ro = fdcMachine({ a: new MemoryDisk(numberedImage(), true) });
    ro.start();
    ro.dma.program(RAM, 511);
    ro.fifo(WRITE, 0x00, 0, 0, 1, 2, 18, 0x1b, 0xff);
    expect(ro.results()).toEqual([0x40, 0x02, 0, 0, 0, 1, 2]);
    expect(ro.dma.dreq).toBe(false);
  });

  it('READ ID names the sector under the head; a data rate the medium was not written at finds no ID', () => {
    const m = fdcMachine({ a: new MemoryDisk(numberedImage()) });
    m.start();
    m.fifo(0x0f, 0x00, 7);
    m.fifo(0x08);
    m.results();
    m.fifo(0x4a, 0x00);
    expect(m.irq()).toBe(true);
    expect(m.results()).toEqual([0x00, 0, 0, 7, 0, 1, 2]);
    m.out(0x3f7, 0x02); // CCR: 250 kb/s, a 720 KB disk's rate
    m.fifo(0x4a, 0x00);
    expect(m.results()).toEqual([0x40, 0x01, 0, 7, 0, 1, 2]);
  });

  it('FORMAT TRACK takes the sector IDs through DMA and fills the sectors', () => {
    const disk = new MemoryDisk(numberedImage());
    const m = fdcMachine({ a: disk });
    m.start();
    m.fifo(0x0f, 0x04, 2);
    m.fifo(0x08);
    m.results();
    for (let r = 1; r <= 18; r++) m.parts.memory.ram.set([2, 1, r, 2], RAM + (r - 1) * 4);
    m.dma.program(RAM, 18 * 4 - 1);
    m.fifo(0x4d, 0x04, 2, 18, 0x54, 0xf6);
    m.dma.run();
    expect(m.results()[0]).toBe(0x04);
    const first = (2 * 2 + 1) * 18;
    expect(disk.bytes.subarray(first * 512, (first + 18) * 512).every((b) => b === 0xf6)).toBe(true);
    expect(disk.bytes[(first + 18) * 512]).toBe((first + 18) & 0xff);
  });

  it('an ejected disk is not ready and raises the change line; change inserts another', () => {
    const m = fdcMachine({ a: new MemoryDisk(numberedImage()) });
    m.start();
    m.fifo(0x0f, 0x00, 1);
    m.fifo(0x08);
    m.results();
    expect(m.in(0x3f7) & 0x80).toBe(0);
    const media = m.parts.container.getAll<RemovableMediaService>(Tokens.RemovableMedia);
    expect(media.map((x) => x.names)).toEqual([['fda', 'floppy0']]);
    media[0].eject();
    expect(m.in(0x3f7) & 0x80).toBe(0x80);
    m.dma.program(RAM, 511);
    m.fifo(READ, 0x00, 0, 0, 1, 2, 18, 0x1b, 0xff);
    expect(m.results()).toEqual([0x48, 0, 0, 0, 0, 1, 2]);
    expect(() => media[0].change('/nonexistent.img')).toThrow(/no such image/);
    // A 720 KB diskette: 9 sectors a track, written at 250 kb/s.
    MemoryDisk.shelf.set('/720k.img', numberedImage(1440));
    media[0].change('/720k.img');
    expect(m.in(0x3f7) & 0x80).toBe(0x80);
    m.fifo(READ, 0x00, 0, 0, 1, 2, 18, 0x1b, 0xff);
    expect(m.results()).toEqual([0x40, 0x01, 0, 0, 0, 1, 2]);
    m.out(0x3f7, 0x02);
    m.dma.program(RAM, 511);
    m.fifo(READ, 0x04, 1, 1, 9, 2, 9, 0x1b, 0xff); // C1 H1 R9: the 36th sector
    m.dma.run();
    expect(m.parts.memory.ram.subarray(RAM, RAM + 512)).toEqual(sectorOf(35));
    expect(m.results()).toEqual([0x04, 0, 0, 2, 0, 1, 2]);
    // The read needed no step (the head was on cylinder 1): only a step clears the change line.
    expect(m.in(0x3f7) & 0x80).toBe(0x80);
    m.fifo(0x0f, 0x00, 0);
    expect(m.in(0x3f7) & 0x80).toBe(0);
  });
});

describe('82077AA against hostile guests', () => {
  it('a sector number past the track, a cylinder past the disk or another sector size finds no data', () => {
    const m = fdcMachine({ a: new MemoryDisk(numberedImage()) });
    m.start();
    const cases = [
      [0, 0, 19, 2],
      [0, 0, 0, 2],
      [200, 0, 1, 2],
      [0, 0, 1, 7],
    ];
    for (const [c, h, r, n] of cases) {
      m.dma.program(RAM, 511);
      m.fifo(READ, 0x00, c, h, r, n, 18, 0x1b, 0xff);
      m.dma.run();
      const st = m.results();
      expect(st.slice(0, 3)).toEqual([0x40, 0x04, 0]);
      expect(m.dma.position).toBe(0);
    }
  });

  it('a huge EOT with a 64 KiB DMA count stops at the end of the track, a sector per DMA round', () => {
    const disk = new MemoryDisk(numberedImage());
    const m = fdcMachine({ a: disk });
    m.start();
    m.dma.program(RAM, 0xffff);
    m.fifo(0x46, 0x00, 0, 0, 1, 2, 0xff, 0x1b, 0xff); // no MT, EOT 255
    m.dma.run();
    expect(m.dma.position).toBe(18 * 512);
    expect(m.dma.largestStep).toBeLessThanOrEqual(512);
    expect(disk.reads).toBe(18);
    expect(m.results()).toEqual([0x40, 0x04, 0, 0, 0, 19, 2]);
    expect(m.dma.dreq).toBe(false);
  });

  it('a track read with a DMA count that wraps past 64 KiB ends at EOT with end of cylinder', () => {
    const m = fdcMachine({ a: new MemoryDisk(numberedImage()) });
    m.start();
    m.dma.program(0x1fe00, 0xffff); // 0x1FE00: the 8237's address counter wraps inside the page
    m.fifo(READ, 0x00, 0, 0, 1, 2, 18, 0x1b, 0xff);
    m.dma.run();
    expect(m.dma.position).toBe(36 * 512);
    expect(m.parts.memory.ram.subarray(0x1fe00, 0x20000)).toEqual(sectorOf(0));
    expect(m.parts.memory.ram.subarray(0x10000, 0x10200)).toEqual(sectorOf(1));
    expect(m.results()).toEqual([0x44, 0x80, 0, 1, 0, 1, 2]);
  });

  it('bytes written during a transfer or the result phase are ignored; an endless stream never overflows', () => {
    const m = fdcMachine({ a: new MemoryDisk(numberedImage()) });
    m.start();
    m.dma.program(RAM, 511);
    m.fifo(READ, 0x00, 0, 0, 1, 2, 18, 0x1b, 0xff);
    m.fifo(0x10, 0x10, 0x10);
    m.dma.run();
    expect(m.results()).toEqual([0x00, 0, 0, 0, 0, 2, 2]);
    for (let i = 0; i < 100_000; i++) m.out(0x3f5, (i * 37) & 0xff);
    m.dma.run();
    for (let i = 0; i < 100; i++) m.in(0x3f5);
    m.out(0x3f2, 0x08);
    m.out(0x3f2, 0x0c);
    expect(m.msr()).toBe(0x80);
  });
});

describe('82077AA state', () => {
  it('a snapshot taken mid-transfer loads into a fresh controller, which finishes the same way', () => {
    const run = (snapshotAt: number | null) => {
      const a = fdcMachine({ a: new MemoryDisk(numberedImage()) });
      a.start();
      a.dma.program(RAM, 4 * 512 - 1);
      a.fifo(READ, 0x00, 0, 0, 3, 2, 18, 0x1b, 0xff);
      if (snapshotAt === null) {
        a.dma.run();
        return a;
      }
      a.dma.run(snapshotAt);
      const b = fdcMachine({ a: new MemoryDisk(numberedImage()) });
      b.fdc.vmstate!.load(a.fdc.vmstate!.save());
      expect(stateText(b.fdc)).toBe(stateText(a.fdc));
      b.parts.memory.ram.set(a.parts.memory.ram);
      Object.assign(b.dma, {
        address: a.dma.address,
        page: a.dma.page,
        size: a.dma.size,
        position: a.dma.position,
        dreq: a.dma.dreq,
      });
      b.dma.run();
      return b;
    };
    const straight = run(null);
    const resumed = run(2);
    expect(resumed.parts.memory.ram.subarray(RAM, RAM + 2048)).toEqual(
      straight.parts.memory.ram.subarray(RAM, RAM + 2048),
    );
    expect(stateText(resumed.fdc)).toBe(stateText(straight.fdc));
    expect(resumed.results()).toEqual([0x00, 0, 0, 0, 0, 7, 2]);
  });

  it('reset brings every register back but keeps the drives change lines', () => {
    const m = fdcMachine({ a: new MemoryDisk(numberedImage()) });
    const fresh = stateText(m.fdc);
    m.start();
    m.fifo(0x03, 0xaf, 0x02);
    m.fifo(0x0f, 0x00, 5);
    expect(stateText(m.fdc)).not.toBe(fresh);
    m.fdc.reset();
    const d = m.fdc.fdc.s.drives[0];
    expect(d.changed).toBe(false);
    d.changed = true;
    d.track = 0;
    expect(stateText(m.fdc)).toBe(fresh);
  });
});
