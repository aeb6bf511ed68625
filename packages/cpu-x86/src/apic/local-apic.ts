import {
  type ApicBus,
  type ApicMessage,
  type ApicTarget,
  type Clock,
  type CpuPins,
  DeliveryMode,
  type MmioHandler,
  type PhysicalMemory,
  type Timer,
  TimeSource,
} from '@plugboard/core';
import {
  APIC_BASE_BSP,
  APIC_BASE_DEFAULT,
  APIC_BASE_ENABLE,
  APIC_BASE_HIGH_WRITABLE,
  APIC_BASE_LOW_WRITABLE,
  DIVIDE_CONFIG_MASK,
  ESR_ILLEGAL_REGISTER_ADDRESS,
  ESR_RECEIVE_ILLEGAL_VECTOR,
  ESR_SEND_ILLEGAL_VECTOR,
  ICR_DEST_LOGICAL,
  ICR_LEVEL_ASSERT,
  ICR_SHORTHAND_SHIFT,
  ICR_TRIGGER_LEVEL,
  ICR_WRITABLE,
  LAPIC,
  LVT_COUNT,
  LVT_LEVEL_TRIGGER,
  LVT_MASKED,
  LVT_TIMER_PERIODIC,
  LVT_WRITABLE,
  Lvt,
  Shorthand,
  SVR_APIC_ENABLED,
  SVR_FOCUS_DISABLED,
  SVR_VECTOR_LOW_ONES,
} from './registers.js';

export interface LocalApicOptions {
  /** Initial APIC ID (also what a reset restores). */
  id: number;
  /** Low byte of the version register; 0x14 is what QEMU reports and what XNU insists on. */
  version: number;
  /** Sets IA32_APIC_BASE.BSP and the virtual-wire LINT0/LINT1 state at reset. */
  bsp: boolean;
  clock: Clock;
  apicBus: ApicBus;
  cpuPins: CpuPins;
  memory: PhysicalMemory;
}

/** Highest LVT entry index the version register reports: QEMU's six entries (timer .. error). */
const MAX_LVT_ENTRY = LVT_COUNT - 1;
const PAGE = 0x1000;
const LVT_DELIVERY_FIXED = 0;
/** What a virtual-wire BIOS leaves in LINT0 (ExtINT) and LINT1 (NMI), both unmasked. */
const LINT0_VIRTUAL_WIRE = DeliveryMode.ExtINT << 8;
const LINT1_VIRTUAL_WIRE = DeliveryMode.NMI << 8;

/**
 * A P6-family xAPIC (Intel SDM vol. 3, chapter 10).
 *
 * The CPU core asks it, between instructions, `nmiPending` then
 * `hasInterrupt()`; on an interrupt window it runs `acknowledge()` (the INTA
 * cycle) and dispatches the vector it returns. The APIC stands between the
 * core and `CpuPins` in every state: globally disabled (IA32_APIC_BASE bit 11
 * clear) it passes INTR/NMI and INTA straight through, so the core needs no
 * second path. It registers itself on the `ApicBus` as a target.
 *
 * At reset the BSP's APIC is globally enabled at 0xFEE00000 but software
 * disabled (SVR bit 8 clear), with LINT0 = ExtINT and LINT1 = NMI unmasked
 * (virtual wire mode, as QEMU presets LINT0), so the 8259 reaches the CPU
 * before any software touches the APIC. Software-disabling it later through
 * SVR masks every LVT entry, as the SDM says, and keeps IRR/ISR.
 *
 * Timer: the count runs at a 1 GHz bus clock divided by the divide
 * configuration (QEMU's rate), computed from `clock.now`; one core `Timer`
 * fires at each expiry, nothing polls.
 *
 * LINT0 in Fixed delivery mode (a level on INTR turned into a vector) is not
 * modelled: only ExtINT and NMI on the pins.
 */
export class LocalApic implements ApicTarget {
  readonly bsp: boolean;
  readonly version: number;
  private readonly initialId: number;
  private readonly clock: Clock;
  private readonly apicBus: ApicBus;
  private readonly pins: CpuPins;
  private readonly memory: PhysicalMemory;
  private readonly timer: Timer;
  private readonly mmio: MmioHandler;

  /** IA32_APIC_BASE low word (page frame, BSP, enable) and high word (bits 32-35). */
  private baseLow = 0;
  private baseHigh = 0;
  /** Where the MMIO page is mapped now, or -1. */
  private mappedAt = -1;

