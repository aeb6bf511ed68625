import { ApicBus, Clock, CpuPins, DeliveryMode, PhysicalMemory } from '@plugboard/core';
import { describe, expect, it } from 'vitest';
import { LocalApic } from '../src/apic/local-apic.js';

const BASE = 0xfee00000;

function setup(opts: { bsp?: boolean; version?: number } = {}) {
  const clock = new Clock();
  const apicBus = new ApicBus();
  const cpuPins = new CpuPins();
  const memory = new PhysicalMemory(1 << 20);
  const eois: number[] = [];
  apicBus.addEoiListener({ endOfInterrupt: (v) => eois.push(v) });
  const apic = new LocalApic({
    id: 0,
    version: opts.version ?? 0x14,
    bsp: opts.bsp ?? true,
    clock,
    apicBus,
    cpuPins,
    memory,
  });
  const rd = (off: number) => memory.read32(BASE + off);
  const wr = (off: number, v: number) => memory.write32(BASE + off, v);
  const enable = () => wr(0xf0, 0x1ff);
  /** Runs the clock to `t` firing timers on the way, as the machine's run loop does. */
  const runTo = (t: number) => {
    while (clock.nextDeadline <= t) {
      clock.advanceTo(clock.nextDeadline);
      clock.runDue();
    }
    clock.advanceTo(t);
  };
  return { clock, apicBus, cpuPins, memory, apic, rd, wr, enable, eois, runTo };
}

function fixed(vector: number, level = false) {
  return {
    destination: 0,
    destinationMode: 0,
    deliveryMode: DeliveryMode.Fixed,
    vector,
    triggerMode: level ? 1 : 0,
  };
}

describe('LocalApic reset state', () => {
  it('is globally enabled at 0xFEE00000 with the BSP bit, software disabled, in virtual wire mode', () => {
    const { apic, rd } = setup();
    expect(apic.readBase()).toEqual([0xfee00900, 0]);
    expect(rd(0x20)).toBe(0);
    expect(rd(0x30)).toBe(0x00050014);
    expect(rd(0xf0)).toBe(0xff);
    expect(rd(0x350)).toBe(0x700);
    expect(rd(0x360)).toBe(0x400);
    expect(rd(0x320)).toBe(0x10000);
    expect(rd(0x370)).toBe(0x10000);
    expect(rd(0xe0)).toBe(0xffffffff);
  });

  it('an AP has every LVT entry masked and no BSP bit', () => {
    const { apic, rd } = setup({ bsp: false });
    expect(apic.readBase()).toEqual([0xfee00800, 0]);
    expect(rd(0x350)).toBe(0x10000);
    expect(rd(0x360)).toBe(0x10000);
  });

  it('reports the configured version', () => {
    const { rd } = setup({ version: 0x11 });
    expect(rd(0x30)).toBe(0x00050011);
  });

  it('passes the 8259 INTR through LINT0 while software disabled', () => {
    const { apic, cpuPins } = setup();
    cpuPins.intController = { acknowledge: () => 0x08 };
    expect(apic.hasInterrupt()).toBe(false);
    cpuPins.setIntr(true);
    expect(apic.hasInterrupt()).toBe(true);
    expect(apic.acknowledge()).toBe(0x08);
  });

  it('passes the NMI pin through LINT1', () => {
    const { apic, cpuPins } = setup();
    cpuPins.raiseNmi();
    expect(apic.nmiPending).toBe(true);
    apic.takeNmi();
    expect(apic.nmiPending).toBe(false);
    expect(cpuPins.nmi).toBe(false);
  });
});

