/**
 * Local APIC register offsets within its 4 KiB page and the bits the model
 * uses, as the Intel SDM vol. 3, chapter 10 (table 10-1) names them.
 */
export const LAPIC = {
  ID: 0x020,
  VERSION: 0x030,
  TPR: 0x080,
  APR: 0x090,
  PPR: 0x0a0,
  EOI: 0x0b0,
  RRD: 0x0c0,
  LDR: 0x0d0,
  DFR: 0x0e0,
  SVR: 0x0f0,
  ISR: 0x100,
  TMR: 0x180,
  IRR: 0x200,
  ESR: 0x280,
  ICR_LOW: 0x300,
  ICR_HIGH: 0x310,
  /** First of the six LVT entries, 16 bytes apart: timer, thermal, perf, LINT0, LINT1, error. */
  LVT_TIMER: 0x320,
  TIMER_INITIAL_COUNT: 0x380,
  TIMER_CURRENT_COUNT: 0x390,
  TIMER_DIVIDE_CONFIG: 0x3e0,
} as const;

/** Index of an LVT entry in the model's `lvt` array (its register is LVT_TIMER + 16 * index). */
export const Lvt = {
  Timer: 0,
  Thermal: 1,
  Perf: 2,
  Lint0: 3,
  Lint1: 4,
  Error: 5,
} as const;
export const LVT_COUNT = 6;

/** Bits of writable LVT fields per entry: the SDM's figure 10-8 layout. */
export const LVT_WRITABLE = Uint32Array.of(
  0x000300ff, // timer: vector, mask, periodic
  0x000107ff, // thermal: vector, delivery mode, mask
  0x000107ff, // performance counter: vector, delivery mode, mask
  0x0001a7ff, // LINT0: vector, delivery mode, polarity, trigger mode, mask
  0x0001a7ff, // LINT1: the same
  0x000100ff, // error: vector, mask
);

export const LVT_MASKED = 1 << 16;
export const LVT_TIMER_PERIODIC = 1 << 17;
export const LVT_LEVEL_TRIGGER = 1 << 15;
export const LVT_REMOTE_IRR = 1 << 14;

export const SVR_APIC_ENABLED = 1 << 8;
export const SVR_FOCUS_DISABLED = 1 << 9;
/** P6 and Pentium hardwire spurious vector bits 0-3 to 1 (SDM 10.9). */
export const SVR_VECTOR_LOW_ONES = 0x0f;

export const ESR_SEND_ILLEGAL_VECTOR = 1 << 5;
export const ESR_RECEIVE_ILLEGAL_VECTOR = 1 << 6;
export const ESR_ILLEGAL_REGISTER_ADDRESS = 1 << 7;

/** ICR low word fields. */
export const ICR_WRITABLE = 0x000ccfff;
export const ICR_DEST_LOGICAL = 1 << 11;
export const ICR_LEVEL_ASSERT = 1 << 14;
export const ICR_TRIGGER_LEVEL = 1 << 15;
export const ICR_SHORTHAND_SHIFT = 18;
export const Shorthand = { None: 0, Self: 1, AllIncludingSelf: 2, AllExcludingSelf: 3 } as const;

/** IA32_APIC_BASE (MSR 0x1B) bits. */
export const APIC_BASE_BSP = 1 << 8;
export const APIC_BASE_ENABLE = 1 << 11;
export const APIC_BASE_DEFAULT = 0xfee00000;
/** Writable bits: the page frame below the 36-bit physical address limit, and the enable bit. */
export const APIC_BASE_LOW_WRITABLE = 0xfffff000 | APIC_BASE_ENABLE;
export const APIC_BASE_HIGH_WRITABLE = 0x0000000f;

/** Divide configuration register bits 0, 1 and 3 (bit 2 is reserved). */
export const DIVIDE_CONFIG_MASK = 0x0b;
