import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PciBus } from '@plugboard/core';
import { describe, expect, it } from 'vitest';
import { layOutAcpi } from '../src/acpi/layout.js';
import type { AcpiPlatform } from '../src/acpi/platform.js';

const platform: AcpiPlatform = {
  pmBase: 0xb000,
  gpe0Base: 0xafe0,
  gpe0Length: 4,
  sciIrq: 9,
  smiCommand: 0xb2,
  acpiEnable: 0xf1,
  acpiDisable: 0xf0,
  softOffType: 0,
  pirqIrqs: [10, 10, 11, 11],
  pirqOf: PciBus.pirqOf,
  pciMemoryStart: 0x20000000,
  pciMemoryEnd: 0xfebfffff,
  localApicAddress: 0xfee00000,
  ioapic: { id: 0, address: 0xfec00000 },
};

const BASE = 0xe0000;
const { rsdp, tables } = layOutAcpi(platform, BASE);
const sum = (b: Uint8Array) => b.reduce((s, x) => (s + x) & 0xff, 0);
const sig = (b: Uint8Array) => String.fromCharCode(...b.subarray(0, 4));
const view = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);
const at = (address: number) => {
  const t = tables.find((x) => x.address === address);
  if (!t) throw new Error(`no table at 0x${address.toString(16)}`);
  return t.bytes;
};
const bySignature = (s: string) => tables.find((t) => sig(t.bytes) === s)!;

