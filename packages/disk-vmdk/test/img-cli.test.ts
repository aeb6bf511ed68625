import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runImg, VmdkImage } from '../src/index.js';
import { collector, qemuImg, tempDir, testContent, writeRaw } from './helpers.js';

async function img(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const c = collector();
  const code = await runImg(argv, c.io);
  return { code, out: c.out(), err: c.err() };
}

describe('plugboard img', () => {
  const dir = tempDir('pb-img-');

  it('create: qemu-img syntax, size suffixes, -o options, and QEMU reads the result', async () => {
    const out = join(dir, 'new.vmdk');
    const r = await img(
      'create',
      '-f',
      'vmdk',
      '-o',
      'subformat=streamOptimized,adapter_type=lsilogic,hwversion=6',
      out,
      '64M',
    );
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain(`Formatting '${out}', fmt=vmdk size=67108864`);
    const info = JSON.parse(qemuImg(['info', '--output=json', out]).stdout);
    expect(info['virtual-size']).toBe(64 * 1024 * 1024);
    expect(info['format-specific'].data['create-type']).toBe('streamOptimized');
    const descriptor = readFileSync(out).toString('latin1');
    expect(descriptor).toContain('ddb.adapterType = "lsilogic"');
    expect(descriptor).toContain('ddb.virtualHWVersion = "6"');
    expect(descriptor).toContain('ddb.geometry.heads = "255"');
    const compat = join(dir, 'compat.vmdk');
    expect((await img('create', '-f', 'vmdk', '-o', 'compat6', compat, '1G')).code).toBe(0);
    expect(readFileSync(compat).toString('latin1')).toContain('ddb.virtualHWVersion = "6"');
    const raw = join(dir, 'new.raw');
    expect((await img('create', '-f', 'raw', raw, '1.5k')).code).toBe(0);
    expect(readFileSync(raw).length).toBe(1536);
  });

  it('create: rejects what qemu-img rejects, with usage', async () => {
    const out = join(dir, 'bad.vmdk');
    expect((await img('create', '-f', 'vmdk', '-o', 'compat6,hwversion=7', out, '1M')).err).toContain(
      'compat6 cannot be enabled with hwversion set',
    );
    expect((await img('create', '-f', 'vmdk', '-o', 'subformat=nope', out, '1M')).err).toContain(
      'Unknown subformat: nope',
    );
    expect((await img('create', '-f', 'vmdk', '-o', 'adapter_type=scsi', out, '1M')).err).toContain(
      "Unknown adapter type: 'scsi'",
    );
    expect((await img('create', '-f', 'vmdk', '-o', 'cluster_size=4k', out, '1M')).err).toContain(
      "Invalid parameter 'cluster_size'",
    );
    const bad = await img('create', '-f', 'vmdk', out, '12Q');
    expect(bad.code).toBe(1);
    expect(bad.err).toContain("Invalid image size specified: '12Q'");
    expect(existsSync(out)).toBe(false);
    expect((await img('frobnicate')).code).toBe(1);
    // An image a machine has open for writing is not overwritten.
    const busy = join(dir, 'busy.vmdk');
    await img('create', '-f', 'vmdk', busy, '1M');
    const running = VmdkImage.open(busy);
    expect((await img('create', '-f', 'vmdk', busy, '2M')).err).toContain('already open for writing');
    expect((await img('convert', '-O', 'vmdk', busy, busy)).err).toContain('already open for writing');
    running.close();
    expect((await img('info', '--outptu=json', out)).err).toContain("unrecognized option '--outptu'");
    expect((await img('info', '--output=xml', out)).err).toContain('--output must be human or json');
  });

  it('create -b makes a child that reads through to its parent', async () => {
    const base = join(dir, 'parent.vmdk');
    await img('create', '-f', 'vmdk', base, '2M');
    const p = VmdkImage.open(base);
    p.write(10, new Uint8Array(512).fill(0x42));
    p.close();
    const child = join(dir, 'child.vmdk');
    const r = await img('create', '-f', 'vmdk', '-b', 'parent.vmdk', '-F', 'vmdk', child);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('size=2097152');
    expect((await img('info', child)).out).toContain('backing file: parent.vmdk');
    expect(qemuImg(['compare', base, child]).status).toBe(0);
  });

  it('info: raw and iso images', async () => {
    const raw = join(dir, 'odd.raw');
    writeRaw(raw, new Uint8Array(1000));
    expect((await img('info', raw)).out).toContain('virtual size: 1 KiB (1024 bytes)');
    const iso = join(dir, 'info.iso');
    const data = new Uint8Array(20 * 2048);
    data.set(new TextEncoder().encode('\x01CD001'), 0x8000);
    writeRaw(iso, data);
    expect((await img('info', iso)).out).toContain('file format: iso');
  });

  it('info: human and JSON output', async () => {
    const out = join(dir, 'info.vmdk');
    await img('create', '-f', 'vmdk', '-o', 'subformat=twoGbMaxExtentSparse', out, '3G');
    const human = await img('info', out);
    expect(human.code).toBe(0);
    expect(human.out).toContain('file format: vmdk');
    expect(human.out).toContain('virtual size: 3 GiB (3221225472 bytes)');
    expect(human.out).toContain('create type: twoGbMaxExtentSparse');
    expect(human.out).toContain('info-s002.vmdk');
    const json = JSON.parse((await img('info', '--output=json', out)).out);
    expect(json['virtual-size']).toBe(3 * 1024 ** 3);
    expect(json['cluster-size']).toBe(65536);
  });

  it('check: 0 clean, 2 corrupt, 3 leaks, 63 for raw', async () => {
    const path = join(dir, 'check.vmdk');
    await img('create', '-f', 'vmdk', path, '4M');
    const w = VmdkImage.open(path);
    w.write(
      0,
      testContent(65536 * 4, 1).map((b) => b | 1),
    );
    w.close();
    const clean = await img('check', path);
    expect(clean.code).toBe(0);
    expect(clean.out).toContain('No errors were found on the image.');
    // Space past the last grain that nothing references: a leak (as after a crash between grain and table writes).
    writeFileSync(path, Buffer.concat([readFileSync(path), Buffer.alloc(65536 * 2, 1)]));
    const leak = await img('check', path);
    expect(leak.code).toBe(3);
    expect(leak.out).toContain('2 leaked clusters were found on the image.');
    // Two table entries naming one grain: a corruption.
    const data = readFileSync(path);
    const gt = 27 * 512;
    data.writeUInt32LE(data.readUInt32LE(gt), gt + 4);
    writeFileSync(path, data);
    const bad = await img('check', path);
    expect(bad.code).toBe(2);
    expect(bad.out).toMatch(/ERROR: .*grains 0 and 1 both point to sector 128/);
    const raw = join(dir, 'check.raw');
    writeRaw(raw, new Uint8Array(4096));
    expect((await img('check', raw)).code).toBe(63);
  });

  it('check -r all repairs redundant tables and trims leaks', async () => {
    const path = join(dir, 'repair.vmdk');
    await img('create', '-f', 'vmdk', path, '4M');
    const w = VmdkImage.open(path);
    w.write(
      0,
      testContent(65536 * 2, 2).map((b) => b | 1),
    );
    w.close();
    const data = readFileSync(path);
    data.writeUInt32LE(0, 22 * 512); // redundant table 0, entry 0
    writeFileSync(path, Buffer.concat([data, Buffer.alloc(65536, 1)]));
    const before = await img('check', path);
    expect(before.out).toContain('1 redundant grain table entries differ');
    expect((await img('check', '-r', 'all', path)).code).toBe(0);
    const after = await img('check', path);
    expect(after.code).toBe(0);
    expect(after.out).not.toContain('redundant');
  });

  it('compare: 0 identical, 1 with the first differing offset, 2 on error', async () => {
    const a = join(dir, 'a.raw');
    const b = join(dir, 'b.vmdk');
    const content = testContent(1024 * 1024, 9);
    writeRaw(a, content);
    expect((await img('convert', '-O', 'vmdk', a, b)).code).toBe(0);
    expect(await img('compare', a, b)).toMatchObject({ code: 0, out: 'Images are identical.\n' });
    const v = VmdkImage.open(b);
    const sector = new Uint8Array(512);
    v.read(300, sector);
    sector[17] ^= 0xff;
    v.write(300, sector);
    v.close();
    expect(await img('compare', '-f', 'raw', '-F', 'vmdk', a, b)).toMatchObject({
      code: 1,
      out: `Content mismatch at offset ${300 * 512 + 17}!\n`,
    });
    expect((await img('compare', a, join(dir, 'missing.raw'))).code).toBe(2);
    // Without -s a longer image is equal when its extra part is zeros.
    const longer = join(dir, 'longer.raw');
    writeRaw(longer, Buffer.concat([content, Buffer.alloc(4096)]));
    expect((await img('compare', a, longer)).code).toBe(0);
    expect((await img('compare', '-s', a, longer)).code).toBe(1);
  });

  it('convert: ISO input keeps its bytes', async () => {
    const iso = join(dir, 'cd.iso');
    const content = testContent(40 * 2048, 4);
    content.set(new TextEncoder().encode('\x01CD001'), 0x8000);
    writeRaw(iso, content);
    const out = join(dir, 'cd.vmdk');
    expect((await img('convert', '-O', 'vmdk', iso, out)).code).toBe(0);
    expect(qemuImg(['compare', '-f', 'raw', iso, out]).status).toBe(0);
    // A disk one 512-byte sector shorter than the CD image: compared across the CD's last 2048-byte sector.
    const short = join(dir, 'short.raw');
    writeRaw(short, content.subarray(0, content.length - 512));
    expect(await img('compare', iso, short)).toMatchObject({
      code: 1,
      out: `Content mismatch at offset ${content.length - 512}!\n`,
    });
    content.fill(0, content.length - 512);
    writeRaw(iso, content);
    expect((await img('compare', iso, short)).code).toBe(0);
  });
});