  private id = 0;
  private tpr = 0;
  private ldr = 0;
  /** DFR bits 28-31: 0xF flat, 0x0 cluster. */
  private dfrModel = 0xf;
  private svr = 0;
  private readonly irr = new Uint32Array(8);
  private readonly isr = new Uint32Array(8);
  private readonly tmr = new Uint32Array(8);
  /** Errors since the last ESR write (the visible ESR latches them on write). */
  private errors = 0;
  private esr = 0;
  private icrLow = 0;
  private icrHigh = 0;
  private readonly lvt = new Uint32Array(LVT_COUNT);
  private initialCount = 0;
  private divideConfig = 0;
  // What the CPU polls every instruction, recomputed by `refresh()` whenever
  // IRR, ISR, TPR, SVR, LINT0/LINT1 or the base change.
  /** The INTR pin reaches the CPU as ExtINT: APIC globally disabled, or LINT0 unmasked in ExtINT mode. */
  private intrFromPin = false;
  /** The NMI pin reaches the CPU: APIC globally disabled, or LINT1 unmasked in NMI mode. */
  private nmiFromPin = false;
  /** A fixed interrupt above PPR, or an ExtINT message, waits. */
  private pending = false;
  /** `clock.now` when the current count was last loaded with the initial count. */
  private countLoadTime = 0;
  /** Edge-triggered NMIs (NMI messages, LINT1 in NMI mode) not yet taken. */
  private nmiLatched = false;
  /** An ExtINT message (from an I/O APIC pin in ExtINT mode) waiting for INTA. */
  private extIntMessage = false;
  /** Set while sending an all-excluding-self IPI, so `accepts` refuses it here. */
  private sendingExcludingSelf = false;
  /** Last INIT and SIPI received, for an SMP core to act on. */
  initReceived = false;
  sipiVector = -1;

  constructor(opts: LocalApicOptions) {
    this.initialId = opts.id & 0xff;
    this.version = opts.version & 0xff;
    this.bsp = opts.bsp;
    this.clock = opts.clock;
    this.apicBus = opts.apicBus;
    this.pins = opts.cpuPins;
    this.memory = opts.memory;
    this.timer = opts.clock.createTimer(`lapic${this.initialId}`, () => this.timerExpired());
    this.mmio = {
      read8: (offset) => (this.readRegister(offset & ~3) >>> ((offset & 3) * 8)) & 0xff,
      read16: (offset) => (this.readRegister(offset & ~3) >>> ((offset & 2) * 8)) & 0xffff,
      read32: (offset) => this.readRegister(offset),
      // The SDM guarantees only aligned 32-bit stores; narrower ones are dropped, as QEMU does.
      write8: () => {},
      write16: () => {},
      write32: (offset, value) => this.writeRegister(offset, value),
    };
    opts.apicBus.addTarget(this);
    this.reset();
  }

  /** Power-on or RESET#: everything, including base and ID. */
  reset(): void {
    this.baseLow = APIC_BASE_DEFAULT | APIC_BASE_ENABLE | (this.bsp ? APIC_BASE_BSP : 0);
    this.baseHigh = 0;
    this.id = this.initialId;
    this.tpr = 0;
    this.ldr = 0;
    this.dfrModel = 0xf;
    this.svr = 0xff;
    this.irr.fill(0);
    this.isr.fill(0);
    this.tmr.fill(0);
    this.errors = 0;
    this.esr = 0;
    this.icrLow = 0;
    this.icrHigh = 0;
    this.lvt.fill(LVT_MASKED);
    if (this.bsp) {
      this.lvt[Lvt.Lint0] = LINT0_VIRTUAL_WIRE;
      this.lvt[Lvt.Lint1] = LINT1_VIRTUAL_WIRE;
    }
    this.initialCount = 0;
    this.divideConfig = 0;
    this.countLoadTime = this.clock.now;
    this.timer.cancel();
    this.nmiLatched = false;
    this.extIntMessage = false;
    this.sendingExcludingSelf = false;
    this.initReceived = false;
    this.sipiVector = -1;
    this.remap();
    this.refresh();
  }

  get globallyEnabled(): boolean {
    return (this.baseLow & APIC_BASE_ENABLE) !== 0;
  }

  get softwareEnabled(): boolean {
    return (this.svr & SVR_APIC_ENABLED) !== 0;
  }

  /** Physical address of the register page. */
  get base(): number {
    return (this.baseLow & 0xfffff000) >>> 0;
  }

  // ---- CPU side -------------------------------------------------------

