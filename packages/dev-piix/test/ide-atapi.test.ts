import { describe, expect, it } from 'vitest';
import type { AtapiCdrom } from '../src/ide/atapi-cdrom.js';
import { bench, Driver, MemoryBackend, ram, SECONDARY, sectorPattern, writePrd } from './ide-harness.js';

const DRDY = 0x40;
const DSC = 0x10;
const DRQ = 0x08;
const ERR = 0x01;
const NOT_READY = 0x02;
const ILLEGAL_REQUEST = 0x05;
const UNIT_ATTENTION = 0x06;

function be32(b: Uint8Array, at: number): number {
  return ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
}

/** A CD-ROM as the secondary master, where QEMU's `-cdrom` puts it. */
function cdBench(media: MemoryBackend | null = new MemoryBackend(2048, 1000)) {
  if (media) for (let s = 0; s < 40; s++) media.stamp(s);
  const b = bench(
    { secondary: { master: { media: 'cdrom', ...(media ? { drive: 'cd0' } : {}) } } },
    media ? { cd0: media } : {},
  );
  const d = new Driver(b, SECONDARY);
  d.control(0);
  return { b, d, media, cd: b.ide.slot('secondary.master') as AtapiCdrom };
}

/** Runs a packet command and returns its data (PIO) and final status. */
function run(
  d: Driver,
  cdb: number[],
  limit = 0xfffe,
): { data: Uint8Array; status: number; blocks: number[] } {
  d.packet(cdb, limit);
  const { data, blocks } = d.packetData();
  return { data, blocks, status: d.status() };
}

describe('PIIX3 IDE: ATAPI protocol', () => {
  it('shows the packet signature, IDENTIFY PACKET DEVICE data, and aborts IDENTIFY DEVICE with the signature', () => {
    const { d } = cdBench();
    d.softReset();
    expect([d.in(2), d.in(3), d.in(4), d.in(5)]).toEqual([1, 1, 0x14, 0xeb]);
    expect(d.status()).toBe(0);
    const w = d.identify(0, 0xa1);
    expect(w[0]).toBe(0x85c0);
    expect(w[49] & 0x0300).toBe(0x0300);
    expect(w[255] & 0xff).toBe(0xa5);
    expect(new Uint8Array(w.buffer).reduce((s, x) => s + x, 0) & 0xff).toBe(0);
    d.out(4, 0);
    d.out(5, 0);
    d.out(7, 0xec);
    expect(d.status()).toBe(DRDY | ERR);
    expect(d.in(1)).toBe(0x04);
    expect([d.in(4), d.in(5)]).toEqual([0x14, 0xeb]);
  });

  it('asks for the packet with CoD set and no interrupt, completes with CoD|IO and an interrupt', () => {
    const { b, d } = cdBench();
    d.select(0, 0xa0);
    d.out(7, 0xa0);
    expect(d.altStatus() & DRQ).toBe(DRQ);
    expect(d.in(2) & 3).toBe(1);
    expect(b.irq(SECONDARY)).toBe(false);
    d.writeData(new Uint8Array(12));
    expect(b.irq(SECONDARY)).toBe(true);
    expect(d.in(2) & 3).toBe(3);
    expect(d.status()).toBe(DRDY | DSC);
  });

  it('DEVICE RESET puts the signature back even in the middle of a command', () => {
    const { d } = cdBench();
    d.select(0, 0xa0);
    d.out(7, 0xa0);
    d.out(7, 0x08);
    expect([d.in(4), d.in(5)]).toEqual([0x14, 0xeb]);
    expect(d.altStatus() & DRQ).toBe(0);
  });
});

