/** OCW3 bits. */
const OCW3_RR = 0x02;
const OCW3_RIS = 0x01;
const OCW3_P = 0x04;
const OCW3_ESMM = 0x40;
const OCW3_SMM = 0x20;
/** ICW1 bits. */
const ICW1_IC4 = 0x01;
const ICW1_SNGL = 0x02;
const ICW1_LTIM = 0x08;
/** ICW4 bits. */
const ICW4_AEOI = 0x02;
const ICW4_SFNM = 0x10;

/** Which initialization word the data port expects next. */
enum Init {
  Ready,
  Icw2,
  Icw3,
  Icw4,
}

/**
 * One 8259A programmable interrupt controller. Inputs are levels; in edge
 * mode a rising edge latches the request in IRR (as QEMU does, so a device
 * may pulse its line), in level mode (ICW1 LTIM or the PIIX3's ELCR) IRR
 * follows the line.
 */
export class I8259 {
  /** Interrupt Request Register. */
  irr = 0;
  /** In-Service Register. */
  isr = 0;
  /** Interrupt Mask Register (OCW1). */
  imr = 0;
  /** Edge/Level Control Register bits this chip's inputs see (written by the PIIX3 ELCR ports). */
  elcr = 0;
  /** The IR with the lowest priority is `(lowestPriority + 7) & 7`: rotation moves this. */
  priorityBase = 0;
  vectorBase = 0;
  icw3 = 0;
  icw4 = 0;
  ltim = false;
  autoEoi = false;
  rotateOnAutoEoi = false;
  specialFullyNested = false;
  specialMask = false;
  readIsr = false;
  poll = false;
  single = false;
  needIcw4 = false;
  init: Init = Init.Ready;
  /** Input line levels, for edge detection. */
  private lines = 0;

  constructor(
    readonly isMaster: boolean,
    /** Called whenever the INT output may have changed. */
    private readonly onChange: () => void,
  ) {}

  reset(): void {
    this.irr = 0;
    this.isr = 0;
    this.imr = 0;
    this.elcr = 0;
    this.initialize(0);
    this.init = Init.Ready;
  }

  setInput(pin: number, level: boolean): void {
    this.setLine(pin, level);
    this.onChange();
  }

  /** Drives input `pin` without notifying: the pair uses it for the cascade line while updating. */
  setLine(pin: number, level: boolean): void {
    const mask = 1 << pin;
    if (this.ltim || this.elcr & mask) {
      if (level) this.irr |= mask;
      else this.irr &= ~mask;
    } else if (level && !(this.lines & mask)) {
      this.irr |= mask;
    }
    if (level) this.lines |= mask;
    else this.lines &= ~mask;
  }

  /** Priority rank (0 highest) of the highest-priority bit of `mask`, or 8 for none. */
  private rank(mask: number): number {
    if (mask === 0) return 8;
    let r = 0;
    while (!(mask & (1 << ((r + this.priorityBase) & 7)))) r++;
    return r;
  }

  /** The IR that would interrupt now, or -1. */
  pending(): number {
    const req = this.irr & ~this.imr;
    const r = this.rank(req);
    if (r === 8) return -1;
    let inService = this.isr;
    if (this.specialMask) inService &= ~this.imr;
    // In special fully nested mode the master lets a slave interrupt nest over its own cascade IR.
    if (this.specialFullyNested && this.isMaster) inService &= ~(1 << 2);
    return r < this.rank(inService) ? (r + this.priorityBase) & 7 : -1;
  }

  /** INTA: marks `ir` in service and returns its vector. */
  acknowledge(ir: number): number {
    const mask = 1 << ir;
    if (this.autoEoi) {
      if (this.rotateOnAutoEoi) this.priorityBase = (ir + 1) & 7;
    } else {
      this.isr |= mask;
    }
    if (!(this.ltim || this.elcr & mask)) this.irr &= ~mask;
    return (this.vectorBase + ir) & 0xff;
  }

  /** The vector of a spurious interrupt: IR7's, without setting ISR. */
  get spuriousVector(): number {
    return (this.vectorBase + 7) & 0xff;
  }

  /** Poll command: acknowledges the highest request and answers 0x80 | IR, or 0 for none. */
  pollRead(): number {
    this.poll = false;
    const ir = this.pending();
    if (ir < 0) return 0;
    this.acknowledge(ir);
    this.onChange();
    return 0x80 | ir;
  }

  read(port: number): number {
    if (this.poll) return this.pollRead();
    if (port === 1) return this.imr;
    return this.readIsr ? this.isr : this.irr;
  }

  write(port: number, value: number): void {
    if (port === 0) {
      if (value & 0x10) this.initialize(value);
      else if (value & 0x08) this.ocw3(value);
      else this.ocw2(value);
    } else {
      switch (this.init) {
        case Init.Ready:
          this.imr = value;
          break;
        case Init.Icw2:
          this.vectorBase = value & 0xf8;
          this.init = this.single ? (this.needIcw4 ? Init.Icw4 : Init.Ready) : Init.Icw3;
          break;
        case Init.Icw3:
          this.icw3 = value;
          this.init = this.needIcw4 ? Init.Icw4 : Init.Ready;
          break;
        case Init.Icw4:
          this.icw4 = value;
          this.autoEoi = (value & ICW4_AEOI) !== 0;
          this.specialFullyNested = (value & ICW4_SFNM) !== 0;
          this.init = Init.Ready;
          break;
      }
    }
    this.onChange();
  }

  /** ICW1: clears the mask, ISR and edge latches; IR7 gets the lowest priority. */
  private initialize(icw1: number): void {
    this.init = Init.Icw2;
    this.needIcw4 = (icw1 & ICW1_IC4) !== 0;
    this.single = (icw1 & ICW1_SNGL) !== 0;
    this.ltim = (icw1 & ICW1_LTIM) !== 0;
    this.imr = 0;
    this.isr = 0;
    this.irr &= this.ltim ? this.lines : this.elcr & this.lines;
    this.priorityBase = 0;
    this.specialMask = false;
    this.readIsr = false;
    this.poll = false;
    this.autoEoi = false;
    this.rotateOnAutoEoi = false;
    this.specialFullyNested = false;
    this.icw3 = 0;
    this.icw4 = 0;
    this.vectorBase = 0;
  }

  private ocw2(value: number): void {
    const ir = value & 7;
    switch (value >> 5) {
      case 0: // rotate in automatic EOI mode (clear)
        this.rotateOnAutoEoi = false;
        break;
      case 4: // rotate in automatic EOI mode (set)
        this.rotateOnAutoEoi = true;
        break;
      case 1: // non-specific EOI
      case 5: {
        // rotate on non-specific EOI
        const r = this.rank(this.isr);
        if (r === 8) break;
        const served = (r + this.priorityBase) & 7;
        this.isr &= ~(1 << served);
        if (value >> 5 === 5) this.priorityBase = (served + 1) & 7;
        break;
      }
      case 3: // specific EOI
        this.isr &= ~(1 << ir);
        break;
      case 7: // rotate on specific EOI
        this.isr &= ~(1 << ir);
        this.priorityBase = (ir + 1) & 7;
        break;
      case 6: // set priority: IR `ir` becomes the lowest
        this.priorityBase = (ir + 1) & 7;
        break;
      default: // 2: no operation
        break;
    }
  }

  private ocw3(value: number): void {
    if (value & OCW3_P) this.poll = true;
    if (value & OCW3_RR) this.readIsr = (value & OCW3_RIS) !== 0;
    if (value & OCW3_ESMM) this.specialMask = (value & OCW3_SMM) !== 0;
  }
}