describe('LocalApic registers', () => {
  it('keeps writable bits and ignores read-only registers', () => {
    const { rd, wr, enable } = setup();
    enable();
    wr(0x20, 0x05123456);
    expect(rd(0x20)).toBe(0x05000000);
    wr(0x30, 0);
    expect(rd(0x30)).toBe(0x00050014);
    wr(0x80, 0x1234);
    expect(rd(0x80)).toBe(0x34);
    wr(0xd0, 0x81ffffff);
    expect(rd(0xd0)).toBe(0x81000000);
    wr(0xe0, 0x0);
    expect(rd(0xe0)).toBe(0x0fffffff);
    wr(0xf0, 0x3f0);
    // Bits 0-3 of the spurious vector are hardwired to 1 on P6.
    expect(rd(0xf0)).toBe(0x3ff);
    wr(0x320, 0xffffffff);
    expect(rd(0x320)).toBe(0x300ff);
    wr(0x350, 0xffffffff);
    expect(rd(0x350)).toBe(0x1a7ff);
    wr(0x3e0, 0xff);
    expect(rd(0x3e0)).toBe(0x0b);
  });

  it('latches errors into ESR on write and flags illegal register addresses', () => {
    const { rd, wr, enable } = setup();
    enable();
    expect(rd(0x40)).toBe(0);
    expect(rd(0x280)).toBe(0);
    wr(0x280, 0);
    expect(rd(0x280)).toBe(0x80);
    wr(0x280, 0);
    expect(rd(0x280)).toBe(0);
  });

  it('reads byte lanes of a register and drops narrow writes', () => {
    const { memory, rd, enable } = setup();
    enable();
    expect(memory.read8(BASE + 0x32)).toBe(0x05);
    expect(memory.read16(BASE + 0x30)).toBe(0x14);
    memory.write8(BASE + 0x80, 0x40);
    expect(rd(0x80)).toBe(0);
    expect(rd(0x34)).toBe(0);
  });

  it('relocates the page through IA32_APIC_BASE and unmaps it when globally disabled', () => {
    const { apic, memory, rd } = setup();
    expect(apic.writeBase(0xfec01800, 0)).toBe(true);
    expect(memory.read32(0xfec01030)).toBe(0x00050014);
    expect(rd(0x30)).toBe(0xffffffff);
    expect(apic.readBase()).toEqual([0xfec01900, 0]);
    // Reserved bits fault.
    expect(apic.writeBase(0xfee00801, 0)).toBe(false);
    expect(apic.writeBase(0xfee00800, 0x10)).toBe(false);
    // A page inside RAM: RAM shows through again once the APIC leaves.
    memory.write32(0x80000, 0x12345678);
    apic.writeBase(0x80800, 0);
    expect(memory.read32(0x80030)).toBe(0x00050014);
    apic.writeBase(0x80000, 0);
    expect(memory.read32(0x80000)).toBe(0x12345678);
    expect(apic.globallyEnabled).toBe(false);
    // P6: no re-enable before reset.
    apic.writeBase(0xfee00800, 0);
    expect(apic.globallyEnabled).toBe(false);
    apic.reset();
    expect(apic.globallyEnabled).toBe(true);
    expect(rd(0x30)).toBe(0x00050014);
  });

  it('when globally disabled, takes INTR and NMI straight from the pins', () => {
    const { apic, cpuPins } = setup();
    apic.writeBase(0xfee00000, 0);
    cpuPins.intController = { acknowledge: () => 0x20 };
    cpuPins.setIntr(true);
    expect(apic.hasInterrupt()).toBe(true);
    expect(apic.acknowledge()).toBe(0x20);
    expect(apic.accepts(0xff, 0)).toBe(false);
    cpuPins.raiseNmi();
    expect(apic.nmiPending).toBe(true);
  });
});

describe('LocalApic priorities', () => {
  it('delivers the highest IRR vector above PPR and nests through ISR', () => {
    const { apic, rd, wr, enable } = setup();
    enable();
    apic.deliver(fixed(0x31));
    apic.deliver(fixed(0x45));
    expect(rd(0x200 + 0x10)).toBe((1 << 0x11) >>> 0);
    expect(apic.hasInterrupt()).toBe(true);
    expect(apic.acknowledge()).toBe(0x45);
    expect(rd(0xa0)).toBe(0x40);
    // 0x31 is below the in-service class.
    expect(apic.hasInterrupt()).toBe(false);
    apic.deliver(fixed(0x4f));
    expect(apic.hasInterrupt()).toBe(false);
    apic.deliver(fixed(0x50));
    expect(apic.acknowledge()).toBe(0x50);
    expect(rd(0x100 + 0x20)).toBe((1 << 0x10) | (1 << 0x05));
    wr(0xb0, 0);
    expect(rd(0x100 + 0x20)).toBe(1 << 0x05);
    expect(rd(0xa0)).toBe(0x40);
    wr(0xb0, 0);
    expect(rd(0xa0)).toBe(0);
    expect(apic.acknowledge()).toBe(0x4f);
    wr(0xb0, 0);
    expect(apic.acknowledge()).toBe(0x31);
  });

  it('TPR holds back vectors of its class and below', () => {
    const { apic, rd, wr, enable } = setup();
    enable();
    wr(0x80, 0x35);
    apic.deliver(fixed(0x3f));
    expect(rd(0xa0)).toBe(0x35);
    expect(apic.hasInterrupt()).toBe(false);
    expect(rd(0x90)).toBe(0x35);
    wr(0x80, 0x20);
    expect(apic.hasInterrupt()).toBe(true);
    expect(rd(0x90)).toBe(0x30);
  });

  it('gives the spurious vector when TPR rose between INTR and INTA', () => {
    const { apic, wr, enable, rd } = setup();
    enable();
    apic.deliver(fixed(0x40));
    expect(apic.hasInterrupt()).toBe(true);
    wr(0x80, 0xf0);
    expect(apic.acknowledge()).toBe(0xff);
    expect(rd(0x100 + 0x20)).toBe(0);
    expect(rd(0x200 + 0x20)).toBe(1);
  });

  it('rejects illegal vectors with a receive error', () => {
    const { apic, rd, wr, enable } = setup();
    enable();
    apic.deliver(fixed(0x0f));
    expect(apic.hasInterrupt()).toBe(false);
    wr(0x280, 0);
    expect(rd(0x280)).toBe(0x40);
  });
});