describe('PIIX3 IDE: ATAPI commands', () => {
  it('INQUIRY and READ CAPACITY', () => {
    const { d } = cdBench();
    const inq = run(d, [0x12, 0, 0, 0, 96, 0]);
    expect(inq.data.length).toBe(36);
    expect(inq.data[0]).toBe(0x05);
    expect(inq.data[1]).toBe(0x80);
    expect(new TextDecoder().decode(inq.data.subarray(16, 32)).trimEnd()).toBe('PLUGBOARD DVD-RO');
    const cap = run(d, [0x25]);
    expect([be32(cap.data, 0), be32(cap.data, 4)]).toEqual([999, 2048]);
    expect(cap.status).toBe(DRDY | DSC);
  });

  it('READ(10) splits the data into DRQ blocks of the byte count limit', () => {
    const { d } = cdBench();
    const r = run(d, [0x28, 0, 0, 0, 0, 5, 0, 0, 3, 0], 3000);
    expect(r.blocks).toEqual([3000, 3000, 144]);
    expect(r.data.subarray(0, 2048)).toEqual(sectorPattern(5, 2048));
    expect(r.data.subarray(4096)).toEqual(sectorPattern(7, 2048));
    expect(r.status).toBe(DRDY | DSC);
    const odd = run(d, [0x28, 0, 0, 0, 0, 5, 0, 0, 1, 0], 1001);
    expect(odd.blocks).toEqual([1000, 1000, 48]);
  });

  it('READ(12), READ CD with user data, and READ CD with no fields', () => {
    const { d } = cdBench();
    const r12 = run(d, [0xa8, 0, 0, 0, 0, 9, 0, 0, 0, 2, 0, 0]);
    expect(r12.data.length).toBe(4096);
    expect(r12.data.subarray(2048)).toEqual(sectorPattern(10, 2048));
    const cd = run(d, [0xbe, 0, 0, 0, 0, 12, 0, 0, 1, 0x10, 0, 0]);
    expect(cd.data).toEqual(sectorPattern(12, 2048));
    const none = run(d, [0xbe, 0, 0, 0, 0, 12, 0, 0, 1, 0x00, 0, 0]);
    expect(none.data.length).toBe(0);
    expect(none.status).toBe(DRDY | DSC);
    const raw = run(d, [0xbe, 0, 0, 0, 0, 12, 0, 0, 1, 0xf8, 0, 0]);
    expect(raw.status).toBe(DRDY | ERR);
    expect(d.requestSense()).toEqual([ILLEGAL_REQUEST, 0x24, 0]);
  });

  it('reads past the end fail with ILLEGAL REQUEST / LBA OUT OF RANGE', () => {
    const { d } = cdBench();
    const r = run(d, [0x28, 0, 0, 0, 0x03, 0xe7, 0, 0, 2, 0]);
    expect(r.status).toBe(DRDY | ERR);
    expect(d.in(1) >>> 4).toBe(ILLEGAL_REQUEST);
    expect(d.requestSense()).toEqual([ILLEGAL_REQUEST, 0x21, 0]);
    expect(d.requestSense()).toEqual([0, 0, 0]);
  });

  it('READ(12) with a block count of 2^32-1 fails at once, whatever the LBA, and moves no data', () => {
    const { d } = cdBench();
    // 1 + 0xffffffff wraps to 0 in 32-bit arithmetic: the check must not.
    for (const lba of [0, 1, 999]) {
      const r = run(d, [
        0xa8,
        0,
        (lba >>> 24) & 0xff,
        (lba >>> 16) & 0xff,
        (lba >>> 8) & 0xff,
        lba & 0xff,
        0xff,
        0xff,
        0xff,
        0xff,
        0,
        0,
      ]);
      expect(r.data.length).toBe(0);
      expect(r.status).toBe(DRDY | ERR);
      expect(d.requestSense()).toEqual([ILLEGAL_REQUEST, 0x21, 0]);
    }
    // The drive still reads afterwards.
    const ok = run(d, [0xa8, 0, 0, 0, 0, 9, 0, 0, 0, 1, 0, 0]);
    expect(ok.data).toEqual(sectorPattern(9, 2048));
  });

  it('unknown packet commands fail with INVALID COMMAND OPERATION CODE', () => {
    const { d } = cdBench();
    expect(run(d, [0xee]).status).toBe(DRDY | ERR);
    expect(d.requestSense()).toEqual([ILLEGAL_REQUEST, 0x20, 0]);
  });

  it('READ TOC formats 0, 1 and 2 in LBA and MSF', () => {
    const { d } = cdBench();
    const lba = run(d, [0x43, 0, 0, 0, 0, 0, 0, 0, 100, 0]).data;
    expect(lba.length).toBe(20);
    expect((lba[0] << 8) | lba[1]).toBe(18);
    expect([lba[2], lba[3], lba[5], lba[6]]).toEqual([1, 1, 0x14, 1]);
    expect(be32(lba, 8)).toBe(0);
    expect(lba[14]).toBe(0xaa);
    expect(be32(lba, 16)).toBe(1000);
    const msf = run(d, [0x43, 2, 0, 0, 0, 0, 0, 0, 100, 0]).data;
    // Track 1 at 00:02:00, lead-out at 1000+150 frames = 00:15:25.
    expect([...msf.subarray(8, 12)]).toEqual([0, 0, 2, 0]);
    expect([...msf.subarray(16, 20)]).toEqual([0, 0, 15, 25]);
    const leadOut = run(d, [0x43, 0, 0, 0, 0, 0, 0xaa, 0, 100, 0]).data;
    expect(leadOut.length).toBe(12);
    expect(leadOut[6]).toBe(0xaa);
    const session = run(d, [0x43, 0, 1, 0, 0, 0, 0, 0, 100, 0]).data;
    expect(session.length).toBe(12);
    expect([session[2], session[3], session[6]]).toEqual([1, 1, 1]);
    const full = run(d, [0x43, 2, 2, 0, 0, 0, 0, 0, 100, 0]).data;
    expect(full.length).toBe(4 + 4 * 11);
    const points = [0, 1, 2, 3].map((i) => full[4 + i * 11 + 3]);
    expect(points).toEqual([0xa0, 0xa1, 0xa2, 0x01]);
    expect([...full.subarray(4 + 2 * 11 + 8, 4 + 2 * 11 + 11)]).toEqual([0, 15, 25]);
    // Truncated to the allocation length.
    expect(run(d, [0x43, 0, 0, 0, 0, 0, 0, 0, 4, 0]).data.length).toBe(4);
    expect(run(d, [0x43, 0, 0, 0, 0, 0, 2, 0, 100, 0]).status).toBe(DRDY | ERR);
  });

  it('MODE SENSE(10) and (6) report pages 01, 0E, 2A and all pages', () => {
    const { d } = cdBench();
    const caps = run(d, [0x5a, 0, 0x2a, 0, 0, 0, 0, 0, 255, 0]).data;
    expect(caps.length).toBe(8 + 22);
    expect((caps[0] << 8) | caps[1]).toBe(28);
    expect([caps[8], caps[9]]).toEqual([0x2a, 0x14]);
    expect(caps[8 + 6] & 0x08).toBe(0x08);
    const all = run(d, [0x5a, 0, 0x3f, 0, 0, 0, 0, 0, 255, 0]).data;
    expect(all.length).toBe(8 + 8 + 16 + 22);
    expect([all[8], all[16], all[32]]).toEqual([0x01, 0x0e, 0x2a]);
    const six = run(d, [0x1a, 0, 0x01, 0, 255, 0]).data;
    expect(six.length).toBe(4 + 8);
    expect(six[0]).toBe(11);
    expect(six[4]).toBe(0x01);
    expect(run(d, [0x5a, 0, 0x05, 0, 0, 0, 0, 0, 255, 0]).status).toBe(DRDY | ERR);
    expect(run(d, [0x5a, 0, 0xea, 0, 0, 0, 0, 0, 255, 0]).status).toBe(DRDY | ERR);
    expect(d.requestSense()).toEqual([ILLEGAL_REQUEST, 0x39, 0]);
  });

  it('GET CONFIGURATION lists the profiles with CD-ROM current', () => {
    const { d } = cdBench();
    const c = run(d, [0x46, 0, 0, 0, 0, 0, 0, 0x01, 0, 0]).data;
    expect((c[6] << 8) | c[7]).toBe(0x0008);
    expect(be32(c, 0)).toBe(c.length - 4);
    expect((c[8] << 8) | c[9]).toBe(0x0000);
    const one = run(d, [0x46, 2, 0, 3, 0, 0, 0, 0x01, 0, 0]).data;
    expect(one.length).toBe(16);
    expect((one[8] << 8) | one[9]).toBe(0x0003);
  });

  it('START STOP UNIT ejects and loads; PREVENT blocks the eject; MECHANISM STATUS shows the tray', () => {
    const { d } = cdBench();
    run(d, [0x1e, 0, 0, 0, 1, 0]);
    expect(run(d, [0x1b, 0, 0, 0, 0x02, 0]).status).toBe(DRDY | ERR);
    expect(d.requestSense()).toEqual([ILLEGAL_REQUEST, 0x53, 0x02]);
    run(d, [0x1e, 0, 0, 0, 0, 0]);
    expect(run(d, [0x1b, 0, 0, 0, 0x02, 0]).status).toBe(DRDY | DSC);
    expect(run(d, [0xbd, 0, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0]).data[1] & 0x10).toBe(0x10);
    expect(run(d, [0x00]).status).toBe(DRDY | ERR);
    expect(d.requestSense()).toEqual([NOT_READY, 0x3a, 0x02]);
    run(d, [0x1b, 0, 0, 0, 0x03, 0]);
    expect(run(d, [0x00]).status).toBe(DRDY | ERR);
    expect(d.requestSense()).toEqual([UNIT_ATTENTION, 0x28, 0]);
    expect(run(d, [0x00]).status).toBe(DRDY | DSC);
  });

  it('SET CD SPEED, SEEK and READ DISC INFORMATION', () => {
    const { d } = cdBench();
    expect(run(d, [0xbb, 0, 0xff, 0xff]).status).toBe(DRDY | DSC);
    expect(run(d, [0x2b, 0, 0, 0, 0, 10]).status).toBe(DRDY | DSC);
    const info = run(d, [0x51, 0, 0, 0, 0, 0, 0, 0, 34, 0]).data;
    expect(info.length).toBe(34);
    expect([info[2], info[3], info[4]]).toEqual([0x0e, 1, 1]);
  });
});

