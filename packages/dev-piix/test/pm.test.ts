import { type PowerButtonService, Tokens } from '@plugboard/core';
import { describe, expect, it } from 'vitest';
import { nsAtTick, Piix4Pm, PM_IO, PM_TIMER_HZ, PMIO, piix4PmConfig, ticksAt } from '../src/index.js';
import { bareMachine } from './bare-machine.js';

function setup() {
  const m = bareMachine();
  const pm = new Piix4Pm(m.ctx('pm', '00:01.3'), { gpe0Base: 0xafe0, smbusBase: 0xb100 });
  pm.realize();
  pm.reset();
  const { ports } = m.parts;
  const cfg32 = (reg: number, value?: number) => {
    if (value === undefined) return m.parts.pci.readConfig(0, 0x0b, reg, 4);
    m.parts.pci.writeConfig(0, 0x0b, reg, 4, value);
    return value;
  };
  const cfg8 = (reg: number, value?: number) => {
    if (value === undefined) return m.parts.pci.readConfig(0, 0x0b, reg, 1);
    m.parts.pci.writeConfig(0, 0x0b, reg, 1, value);
    return value;
  };
  /** What SeaBIOS's piix4_pm_setup does. */
  const firmwareSetup = () => {
    cfg8(0x3c, 9);
    cfg32(0x40, 0x600 | 1);
    cfg8(0x80, 0x01);
    cfg32(0x90, 0x700 | 1);
    cfg8(0xd2, 0x09);
  };
  return { m, pm, ports, cfg32, cfg8, firmwareSetup };
}

