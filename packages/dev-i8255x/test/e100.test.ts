import { formatRegisterEvent } from '@plugboard/core';
import { BROADCAST, ethernetFrame, QEMU_MAC } from '@plugboard/core/testing';
import { MODELS, registers as R } from '@plugboard/dev-i8255x';
import { describe, expect, it } from 'vitest';
import { type Nic, setup } from './harness.js';

/** e100_exec_cmd: wait for the command byte to clear, set the pointer, write the command. */
function exec(nic: Nic, cmd: number, pointer: number) {
  expect(nic.in8(R.SCB_COMMAND)).toBe(0);
  nic.out32(R.SCB_GENERAL_POINTER, pointer);
  nic.out8(R.SCB_COMMAND, cmd);
}
const cuc = (c: number) => c << 4;

/** e100_eeprom_read, including its detection of the address width from the dummy zero. */
function eepromRead(nic: Nic, addrLen: { bits: number }, addr: number): number {
  const cmd = ((0x6 << addrLen.bits) | addr) << 16;
  nic.out8(R.EEPROM_CONTROL, R.EECS | R.EESK);
  let data = 0;
  for (let i = 31; i >= 0; i--) {
    const ctrl = cmd & (1 << i) ? R.EECS | R.EEDI : R.EECS;
    nic.out8(R.EEPROM_CONTROL, ctrl);
    nic.out8(R.EEPROM_CONTROL, ctrl | R.EESK);
    const v = nic.in8(R.EEPROM_CONTROL);
    if (!(v & R.EEDO) && i > 16) {
      addrLen.bits -= i - 16;
      i = 17;
    }
    data = ((data << 1) | (v & R.EEDO ? 1 : 0)) & 0xffff;
  }
  nic.out8(R.EEPROM_CONTROL, 0);
  return data;
}

/** mdio_ctrl_hw. */
function mdio(nic: Nic, phy: number, reg: number, write: number | null): number {
  expect(nic.in32(R.MDI_CONTROL) & R.MDI_READY).toBe(R.MDI_READY);
  const op = write === null ? R.MDI_OP_READ : R.MDI_OP_WRITE;
  nic.out32(R.MDI_CONTROL, (reg << 16) | (phy << 21) | (op << 26) | (write ?? 0));
  const v = nic.in32(R.MDI_CONTROL);
  expect(v & R.MDI_READY).toBe(R.MDI_READY);
  return v & 0xffff;
}

const CBL = 0x10000;
const RFA = 0x40000;

/** Writes a command block; returns its address. */
function cb(nic: Nic, at: number, command: number, link: number, body: number[] = []) {
  nic.dma.write16(at, 0);
  nic.dma.write16(at + 2, command);
  nic.dma.write32(at + 4, link);
  nic.dma.write(at + 8, Uint8Array.from(body));
  return at;
}

/** A flexible-mode TCB with one TBD inside it, as e100_xmit_prepare builds it. */
function tcb(
  nic: Nic,
  at: number,
  link: number,
  data: Uint8Array,
  command = R.CMD_TRANSMIT | R.CB_SF | R.CB_S,
) {
  const buffer = at + 0x100;
  nic.dma.write(buffer, data);
  cb(nic, at, command, link);
  nic.dma.write32(at + 8, at + 16); // TBD array: just after the TCB
  nic.dma.write16(at + 12, 0); // no data in the TCB itself
  nic.dma.write8(at + 14, 0xe0);
  nic.dma.write8(at + 15, 1);
  nic.dma.write32(at + 16, buffer);
  nic.dma.write16(at + 20, data.length);
  nic.dma.write16(at + 22, 0);
}

/** e100_rx_alloc_list: a ring of RFDs, EL on the second-to-last, the last one with size 0. */
function rfa(nic: Nic, count: number) {
  for (let i = 0; i < count; i++) {
    const at = RFA + i * 0x800;
    nic.dma.write16(at, 0);
    nic.dma.write16(at + 2, i === count - 2 ? R.CB_EL : 0);
    nic.dma.write32(at + 4, RFA + ((i + 1) % count) * 0x800);
    nic.dma.write32(at + 8, 0xffffffff);
    nic.dma.write16(at + 12, 0);
    nic.dma.write16(at + 14, i === count - 1 ? 0 : 1518);
  }
}

function ruState(nic: Nic) {
  return (nic.in8(R.SCB_STATUS) >> 2) & 0xf;
}
function cuState(nic: Nic) {
  return nic.in8(R.SCB_STATUS) >> 6;
}