describe('PIIX3 IDE: ATAPI errors', () => {
  it('a backend error in the middle of a PIO read ends it with MEDIUM ERROR', () => {
    const media = new MemoryBackend(2048, 100);
    media.failRead = 6;
    const { d } = cdBench(media);
    d.packet([0x28, 0, 0, 0, 0, 4, 0, 0, 4, 0], 2048);
    const { blocks } = d.packetData();
    expect(blocks).toEqual([2048, 2048]);
    expect(d.status()).toBe(DRDY | ERR);
    expect(d.requestSense()).toEqual([0x03, 0x11, 0]);
  });

  it('INQUIRY with EVPD and READ DISC INFORMATION of another data type are invalid fields', () => {
    const { d } = cdBench();
    expect(run(d, [0x12, 1, 0x80, 0, 36, 0]).status).toBe(DRDY | ERR);
    expect(d.requestSense()).toEqual([ILLEGAL_REQUEST, 0x24, 0]);
    expect(run(d, [0x51, 1, 0, 0, 0, 0, 0, 0, 34, 0]).status).toBe(DRDY | ERR);
  });

  it('a large image is DVD-ROM media in GET CONFIGURATION; an empty drive has no current profile', () => {
    const { d } = cdBench(new MemoryBackend(2048, 2_000_000));
    const c = run(d, [0x46, 0, 0, 0, 0, 0, 0, 0x01, 0, 0]).data;
    expect((c[6] << 8) | c[7]).toBe(0x0010);
    expect(c[8 + 6]).toBe(1);
    const empty = cdBench(null);
    const e = run(empty.d, [0x46, 0, 0, 0, 0, 0, 0, 0x01, 0, 0]).data;
    expect((e[6] << 8) | e[7]).toBe(0);
  });

  it('SRST abandons a packet command waiting for the bus master', () => {
    const { b, d } = cdBench();
    writePrd(b, 0x1000, [[0x20000, 2048, true]]);
    d.setPrdTable(0x1000);
    d.packet([0x28, 0, 0, 0, 0, 1, 0, 0, 1, 0], 0, true);
    expect(d.altStatus() & DRQ).toBe(DRQ);
    d.softReset();
    d.bmCommand(0x09);
    expect(ram(b, 0x20000, 2048)).toEqual(new Uint8Array(2048));
    expect([d.in(4), d.in(5)]).toEqual([0x14, 0xeb]);
    expect(d.altStatus()).toBe(0);
  });
});