describe('PIIX4 power management', () => {
  it('presents 8086:7113 rev 3 with APMC_EN set (no SMM) and the PM block off at reset', () => {
    const { m, cfg32, cfg8, ports } = setup();
    expect(cfg32(0x00)).toBe(0x71138086);
    expect(cfg32(0x08)).toBe(0x06800003);
    expect(cfg32(0x40)).toBe(0x00000001);
    expect(cfg8(0x5b) & 0x02).toBe(0x02);
    expect(cfg8(0x80)).toBe(0);
    expect(cfg32(0x90)).toBe(0xb101);
    expect(cfg8(0xd2)).toBe(0x09);
    expect(m.parts.ports.claimAt(0x608)).toBeNull();
    expect(ports.in8(0xb100 + 2)).toBe(0);
  });

  it('decodes the PM block at PMBA once PMREGMISC enables it, and follows relocation', () => {
    const { m, ports, cfg32, cfg8, firmwareSetup } = setup();
    firmwareSetup();
    expect(m.parts.ports.claimAt(0x604)?.name).toBe('pm PM');
    cfg32(0x40, 0xb001);
    expect(cfg32(0x40)).toBe(0xb001);
    expect(m.parts.ports.claimAt(0x604)).toBeNull();
    expect(ports.in16(0x604)).toBe(0xffff);
    expect(m.parts.ports.claimAt(0xb004)?.name).toBe('pm PM');
    cfg32(0x40, 0xffffffff);
    expect(cfg32(0x40)).toBe(0xffc1);
    cfg8(0x80, 0);
    expect(m.parts.ports.claimAt(0xffc0)).toBeNull();
    // A base over someone else's ports is not decoded and does not throw.
    cfg32(0x40, 0x0041);
    cfg8(0x80, 1);
    m.parts.ports.register('other', 0x800, 8, { read8: () => 0x12, write8: () => {} });
    cfg32(0x40, 0x0801);
    expect(ports.in8(0x800)).toBe(0x12);
    expect(m.parts.ports.claimAt(0x810)).toBeNull();
  });

  it("config writes reach the table's writable bits, and reset loads its values and masks", () => {
    const { pm, cfg8 } = setup();
    const t = piix4PmConfig(0xb100);
    // DEVRESA-C's top bytes say which ISA devices the machine has (realize fills them in).
    const presence = new Set([0x5f, 0x63, 0x67]);
    for (let at = 0; at < t.size; at++) {
      if (t.owner[at] < 0) continue;
      const before = cfg8(at);
      cfg8(at, 0xff);
      expect([at, cfg8(at)]).toEqual([at, (before & ~t.writable[at]) | t.writable[at]]);
    }
    pm.reset();
    for (let at = 0; at < t.size; at++) {
      if (t.owner[at] < 0) continue;
      if (!presence.has(at)) expect([at, cfg8(at)]).toEqual([at, t.resetImage[at]]);
      expect([at, pm.fn.wmask[at]]).toEqual([at, t.writable[at]]);
    }
    expect(cfg8(0x5b)).toBe(0x02);
  });

  it("writes reach the PM block's writable bits, W1C bits clear, and reset loads the table's values", () => {
    const { pm, ports, firmwareSetup } = setup();
    firmwareSetup();
    ports.out16(0x600 + PMIO.PMEN, 0xffff);
    expect(ports.in16(0x600 + PMIO.PMEN)).toBe(0x0521);
    // SUS_EN and GBL_RLS are commands, never stored; SUS_TYP 7 is no soft-off.
    ports.out16(0x600 + PMIO.PMCNTRL, 0xffff);
    expect(ports.in16(0x600 + PMIO.PMCNTRL)).toBe(0x1c03);
    ports.out32(0x600 + PMIO.PCNTRL, 0x12345678);
    expect(ports.in32(0x600 + PMIO.PCNTRL)).toBe(0x12345678);
    pm.pm.regs[PMIO.GPSTS] = 0x0f;
    ports.out8(0x600 + PMIO.GPSTS, 0x05);
    expect(ports.in8(0x600 + PMIO.GPSTS)).toBe(0x0a);
    pm.reset();
    expect(Array.from(pm.pm.regs)).toEqual(Array.from(PM_IO.resetImage));
  });

  it('runs the PM timer at 3.579545 MHz from virtual time', () => {
    const { m, ports, firmwareSetup } = setup();
    firmwareSetup();
    m.runUntil(1_000_000);
    const a = ports.in32(0x608);
    expect(a).toBe(ticksAt(1_000_000, PM_TIMER_HZ));
    expect(a).toBe(3579);
    m.runFor(1e9);
    expect(ports.in32(0x608) - a).toBe(PM_TIMER_HZ);
    m.runUntil(10e9);
    expect(ports.in32(0x608)).toBe(ticksAt(10e9, PM_TIMER_HZ) & 0xffffff);
    expect(ports.in8(0x60b)).toBe(0);
  });

  it('sets TMROF_STS when bit 23 flips and raises SCI on IRQ9 once ACPI is enabled through 0xB2', () => {
    const { m, ports, firmwareSetup } = setup();
    firmwareSetup();
    ports.out16(0x602, 0x0001); // TMROF_EN
    ports.out8(0xb2, 0xf1); // ACPI enable
    expect(ports.in16(0x604) & 1).toBe(1);
    const overflow = nsAtTick(1 << 23, PM_TIMER_HZ);
    m.runUntil(overflow - 1);
    expect(m.parts.isaIrqs.level(9)).toBe(false);
    m.runUntil(overflow);
    expect(ports.in16(0x600) & 1).toBe(1);
    expect(m.parts.isaIrqs.level(9)).toBe(true);
    ports.out16(0x600, 0x0001);
    expect(m.parts.isaIrqs.level(9)).toBe(false);
    ports.out8(0xb2, 0xf0);
    expect(ports.in16(0x604) & 1).toBe(0);
  });

  it("powers off on SLP_EN with SLP_TYP 0 (S5 in QEMU's DSDT) and only then", () => {
    const { m, ports, firmwareSetup } = setup();
    firmwareSetup();
    ports.out16(0x604, (1 << 10) | 0x2000); // S3 type: not supported, logged
    expect(m.shutdowns).toEqual([]);
    ports.out16(0x604, 0x0001 | 0x2000);
    expect(m.shutdowns).toEqual([{ reason: 'ACPI S5 soft-off', exitCode: 0 }]);
    expect(ports.in16(0x604) & 0x2000).toBe(0);
  });

  it('presses the power button through the PowerButton service: PWRBTN_STS, then SCI once PWRBTN_EN is set', () => {
    const { m, ports, firmwareSetup } = setup();
    firmwareSetup();
    ports.out8(0xb2, 0xf1); // ACPI enable
    const button = m.parts.container.get<PowerButtonService>(Tokens.PowerButton);
    button.press();
    expect(ports.in16(0x600) & 0x0100).toBe(0x0100);
    expect(m.parts.isaIrqs.level(9)).toBe(false);
    ports.out16(0x600, 0x0100); // clear PWRBTN_STS
    expect(ports.in16(0x600) & 0x0100).toBe(0);
    ports.out16(0x602, 0x0100); // PWRBTN_EN
    button.press();
    expect(ports.in16(0x600) & 0x0100).toBe(0x0100);
    expect(m.parts.isaIrqs.level(9)).toBe(true);
    ports.out16(0x600, 0x0100);
    expect(m.parts.isaIrqs.level(9)).toBe(false);
  });

  it('keeps GPE0 status write-one-to-clear and signals SCI for enabled events', () => {
    const { m, pm, ports, firmwareSetup } = setup();
    firmwareSetup();
    ports.out8(0xb2, 0xf1);
    pm.pm.gpeSts = 0x0002;
    ports.out16(0xafe2, 0x0002);
    expect(m.parts.isaIrqs.level(9)).toBe(true);
    expect(ports.in16(0xafe0)).toBe(0x0002);
    ports.out16(0xafe0, 0x0002);
    expect(ports.in16(0xafe0)).toBe(0);
    expect(m.parts.isaIrqs.level(9)).toBe(false);
  });

  it('ends every SMBus transaction with DEV_ERR on an empty bus, interrupting on IRQ9 if asked', () => {
    const { m, ports, firmwareSetup } = setup();
    firmwareSetup();
    ports.out8(0x704, 0xa1); // read from address 0x50
    ports.out8(0x703, 0x00);
    ports.out8(0x702, 0x48 | 0x01); // start, byte data, INTEREN
    expect(ports.in8(0x700) & 0x05).toBe(0x04);
    expect(m.parts.isaIrqs.level(9)).toBe(true);
    ports.out8(0x700, 0xff);
    expect(ports.in8(0x700)).toBe(0);
    expect(m.parts.isaIrqs.level(9)).toBe(false);
    ports.out8(0x702, 0x02); // KILL
    expect(ports.in8(0x700) & 0x10).toBe(0x10);
    expect(ports.in8(0x702) & 0x42).toBe(0);
  });
});