describe('LocalApic EOI', () => {
  it('broadcasts EOI for level-triggered vectors only', () => {
    const { apic, rd, wr, enable, eois } = setup();
    enable();
    apic.deliver(fixed(0x61, true));
    expect(rd(0x180 + 0x30)).toBe(2);
    apic.deliver(fixed(0x52));
    expect(apic.acknowledge()).toBe(0x61);
    wr(0xb0, 0);
    expect(eois).toEqual([0x61]);
    expect(apic.acknowledge()).toBe(0x52);
    wr(0xb0, 0);
    expect(eois).toEqual([0x61]);
    // An EOI with nothing in service does nothing.
    wr(0xb0, 0);
    expect(eois).toEqual([0x61]);
  });
});

describe('LocalApic timer', () => {
  it('one-shot counts down in virtual time and fires once', () => {
    const { apic, rd, wr, enable, runTo } = setup();
    enable();
    wr(0x3e0, 0x0); // divide by 2
    wr(0x320, 0x40);
    wr(0x380, 1000);
    runTo(500);
    expect(rd(0x390)).toBe(750);
    expect(apic.hasInterrupt()).toBe(false);
    runTo(2000);
    expect(rd(0x390)).toBe(0);
    expect(apic.acknowledge()).toBe(0x40);
    wr(0xb0, 0);
    runTo(10000);
    expect(apic.hasInterrupt()).toBe(false);
  });

  it('periodic reloads and fires every period', () => {
    const { apic, rd, wr, enable, runTo, clock } = setup();
    enable();
    wr(0x3e0, 0xb); // divide by 1
    wr(0x320, 0x20041);
    wr(0x380, 100);
    let fired = 0;
    for (let t = 100; t <= 1000; t += 100) {
      runTo(t);
      if (apic.hasInterrupt()) {
        expect(apic.acknowledge()).toBe(0x41);
        wr(0xb0, 0);
        fired++;
      }
    }
    expect(fired).toBe(10);
    runTo(1030);
    expect(rd(0x390)).toBe(70);
    wr(0x380, 0);
    expect(clock.nextDeadline).toBe(Number.POSITIVE_INFINITY);
    expect(rd(0x390)).toBe(0);
  });

  it('a periodic count of 1 coalesces expiries instead of firing once per period', () => {
    const { apic, wr, enable, clock } = setup();
    enable();
    wr(0x3e0, 0xb);
    wr(0x320, 0x20042);
    wr(0x380, 1);
    clock.advanceTo(1_000_000);
    let fired = 0;
    const fire = clock.createTimer('count', () => fired++);
    fire.arm(0);
    clock.runDue();
    expect(fired).toBe(1);
    expect(apic.acknowledge()).toBe(0x42);
    expect(clock.nextDeadline).toBe(1_000_001);
  });

  it('a periodic count loaded at a fractional time always re-arms ahead of now', () => {
    // Loaded at 0.1 ns, period 1 ns: at 64.1 the floored elapsed ticks read 63
    // (64.1 - 0.1 rounds below 64), and the next end computed from them is 64.1 itself.
    const { apic, wr, enable, clock } = setup();
    enable();
    wr(0x3e0, 0xb);
    wr(0x320, 0x20043);
    clock.advanceTo(0.1);
    wr(0x380, 1);
    for (let i = 0; i < 100; i++) {
      clock.advanceTo(clock.nextDeadline);
      clock.runDue();
      expect(clock.nextDeadline).toBeGreaterThan(clock.now);
      apic.acknowledge();
      wr(0xb0, 0);
    }
  });

  it('keeps counting while masked but delivers nothing', () => {
    const { apic, rd, wr, enable, runTo } = setup();
    enable();
    wr(0x3e0, 0xb);
    wr(0x320, 0x10050);
    wr(0x380, 50);
    runTo(20);
    expect(rd(0x390)).toBe(30);
    runTo(100);
    expect(apic.hasInterrupt()).toBe(false);
  });

  it('divide configuration change keeps the current count', () => {
    const { rd, wr, enable, runTo } = setup();
    enable();
    wr(0x3e0, 0xb);
    wr(0x320, 0x10050);
    wr(0x380, 1000);
    runTo(400);
    wr(0x3e0, 0x3); // divide by 16
    expect(rd(0x390)).toBe(600);
    runTo(400 + 160);
    expect(rd(0x390)).toBe(590);
  });
});