describe('PIIX3 IDE: ATAPI media', () => {
  it('an empty tray is NOT READY / MEDIUM NOT PRESENT; inserting media raises UNIT ATTENTION once', () => {
    const { d, cd } = cdBench(null);
    expect(run(d, [0x00]).status).toBe(DRDY | ERR);
    expect(d.in(1) >>> 4).toBe(NOT_READY);
    expect(d.requestSense()).toEqual([NOT_READY, 0x3a, 0x01]);
    expect(run(d, [0x25]).status).toBe(DRDY | ERR);
    const media = new MemoryBackend(2048, 50);
    media.stamp(3);
    cd.changeMedia(media);
    // INQUIRY passes through a pending unit attention.
    expect(run(d, [0x12, 0, 0, 0, 36, 0]).status).toBe(DRDY | DSC);
    expect(run(d, [0x00]).status).toBe(DRDY | ERR);
    expect(d.requestSense()).toEqual([UNIT_ATTENTION, 0x28, 0]);
    expect(run(d, [0x28, 0, 0, 0, 0, 3, 0, 0, 1, 0]).data).toEqual(sectorPattern(3, 2048));
  });

  it('GET EVENT STATUS NOTIFICATION reports new media and removal once each', () => {
    const { d, cd } = cdBench();
    const gesn = () => run(d, [0x4a, 1, 0, 0, 0x10, 0, 0, 0, 8, 0]).data;
    expect([...gesn().subarray(2, 6)]).toEqual([0x04, 0x10, 0, 0x02]);
    cd.changeMedia(null);
    expect([...gesn().subarray(4, 6)]).toEqual([3, 0]);
    expect(gesn()[4]).toBe(0);
    cd.changeMedia(new MemoryBackend(2048, 10));
    expect([...gesn().subarray(4, 6)]).toEqual([2, 0x02]);
    // Asynchronous operation is not supported; other classes get "no event".
    expect(run(d, [0x4a, 0, 0, 0, 0x10, 0, 0, 0, 8, 0]).status).toBe(DRDY | ERR);
    expect(run(d, [0x4a, 1, 0, 0, 0x04, 0, 0, 0, 8, 0]).data[2]).toBe(0x80);
  });

  it('device changeMedia reaches the CD-ROM by slot and refuses a disk slot', () => {
    const { b, cd } = cdBench(null);
    b.ide.changeMedia('secondary.master', new MemoryBackend(2048, 7));
    expect(cd.blocks).toBe(7);
    expect(() => b.ide.changeMedia('primary.master', null)).toThrow(/not a CD-ROM/);
    expect(b.ide.info()).toContain('cdrom, 7 blocks');
  });

  it('a 512-byte-sector image used as a CD-ROM has capacity bytes/2048 and reads 2048-byte blocks', () => {
    const media = new MemoryBackend(512, 4 * 10 + 3);
    const b = bench({ secondary: { master: { media: 'cdrom', drive: 'vmdk' } } }, { vmdk: media });
    const d = new Driver(b, SECONDARY);
    for (let s = 8; s < 12; s++) media.stamp(s);
    const cap = run(d, [0x25]).data;
    expect(be32(cap, 0)).toBe(9);
    const block = run(d, [0x28, 0, 0, 0, 0, 2, 0, 0, 1, 0]).data;
    for (let i = 0; i < 4; i++) expect(block.subarray(i * 512, (i + 1) * 512)).toEqual(sectorPattern(8 + i));
  });
});