describe('Intel 8255x as e100 drives it', () => {
  it('presents each model with its PCI device id and revision', async () => {
    for (const [name, id, rev] of [
      ['i82557b', 0x1229, 0x02],
      ['i82559er', 0x1209, 0x09],
      ['i82551', 0x1209, 0x0f],
    ] as const) {
      const nic = await setup(name);
      expect(nic.fn.readConfig(0, 4)).toBe(((id << 16) | 0x8086) >>> 0);
      expect(nic.fn.readConfig(8, 1)).toBe(rev);
    }
    expect(MODELS.i82551.statsSize).toBe(80);
  });

  it('holds the MAC in a 64-word EEPROM whose words sum to 0xBABA', async () => {
    const nic = await setup('i82559er', '00:11:22:33:44:55');
    const width = { bits: 8 };
    eepromRead(nic, width, 0);
    expect(width.bits).toBe(6);
    const words = Array.from({ length: 64 }, (_, i) => eepromRead(nic, width, i));
    expect(words.slice(0, 3)).toEqual([0x1100, 0x3322, 0x5544]);
    expect(words.reduce((a, b) => (a + b) & 0xffff, 0)).toBe(0xbaba);
  });

  it('passes the PORT self-test and resets through PORT', async () => {
    const nic = await setup();
    nic.dma.write32(0x2000, 0);
    nic.dma.write32(0x2004, 0xffffffff);
    nic.out32(R.PORT, 0x2000 | R.PORT_SELF_TEST);
    expect(nic.dma.read32(0x2000)).not.toBe(0);
    expect(nic.dma.read32(0x2004)).toBe(0);
    nic.out32(R.PORT, R.PORT_SOFTWARE_RESET);
    expect(nic.in8(R.SCB_STATUS)).toBe(0);
  });

  it('answers the PHY probe only at address 1, with a 100 Mb/s link', async () => {
    const nic = await setup();
    expect(mdio(nic, 0, 0, null)).toBe(0);
    expect(mdio(nic, 0, 1, null)).toBe(0);
    expect(mdio(nic, 1, 1, null) & 0x0024).toBe(0x0024);
    expect((mdio(nic, 1, 3, null) << 16) | mdio(nic, 1, 2, null)).toBe(0x015402a8);
    mdio(nic, 1, 0, 0x8000);
    expect(mdio(nic, 1, 0, null)).toBe(0x3000);
    expect(nic.in8(R.GENERAL_STATUS)).toBe(7);
    nic.nic.linkChanged(false);
    expect(mdio(nic, 1, 1, null) & 0x0004).toBe(0);
  });

  it('runs a command list: IA setup, configure, multicast, load microcode, transmit, with suspend and resume', async () => {
    const nic = await setup('i82551');
    exec(nic, cuc(R.CUC_LOAD_BASE), 0);
    cb(nic, CBL, R.CMD_IA_SETUP, CBL + 0x20, [0x02, 0, 0, 0, 0, 9]);
    cb(
      nic,
      CBL + 0x20,
      R.CMD_CONFIGURE,
      CBL + 0x40,
      [22, 8, 0, 0, 0, 0, 0x32, 3, 1, 0, 0x2e, 0, 0x60, 0, 0xf2, 0x48, 0, 0x40, 0xf2, 0x80, 0x3f, 0x05],
    );
    cb(nic, CBL + 0x40, R.CMD_MULTICAST_SETUP, CBL + 0x80, [6, 0, 0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb]);
    cb(nic, CBL + 0x80, R.CMD_LOAD_MICROCODE | R.CB_I, CBL + 0x200);
    const f = ethernetFrame(BROADCAST, 1514, 3);
    tcb(nic, CBL + 0x200, CBL + 0x400, f);
    exec(nic, cuc(R.CUC_START), CBL);
    expect(nic.net.sent).toEqual([f]);
    for (const at of [CBL, CBL + 0x20, CBL + 0x40, CBL + 0x80, CBL + 0x200])
      expect(nic.dma.read16(at)).toBe(R.CB_C | R.CB_OK);
    expect(cuState(nic)).toBe(R.CU_SUSPENDED);
    expect(nic.in8(R.SCB_STATACK) & (R.STAT_CX | R.STAT_CNA)).toBe(R.STAT_CX | R.STAT_CNA);
    expect(nic.irq()).toBe(true);
    // e100_exec_cb: the next TCB is written, the previous one's S cleared, then CU resume.
    const g = ethernetFrame(BROADCAST, 60, 4);
    tcb(nic, CBL + 0x400, CBL + 0x600, g);
    exec(nic, cuc(R.CUC_RESUME), 0);
    expect(nic.net.sent[1]).toEqual(g);
    // Acknowledge, then the IA is the new one.
    nic.out8(R.SCB_STATACK, 0xff);
    expect(nic.irq()).toBe(false);
    nic.out8(R.SCB_COMMAND, R.RUC_NOP);
    expect(nic.nic.state.ia).toEqual(Uint8Array.from([2, 0, 0, 0, 0, 9]));
  });

  it('receives frames of 60 to 1514 bytes into RFDs and stops with RNR at the EL descriptor', async () => {
    const nic = await setup('i82557b');
    rfa(nic, 6);
    exec(nic, R.RUC_START, RFA);
    expect(ruState(nic)).toBe(R.RU_READY);
    const sizes = [60, 100, 1000, 1514, 64];
    for (const [i, size] of sizes.entries()) nic.net.client!.receive(ethernetFrame(QEMU_MAC, size, i));
    sizes.forEach((size, i) => {
      const at = RFA + i * 0x800;
      expect(nic.dma.read16(at)).toBe(R.CB_C | R.CB_OK);
      expect(nic.dma.read16(at + 12)).toBe(size | R.RFD_EOF | R.RFD_F);
      expect(nic.parts.memory.ram.subarray(at + 16, at + 16 + size)).toEqual(
        ethernetFrame(QEMU_MAC, size, i),
      );
    });
    expect(ruState(nic)).toBe(R.RU_NO_RESOURCES);
    expect(nic.in8(R.SCB_STATACK) & (R.STAT_FR | R.STAT_RNR)).toBe(R.STAT_FR | R.STAT_RNR);
    expect(nic.nic.canReceive()).toBe(false);
    const ready = nic.net.ready;
    rfa(nic, 6);
    exec(nic, R.RUC_START, RFA);
    expect(nic.net.ready).toBe(ready + 1);
  });

  it('pads runts, filters by address, multicast hash, broadcast-disable and promiscuous mode', async () => {
    const nic = await setup('i82559er');
    rfa(nic, 16);
    exec(nic, R.RUC_START, RFA);
    const received = () => {
      let n = 0;
      while (nic.dma.read16(RFA + n * 0x800) & R.CB_C) n++;
      return n;
    };
    nic.net.client!.receive(ethernetFrame(QEMU_MAC, 42));
    expect(nic.dma.read16(RFA + 12) & R.RFD_COUNT).toBe(60);
    nic.net.client!.receive(ethernetFrame([0x02, 0, 0, 0, 0, 1], 60));
    nic.net.client!.receive(ethernetFrame([0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb], 60));
    expect(received()).toBe(1);
    nic.net.client!.receive(ethernetFrame(BROADCAST, 60));
    expect(received()).toBe(2);
    expect(nic.dma.read16(RFA + 0x800) & R.RFD_STATUS_IA_MISMATCH).toBe(R.RFD_STATUS_IA_MISMATCH);
    exec(nic, cuc(R.CUC_LOAD_BASE), 0);
    cb(nic, CBL, R.CMD_MULTICAST_SETUP | R.CB_EL, 0, [6, 0, 0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb]);
    exec(nic, cuc(R.CUC_START), CBL);
    nic.net.client!.receive(ethernetFrame([0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb], 60));
    expect(received()).toBe(3);
    const config = [
      22,
      8,
      0,
      0,
      0,
      0,
      0x32,
      3,
      1,
      0,
      0x2e,
      0,
      0x60,
      0,
      0xf2,
      0x01 | 0x02,
      0,
      0x40,
      0xf2,
      0x80,
      0x3f,
      0x05,
    ];
    cb(nic, CBL, R.CMD_CONFIGURE | R.CB_EL, 0, config);
    exec(nic, cuc(R.CUC_START), CBL);
    nic.net.client!.receive(ethernetFrame([0x02, 0, 0, 0, 0, 1], 60));
    expect(received()).toBe(4);
  });

  it('dumps statistical counters with the completion word where each generation puts it', async () => {
    for (const [model, size] of [
      ['i82557b', 64],
      ['i82558b', 76],
      ['i82559er', 80],
    ] as const) {
      const nic = await setup(model);
      // e100_configure clears "standard statistical counters" on the 82558 and later.
      exec(nic, cuc(R.CUC_LOAD_BASE), 0);
      cb(
        nic,
        CBL,
        R.CMD_CONFIGURE | R.CB_EL,
        0,
        [22, 8, 0, 0, 0, 0, 0x12, 3, 1, 0, 0x2e, 0, 0x60, 0, 0xf2, 0x48, 0, 0x40, 0xf2, 0x80, 0x3f, 0x05],
      );
      exec(nic, cuc(R.CUC_START), CBL);
      rfa(nic, 4);
      exec(nic, R.RUC_START, RFA);
      nic.net.client!.receive(ethernetFrame(QEMU_MAC, 60));
      exec(nic, cuc(R.CUC_LOAD_DUMP_ADDRESS), 0x3000);
      exec(nic, cuc(R.CUC_DUMP_RESET_COUNTERS), 0);
      expect(nic.dma.read32(0x3000 + 36)).toBe(1);
      expect(nic.dma.read32(0x3000 + size)).toBe(R.DUMP_RESET_COMPLETE);
      exec(nic, cuc(R.CUC_DUMP_COUNTERS), 0);
      expect(nic.dma.read32(0x3000 + 36)).toBe(0);
      expect(nic.dma.read32(0x3000 + size)).toBe(R.DUMP_COMPLETE);
    }
  });

  it('masks interrupts with M, per cause on the 82558 and later, and raises a software interrupt', async () => {
    const nic = await setup('i82559er');
    nic.out8(R.SCB_INTMASK, R.INTMASK_M);
    nic.out8(R.SCB_INTMASK, R.INTMASK_M | R.INTMASK_SI);
    expect(nic.in8(R.SCB_STATACK) & R.STAT_SWI).toBe(R.STAT_SWI);
    expect(nic.irq()).toBe(false);
    nic.out8(R.SCB_INTMASK, 0);
    expect(nic.irq()).toBe(true);
    nic.out8(R.SCB_STATACK, R.STAT_SWI);
    rfa(nic, 4);
    exec(nic, R.RUC_START, RFA);
    nic.out8(R.SCB_INTMASK, 0x40); // FR masked
    nic.net.client!.receive(ethernetFrame(QEMU_MAC, 60));
    expect(nic.in8(R.SCB_STATACK) & R.STAT_FR).toBe(R.STAT_FR);
    expect(nic.irq()).toBe(false);
  });

  it('keeps a command list that loops forever from hanging the host (CVE-2015-8345)', async () => {
    const nic = await setup('i82557b');
    exec(nic, cuc(R.CUC_LOAD_BASE), 0);
    const f = ethernetFrame(BROADCAST, 60);
    tcb(nic, CBL, CBL, f, R.CMD_TRANSMIT | R.CB_SF); // links to itself, no EL, no S
    exec(nic, cuc(R.CUC_START), CBL);
    expect(nic.net.sent.length).toBe(64);
    expect(cuState(nic)).toBe(R.CU_ACTIVE);
    // Hammering CU Start meanwhile gains nothing: the busy CU takes the list at its next batch.
    for (let i = 0; i < 1000; i++) {
      nic.out32(R.SCB_GENERAL_POINTER, CBL);
      nic.out8(R.SCB_COMMAND, cuc(R.CUC_START));
    }
    expect(nic.net.sent.length).toBe(64);
    // The CU goes on in virtual time, like the chip; the guest can still stop it.
    nic.parts.clock.advance(20_000);
    nic.parts.clock.runDue();
    expect(nic.net.sent.length).toBe(128);
    nic.out32(R.PORT, R.PORT_SELECTIVE_RESET);
    nic.parts.clock.advance(1e6);
    nic.parts.clock.runDue();
    expect(nic.net.sent.length).toBe(128);
  });

  it('refuses oversized gathers and survives blocks and buffers outside RAM', async () => {
    const nic = await setup('i82559er');
    exec(nic, cuc(R.CUC_LOAD_BASE), 0);
    cb(nic, CBL, R.CMD_TRANSMIT | R.CB_SF | R.CB_EL, 0);
    nic.dma.write32(CBL + 8, 0x5000);
    nic.dma.write8(CBL + 15, 255);
    for (let i = 0; i < 255; i++) {
      nic.dma.write32(0x5000 + i * 8, 0x100000);
      nic.dma.write16(0x5000 + i * 8 + 4, 0x3fff);
      nic.dma.write16(0x5000 + i * 8 + 6, 0);
    }
    exec(nic, cuc(R.CUC_START), CBL);
    expect(nic.net.sent).toHaveLength(0);
    expect(nic.dma.read16(CBL)).toBe(R.CB_C);
    // A CB beyond RAM reads as all ones: EL set, the CU stops.
    exec(nic, cuc(R.CUC_START), 0xfffff000);
    expect(cuState(nic)).toBe(R.CU_IDLE);
    // An RFD beyond RAM: the frame goes nowhere.
    exec(nic, R.RUC_START, 0x7ffffff0);
    nic.net.client!.receive(ethernetFrame(QEMU_MAC, 60));
  });

  it('traces SCB commands by name', async () => {
    const nic = await setup();
    const lines: string[] = [];
    nic.nic.registerTrace.tap('t', (e) => lines.push(formatRegisterEvent(e)));
    rfa(nic, 4);
    exec(nic, R.RUC_START, RFA);
    expect(lines).toContain('nic W SCB Command <- 0x01 CUC=NOP RUC=RU Start');
  });
});