describe('LocalApic LINT0, masking and software disable', () => {
  it('masking LINT0 stops ExtINT', () => {
    const { apic, cpuPins, wr, enable } = setup();
    enable();
    cpuPins.setIntr(true);
    expect(apic.hasInterrupt()).toBe(true);
    wr(0x350, 0x10700);
    expect(apic.hasInterrupt()).toBe(false);
    wr(0x350, 0x8700);
    expect(apic.hasInterrupt()).toBe(true);
  });

  it('ExtINT bypasses PPR', () => {
    const { apic, cpuPins, wr, enable } = setup();
    enable();
    cpuPins.intController = { acknowledge: () => 0x09 };
    wr(0x80, 0xff);
    cpuPins.setIntr(true);
    expect(apic.acknowledge()).toBe(0x09);
  });

  it('software disable keeps IRR/ISR, masks every LVT and refuses new fixed interrupts', () => {
    const { apic, rd, wr, enable, cpuPins } = setup();
    enable();
    apic.deliver(fixed(0x70));
    apic.deliver(fixed(0x80));
    expect(apic.acknowledge()).toBe(0x80);
    wr(0xf0, 0xff);
    for (let off = 0x320; off <= 0x370; off += 0x10) expect(rd(off) & 0x10000).toBe(0x10000);
    // Unmasking is refused while disabled.
    wr(0x350, 0x700);
    expect(rd(0x350)).toBe(0x10700);
    cpuPins.setIntr(true);
    expect(apic.hasInterrupt()).toBe(false);
    apic.deliver(fixed(0x90));
    expect(rd(0x200 + 0x40)).toBe(0);
    expect(rd(0x200 + 0x30)).toBe(1 << 0x10);
    expect(rd(0x100 + 0x40)).toBe(1);
    enable();
    wr(0xb0, 0);
    expect(apic.acknowledge()).toBe(0x70);
  });
});

describe('LocalApic ICR', () => {
  it('self-IPI by shorthand and by physical destination', () => {
    const { apic, rd, wr, enable } = setup();
    enable();
    wr(0x300, 0x40000 | 0x33);
    expect(rd(0x300)).toBe(0x40033);
    expect(apic.acknowledge()).toBe(0x33);
    wr(0xb0, 0);
    wr(0x310, 0x00000000);
    wr(0x300, 0x34);
    expect(apic.acknowledge()).toBe(0x34);
    wr(0xb0, 0);
    wr(0x310, 0x05000000);
    wr(0x300, 0x35);
    expect(apic.hasInterrupt()).toBe(false);
  });

  it('all-including-self reaches us, all-excluding-self does not', () => {
    const { apic, apicBus, wr, enable } = setup();
    enable();
    const other: number[] = [];
    apicBus.addTarget({ accepts: () => true, deliver: (m) => other.push(m.vector) });
    wr(0x300, 0x80000 | 0x44);
    expect(apic.acknowledge()).toBe(0x44);
    wr(0xb0, 0);
    wr(0x300, 0xc0000 | 0x45);
    expect(apic.hasInterrupt()).toBe(false);
    expect(other).toEqual([0x44, 0x45]);
  });

  it('NMI IPI sets nmiPending; INIT and SIPI are recorded', () => {
    const { apic, wr, enable } = setup();
    enable();
    wr(0x300, 0x40400);
    expect(apic.nmiPending).toBe(true);
    apic.takeNmi();
    expect(apic.nmiPending).toBe(false);
    wr(0x300, 0x44500);
    expect(apic.initReceived).toBe(true);
    wr(0x300, 0x40699);
    expect(apic.sipiVector).toBe(0x99);
  });

  it('sending an illegal vector sets ESR bit 5 and sends nothing', () => {
    const { apic, rd, wr, enable } = setup();
    enable();
    wr(0x300, 0x40005);
    expect(apic.hasInterrupt()).toBe(false);
    wr(0x280, 0);
    expect(rd(0x280)).toBe(0x20);
  });

  it('logical destinations: flat and cluster', () => {
    const { apic, wr } = setup();
    wr(0xd0, 0x12000000);
    expect(apic.accepts(0x02, 1)).toBe(true);
    expect(apic.accepts(0x21, 1)).toBe(false);
    wr(0xe0, 0x0fffffff);
    expect(apic.accepts(0x12, 1)).toBe(true);
    expect(apic.accepts(0x13, 1)).toBe(true);
    expect(apic.accepts(0x22, 1)).toBe(false);
    expect(apic.accepts(0xff, 1)).toBe(true);
  });
});