describe('ACPI tables', () => {
  it('starts with an RSDP on a 16-byte boundary whose 20 bytes sum to zero', () => {
    const r = at(rsdp);
    expect(rsdp % 16).toBe(0);
    expect(String.fromCharCode(...r.subarray(0, 8))).toBe('RSD PTR ');
    expect(r.length).toBe(20);
    expect(sum(r)).toBe(0);
    expect(sig(at(view(r).getUint32(16, true)))).toBe('RSDT');
  });

  it('gives every table a header whose length is its size and whose checksum makes it sum to zero', () => {
    for (const t of tables.filter((x) => !['RSD ', 'FACS'].includes(sig(x.bytes)))) {
      expect(view(t.bytes).getUint32(4, true), sig(t.bytes)).toBe(t.bytes.length);
      expect(sum(t.bytes), sig(t.bytes)).toBe(0);
    }
    const facs = bySignature('FACS');
    expect(facs.address % 64).toBe(0);
    expect(view(facs.bytes).getUint32(4, true)).toBe(64);
  });

  it('lays the tables out without overlap inside the BIOS area', () => {
    const spans = tables.map((t) => [t.address, t.address + t.bytes.length]).sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < spans.length; i++) expect(spans[i][0]).toBeGreaterThanOrEqual(spans[i - 1][1]);
    expect(spans[0][0]).toBeGreaterThanOrEqual(BASE);
    expect(spans.at(-1)![1]).toBeLessThanOrEqual(0x100000);
  });

  it('lists the FADT and MADT in the RSDT, and the FACS and DSDT in the FADT', () => {
    const rsdt = bySignature('RSDT').bytes;
    const entries = [36, 40].map((o) => sig(at(view(rsdt).getUint32(o, true))));
    expect(entries).toEqual(['FACP', 'APIC']);
    const fadt = view(bySignature('FACP').bytes);
    expect(sig(at(fadt.getUint32(36, true)))).toBe('FACS');
    expect(sig(at(fadt.getUint32(40, true)))).toBe('DSDT');
  });

  it('points the FADT at the PIIX4 PM blocks, the SCI and the APM enable command', () => {
    const f = bySignature('FACP').bytes;
    const v = view(f);
    expect(f.length).toBe(116);
    expect(v.getUint16(46, true)).toBe(9); // SCI_INT
    expect(v.getUint32(48, true)).toBe(0xb2); // SMI_CMD
    expect([f[52], f[53]]).toEqual([0xf1, 0xf0]);
    expect(v.getUint32(56, true)).toBe(0xb000); // PM1a_EVT_BLK
    expect(v.getUint32(64, true)).toBe(0xb004); // PM1a_CNT_BLK
    expect(v.getUint32(76, true)).toBe(0xb008); // PM_TMR_BLK
    expect(v.getUint32(80, true)).toBe(0xafe0); // GPE0_BLK
    expect([f[88], f[89], f[91], f[92]]).toEqual([4, 2, 4, 4]);
  });

  it('lists the local APIC, the I/O APIC and the interrupt source overrides in the MADT', () => {
    const m = bySignature('APIC').bytes;
    const v = view(m);
    expect(v.getUint32(36, true)).toBe(0xfee00000);
    expect(v.getUint32(40, true) & 1).toBe(1); // PCAT_COMPAT
    const entries: number[][] = [];
    for (let o = 44; o < m.length; o += m[o + 1]) entries.push([...m.subarray(o, o + m[o + 1])]);
    expect(entries.map((e) => e[0])).toEqual([0, 1, 2, 2, 2, 2, 4]);
    expect(v.getUint32(44 + 8 + 4, true)).toBe(0xfec00000);
    const overrides = entries
      .filter((e) => e[0] === 2)
      .map((e) => ({ irq: e[3], gsi: e[4] | (e[5] << 8), flags: e[8] | (e[9] << 8) }));
    expect(overrides).toEqual([
      { irq: 0, gsi: 2, flags: 0 },
      { irq: 9, gsi: 9, flags: 0x0d },
      { irq: 10, gsi: 10, flags: 0x0d },
      { irq: 11, gsi: 11, flags: 0x0d },
    ]);
  });

  it('omits the I/O APIC and its overrides when the machine has none', () => {
    const m = layOutAcpi({ ...platform, ioapic: null }, BASE).tables.find(
      (t) => sig(t.bytes) === 'APIC',
    )!.bytes;
    expect(m.length).toBe(44 + 8 + 6);
    expect(sum(m)).toBe(0);
  });

  it('disassembles with iasl into the root bridge, its _PRT, the links and \\_S5', () => {
    const dir = mkdtempSync(join(tmpdir(), 'plugboard-acpi-'));
    writeFileSync(join(dir, 'dsdt.dat'), bySignature('DSDT').bytes);
    execFileSync('iasl', ['-d', join(dir, 'dsdt.dat')], { stdio: 'pipe' });
    const dsl = readFileSync(join(dir, 'dsdt.dsl'), 'utf8');
    expect(dsl).toMatch(/Device \(PCI0\)[\s\S]*Name \(_HID, EisaId \("PNP0A03"\)/);
    expect(dsl).toMatch(/Name \(_PRT, Package \(0x80\)/);
    expect(dsl).toMatch(
      /Device \(KBD\)[\s\S]*EisaId \("PNP0303"\)[\s\S]*IO \(Decode16,\s*0x0060,[\s\S]*IO \(Decode16,\s*0x0064,[\s\S]*Interrupt \(ResourceConsumer, Edge, ActiveHigh, Exclusive, ,, \)\s*\{\s*0x00000001,?\s*\}/,
    );
    expect(dsl).toMatch(/Device \(MOU\)[\s\S]*EisaId \("PNP0F13"\)[\s\S]*\{\s*0x0000000C,?\s*\}/);
    // Slot 3's INTA# is PIRQC (QEMU's wiring).
    expect(dsl).toMatch(/0x0003FFFF,\s*Zero,\s*\\_SB\.LNKC,\s*Zero/);
    expect(dsl).toMatch(
      /Device \(LNKD\)[\s\S]*Interrupt \(ResourceConsumer, Level, ActiveHigh, Shared, ,, \)\s*\{\s*0x0000000B,?\s*\}/,
    );
    expect(dsl).toMatch(/WordBusNumber \(ResourceProducer, MinFixed, MaxFixed, PosDecode,/);
    expect(dsl).toMatch(
      /Cacheable, ReadWrite,\s*0x00000000, *\/\/ Granularity\s*0x20000000, *\/\/ Range Minimum\s*0xFEBFFFFF,/,
    );
    expect(dsl).toMatch(/Name \(\\_S5, Package \(0x04\)[^{]*\{\s*Zero,\s*Zero,\s*Zero,\s*Zero\s*\}\)/);
    for (const s of ['FACP', 'APIC']) {
      writeFileSync(join(dir, `${s}.dat`), bySignature(s).bytes);
      execFileSync('iasl', ['-d', join(dir, `${s}.dat`)], { stdio: 'pipe' });
      expect(readFileSync(join(dir, `${s}.dsl`), 'utf8')).not.toMatch(/Invalid|Incorrect checksum/i);
    }
  });
});