  /** An NMI is waiting: from an NMI message, or the NMI pin through LINT1 (or straight, when disabled). */
  get nmiPending(): boolean {
    return this.nmiLatched || (this.pins.nmi && this.nmiFromPin);
  }

  /** The CPU starts NMI delivery: clears the latch and the pin's edge. */
  takeNmi(): void {
    this.nmiLatched = false;
    if (this.nmiFromPin) this.pins.nmi = false;
  }

  /** A maskable interrupt is waiting: ExtINT from the 8259, or a fixed vector above PPR. */
  hasInterrupt(): boolean {
    return this.pending || (this.intrFromPin && this.pins.intr);
  }

  /** The INTA cycle: the vector to dispatch. ExtINT asks the 8259; nothing deliverable gives the spurious vector. */
  acknowledge(): number {
    if (this.intrFromPin && this.pins.intr) return this.pins.acknowledge();
    if (this.extIntMessage) {
      this.extIntMessage = false;
      this.refresh();
      return this.pins.acknowledge();
    }
    if (!this.pending) return this.svr & 0xff;
    const v = highest(this.irr);
    clearBit(this.irr, v);
    setBit(this.isr, v);
    this.refresh();
    return v;
  }

  /** IA32_APIC_BASE as [low, high] words. */
  readBase(): [number, number] {
    return [this.baseLow >>> 0, this.baseHigh];
  }

  /**
   * WRMSR IA32_APIC_BASE. Returns false (the caller raises #GP) when reserved
   * bits are set. Once cleared, the enable bit stays clear until reset, as on P6.
   */
  writeBase(low: number, high: number): boolean {
    low >>>= 0;
    high >>>= 0;
    if ((low & ~(APIC_BASE_LOW_WRITABLE | APIC_BASE_BSP)) !== 0 || (high & ~APIC_BASE_HIGH_WRITABLE) !== 0) {
      return false;
    }
    const enable = (low & APIC_BASE_ENABLE) !== 0 && this.globallyEnabled;
    this.baseLow =
      ((low & 0xfffff000) | (this.baseLow & APIC_BASE_BSP) | (enable ? APIC_BASE_ENABLE : 0)) >>> 0;
    this.baseHigh = high;
    if (!enable) this.softwareDisable();
    this.remap();
    this.refresh();
    return true;
  }

  // ---- APIC bus side --------------------------------------------------

  accepts(destination: number, destinationMode: number): boolean {
    if (!this.globallyEnabled || this.sendingExcludingSelf) return false;
    destination &= 0xff;
    if (destinationMode === 0) return destination === 0xff || destination === this.id;
    if (destination === 0xff) return true;
    if (this.dfrModel === 0xf) return (destination & this.ldr) !== 0;
    return (destination & 0xf0) === (this.ldr & 0xf0) && (destination & this.ldr & 0x0f) !== 0;
  }

  deliver(message: ApicMessage): void {
    switch (message.deliveryMode) {
      case DeliveryMode.Fixed:
      case DeliveryMode.LowestPriority:
        this.acceptVector(message.vector & 0xff, message.triggerMode === 1);
        break;
      case DeliveryMode.NMI:
        this.nmiLatched = true;
        this.pins.attention = true;
        this.pins.onWake?.();
        break;
      case DeliveryMode.INIT:
        this.initReceived = true;
        break;
      case DeliveryMode.StartUp:
        this.sipiVector = message.vector & 0xff;
        break;
      case DeliveryMode.ExtINT:
        this.extIntMessage = true;
        this.refresh();
        this.pins.onWake?.();
        break;
      // SMI: no SMM.
    }
  }

  // ---- registers ------------------------------------------------------