describe('PIIX3 IDE: ATAPI DMA', () => {
  it('READ(10) with the DMA feature moves the data through the bus master', () => {
    const { b, d } = cdBench();
    writePrd(b, 0x1000, [[0x20000, 3 * 2048, true]]);
    d.setPrdTable(0x1000);
    d.bmCommand(0x08);
    d.packet([0x28, 0, 0, 0, 0, 20, 0, 0, 3, 0], 0, true);
    expect(d.altStatus() & DRQ).toBe(DRQ);
    d.bmCommand(0x09);
    for (let i = 0; i < 3; i++) expect(ram(b, 0x20000 + i * 2048, 2048)).toEqual(sectorPattern(20 + i, 2048));
    expect(d.bmStatus()).toBe(0x04);
    expect(b.irq(SECONDARY)).toBe(true);
    expect(d.status()).toBe(DRDY | DSC);
    expect(d.in(2) & 3).toBe(3);
  });

  it('small replies go through DMA as well', () => {
    const { b, d } = cdBench();
    writePrd(b, 0x1000, [[0x20000, 8, true]]);
    d.setPrdTable(0x1000);
    d.bmCommand(0x09);
    d.packet([0x25], 0, true);
    expect(be32(ram(b, 0x20000, 8), 0)).toBe(999);
    expect(d.status()).toBe(DRDY | DSC);
  });
});