  /** Reads the 32-bit register at `offset` (low 4 bits select bytes within it; 4-15 read 0). */
  readRegister(offset: number): number {
    if ((offset & 0xf) !== 0) return 0;
    switch (offset) {
      case LAPIC.ID:
        return (this.id << 24) >>> 0;
      case LAPIC.VERSION:
        return (MAX_LVT_ENTRY << 16) | this.version;
      case LAPIC.TPR:
        return this.tpr;
      case LAPIC.APR:
        return this.apr();
      case LAPIC.PPR:
        return this.ppr();
      case LAPIC.EOI:
      case LAPIC.RRD:
        return 0;
      case LAPIC.LDR:
        return (this.ldr << 24) >>> 0;
      case LAPIC.DFR:
        return ((this.dfrModel << 28) | 0x0fffffff) >>> 0;
      case LAPIC.SVR:
        return this.svr;
      case LAPIC.ESR:
        return this.esr;
      case LAPIC.ICR_LOW:
        return this.icrLow;
      case LAPIC.ICR_HIGH:
        return this.icrHigh;
      case LAPIC.TIMER_INITIAL_COUNT:
        return this.initialCount;
      case LAPIC.TIMER_CURRENT_COUNT:
        this.clock.polls.timeRead(TimeSource.apicTimer);
        return this.currentCount();
      case LAPIC.TIMER_DIVIDE_CONFIG:
        return this.divideConfig;
    }
    if (offset >= LAPIC.ISR && offset < LAPIC.ISR + 0x80) return this.isr[(offset - LAPIC.ISR) >> 4];
    if (offset >= LAPIC.TMR && offset < LAPIC.TMR + 0x80) return this.tmr[(offset - LAPIC.TMR) >> 4];
    if (offset >= LAPIC.IRR && offset < LAPIC.IRR + 0x80) return this.irr[(offset - LAPIC.IRR) >> 4];
    if (offset >= LAPIC.LVT_TIMER && offset < LAPIC.LVT_TIMER + LVT_COUNT * 0x10) {
      return this.lvt[(offset - LAPIC.LVT_TIMER) >> 4];
    }
    this.error(ESR_ILLEGAL_REGISTER_ADDRESS);
    return 0;
  }

  writeRegister(offset: number, value: number): void {
    value >>>= 0;
    if ((offset & 0xf) !== 0) return;
    switch (offset) {
      case LAPIC.ID:
        this.id = value >>> 24;
        return;
      case LAPIC.TPR:
        this.tpr = value & 0xff;
        this.refresh();
        return;
      case LAPIC.EOI:
        this.endOfInterrupt();
        return;
      case LAPIC.LDR:
        this.ldr = value >>> 24;
        return;
      case LAPIC.DFR:
        this.dfrModel = value >>> 28;
        return;
      case LAPIC.SVR:
        this.writeSvr(value);
        return;
      case LAPIC.ESR:
        this.esr = this.errors;
        this.errors = 0;
        return;
      case LAPIC.ICR_LOW:
        this.icrLow = value & ICR_WRITABLE;
        this.sendIpi();
        return;
      case LAPIC.ICR_HIGH:
        this.icrHigh = value & 0xff000000;
        return;
      case LAPIC.TIMER_INITIAL_COUNT:
        this.initialCount = value;
        this.countLoadTime = this.clock.now;
        this.armTimer();
        return;
      case LAPIC.TIMER_DIVIDE_CONFIG:
        this.writeDivideConfig(value);
        return;
      case LAPIC.VERSION:
      case LAPIC.APR:
      case LAPIC.PPR:
      case LAPIC.RRD:
      case LAPIC.TIMER_CURRENT_COUNT:
        return;
    }
    if (offset >= LAPIC.LVT_TIMER && offset < LAPIC.LVT_TIMER + LVT_COUNT * 0x10) {
      this.writeLvt((offset - LAPIC.LVT_TIMER) >> 4, value);
      return;
    }
    if (offset >= LAPIC.ISR && offset < LAPIC.IRR + 0x80) return;
    this.error(ESR_ILLEGAL_REGISTER_ADDRESS);
  }

  /** Processor priority (SDM 10.8.3.1). */
  ppr(): number {
    const isrv = Math.max(highest(this.isr), 0) & 0xf0;
    return (this.tpr & 0xf0) >= isrv ? this.tpr : isrv;
  }

  /** Arbitration priority (SDM 10.6.2.4). */
  apr(): number {
    const isrv = Math.max(highest(this.isr), 0) & 0xf0;
    const irrv = Math.max(highest(this.irr), 0) & 0xf0;
    const tprClass = this.tpr & 0xf0;
    if (tprClass >= irrv && tprClass > isrv) return this.tpr;
    return Math.max(tprClass, isrv, irrv);
  }

  currentCount(): number {
    const initial = this.initialCount;
    if (initial === 0) return 0;
    const elapsed = this.elapsedTicks();
    if ((this.lvt[Lvt.Timer] & LVT_TIMER_PERIODIC) !== 0) return initial - (elapsed % initial);
    return elapsed >= initial ? 0 : initial - elapsed;
  }

  info(): string {
    const hex = (v: number, w = 8) => v.toString(16).padStart(w, '0');
    const words = (a: Uint32Array) =>
      Array.from(a, (w) => hex(w))
        .reverse()
        .join('');
    return [
      `lapic id=${this.id} base=${hex(this.baseHigh, 1)}${hex(this.baseLow)} svr=${hex(this.svr, 3)} tpr=${hex(this.tpr, 2)} ppr=${hex(this.ppr(), 2)}`,
      `  irr=${words(this.irr)}`,
      `  isr=${words(this.isr)}`,
      `  lvt=${Array.from(this.lvt, (v) => hex(v)).join(' ')} timer init=${this.initialCount} cur=${this.currentCount()} dcr=${this.divideConfig}`,
    ].join('\n');
  }

  /** Its registers were loaded from a snapshot: maps the window where the base register says. */
  stateLoaded(): void {
    this.remap();
    this.refresh();
  }

  // ---- internals ------------------------------------------------------

  /** Recomputes what the CPU polls. Called on every change of IRR, ISR, TPR, SVR, the LVT or the base. */
  private refresh(): void {
    const enabled = this.globallyEnabled;
    const lint0 = this.lvt[Lvt.Lint0];
    const lint1 = this.lvt[Lvt.Lint1];
    this.intrFromPin =
      !enabled || ((lint0 & LVT_MASKED) === 0 && ((lint0 >>> 8) & 7) === DeliveryMode.ExtINT);
    this.nmiFromPin = !enabled || ((lint1 & LVT_MASKED) === 0 && ((lint1 >>> 8) & 7) === DeliveryMode.NMI);
    if (!enabled) this.extIntMessage = false;
    const v = highest(this.irr);
    this.pending =
      this.extIntMessage || (enabled && this.softwareEnabled && v >= 0 && (v & 0xf0) > (this.ppr() & 0xf0));
    this.pins.attention = true;
  }

  private remap(): void {
    const want = this.globallyEnabled ? this.base : -1;
    if (want === this.mappedAt) return;
    if (this.mappedAt >= 0) this.memory.unmap(this.mappedAt, PAGE);
    if (want >= 0) this.memory.mapMmio(`lapic${this.initialId}`, want, PAGE, this.mmio);
    this.mappedAt = want;
  }

  private writeSvr(value: number): void {
    const wasEnabled = this.softwareEnabled;
    this.svr = (value & (0xff | SVR_APIC_ENABLED | SVR_FOCUS_DISABLED)) | SVR_VECTOR_LOW_ONES;
    if (wasEnabled && !this.softwareEnabled) this.softwareDisable();
    this.refresh();
  }

  /** SVR bit 8 cleared (or the APIC globally disabled): every LVT entry masked; IRR and ISR are kept. */
  private softwareDisable(): void {
    this.svr &= ~SVR_APIC_ENABLED;
    for (let i = 0; i < LVT_COUNT; i++) this.lvt[i] |= LVT_MASKED;
  }

  private writeLvt(index: number, value: number): void {
    let v = (value & LVT_WRITABLE[index]) >>> 0;
    if (!this.softwareEnabled) v |= LVT_MASKED;
    this.lvt[index] = v;
    if (index === Lvt.Timer) this.armTimer();
    this.refresh();
  }

  private writeDivideConfig(value: number): void {
    // Keep the current count where it is: rebase the load time under the new divisor.
    const current = this.currentCount();
    this.divideConfig = value & DIVIDE_CONFIG_MASK;
    if (this.initialCount !== 0) {
      this.countLoadTime = this.clock.now - (this.initialCount - current) * this.divisor();
      this.armTimer();
    }
  }

  private divisor(): number {
    const dc = this.divideConfig;
    return 1 << ((((dc & 3) | ((dc >> 1) & 4)) + 1) & 7);
  }

  private elapsedTicks(): number {
    return Math.floor((this.clock.now - this.countLoadTime) / this.divisor());
  }

  /** Schedules the next expiry of the count, or none (count 0, one-shot already expired). */
  private armTimer(): void {
    const initial = this.initialCount;
    if (initial === 0) {
      this.timer.cancel();
      return;
    }
    const elapsed = this.elapsedTicks();
    const div = this.divisor();
    if ((this.lvt[Lvt.Timer] & LVT_TIMER_PERIODIC) !== 0) {
      // Times are fractional (the 8254's ticks, fast-forward): the elapsed ticks are floored, so the
      // next period's end can round to `now` itself; it must lie ahead, or the expiry re-arms at `now`.
      const period = initial * div;
      let deadline = this.countLoadTime + (Math.floor(elapsed / initial) + 1) * period;
      if (deadline <= this.clock.now) deadline += period;
      this.timer.arm(deadline);
    } else if (elapsed < initial) {
      this.timer.arm(this.countLoadTime + initial * div);
    } else {
      this.timer.cancel();
    }
  }

  private timerExpired(): void {
    this.localInterrupt(Lvt.Timer);
    if ((this.lvt[Lvt.Timer] & LVT_TIMER_PERIODIC) !== 0) this.armTimer();
  }

  /** An interrupt from a local source through its LVT entry. */
  private localInterrupt(index: number): void {
    const entry = this.lvt[index];
    if ((entry & LVT_MASKED) !== 0) return;
    const mode = (entry >>> 8) & 7;
    if (index === Lvt.Timer || index === Lvt.Error || mode === LVT_DELIVERY_FIXED) {
      this.acceptVector(entry & 0xff, index !== Lvt.Timer && (entry & LVT_LEVEL_TRIGGER) !== 0);
    } else if (mode === DeliveryMode.NMI) {
      this.nmiLatched = true;
      this.pins.attention = true;
      this.pins.onWake?.();
    }
  }

  private acceptVector(vector: number, level: boolean): void {
    if (vector < 16) {
      this.error(ESR_RECEIVE_ILLEGAL_VECTOR);
      return;
    }
    // A software-disabled APIC takes only NMI, INIT, SIPI and SMI (SDM 10.4.7.2).
    if (!this.softwareEnabled) return;
    setBit(this.irr, vector);
    if (level) setBit(this.tmr, vector);
    else clearBit(this.tmr, vector);
    this.refresh();
    this.pins.onWake?.();
  }

  private error(bit: number): void {
    // An error raised while delivering the error interrupt itself does not recurse: the bit is just kept.
    const first = (this.errors & bit) === 0;
    this.errors |= bit;
    if (first) this.localInterrupt(Lvt.Error);
  }

  private endOfInterrupt(): void {
    const v = highest(this.isr);
    if (v < 0) return;
    clearBit(this.isr, v);
    this.refresh();
    if (testBit(this.tmr, v)) this.apicBus.broadcastEoi(v);
  }

  private sendIpi(): void {
    const icr = this.icrLow;
    const vector = icr & 0xff;
    const deliveryMode = (icr >>> 8) & 7;
    const triggerLevel = (icr & ICR_TRIGGER_LEVEL) !== 0;
    // INIT level de-assert only resynchronises arbitration IDs.
    if (deliveryMode === DeliveryMode.INIT && triggerLevel && (icr & ICR_LEVEL_ASSERT) === 0) return;
    if (
      (deliveryMode === DeliveryMode.Fixed || deliveryMode === DeliveryMode.LowestPriority) &&
      vector < 16
    ) {
      this.error(ESR_SEND_ILLEGAL_VECTOR);
      return;
    }
    const message: ApicMessage = {
      destination: this.icrHigh >>> 24,
      destinationMode: (icr & ICR_DEST_LOGICAL) !== 0 ? 1 : 0,
      deliveryMode,
      vector,
      triggerMode: triggerLevel ? 1 : 0,
    };
    switch ((icr >>> ICR_SHORTHAND_SHIFT) & 3) {
      case Shorthand.None:
        this.apicBus.send(message);
        break;
      case Shorthand.Self:
        this.deliver(message);
        break;
      case Shorthand.AllIncludingSelf:
        this.apicBus.send({ ...message, destination: 0xff, destinationMode: 0 });
        break;
      case Shorthand.AllExcludingSelf:
        this.sendingExcludingSelf = true;
        try {
          this.apicBus.send({ ...message, destination: 0xff, destinationMode: 0 });
        } finally {
          this.sendingExcludingSelf = false;
        }
        break;
    }
  }
}

/** Highest set bit of a 256-bit register, or -1. */
function highest(bits: Uint32Array): number {
  for (let i = 7; i >= 0; i--) {
    const w = bits[i];
    if (w !== 0) return i * 32 + 31 - Math.clz32(w);
  }
  return -1;
}

function setBit(bits: Uint32Array, n: number): void {
  bits[n >>> 5] |= 1 << (n & 31);
}

function clearBit(bits: Uint32Array, n: number): void {
  bits[n >>> 5] &= ~(1 << (n & 31));
}

function testBit(bits: Uint32Array, n: number): boolean {
  return (bits[n >>> 5] & (1 << (n & 31))) !== 0;
}
