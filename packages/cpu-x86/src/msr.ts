import { type CpuidModel, cpuid, Feature } from './cpuid.js';

/** Model-specific register numbers (SDM vol. 4), as the SDM names them. */
export const MSR = {
  IA32_TIME_STAMP_COUNTER: 0x10,
  IA32_PLATFORM_ID: 0x17,
  IA32_APIC_BASE: 0x1b,
  IA32_BIOS_UPDT_TRIG: 0x79,
  IA32_BIOS_SIGN_ID: 0x8b,
  PERFCTR0: 0xc1,
  PERFCTR1: 0xc2,
  IA32_MTRRCAP: 0xfe,
  IA32_SYSENTER_CS: 0x174,
  IA32_SYSENTER_ESP: 0x175,
  IA32_SYSENTER_EIP: 0x176,
  EVNTSEL0: 0x186,
  EVNTSEL1: 0x187,
  IA32_MISC_ENABLE: 0x1a0,
  IA32_DEBUGCTL: 0x1d9,
  IA32_MTRR_PHYSBASE0: 0x200,
  IA32_MTRR_PHYSMASK7: 0x20f,
  IA32_MTRR_FIX64K_00000: 0x250,
  IA32_MTRR_FIX16K_80000: 0x258,
  IA32_MTRR_FIX16K_A0000: 0x259,
  IA32_MTRR_FIX4K_C0000: 0x268,
  IA32_MTRR_FIX4K_F8000: 0x26f,
  IA32_PAT: 0x277,
  IA32_MTRR_DEF_TYPE: 0x2ff,
} as const;

/** Eight variable ranges, the fixed ranges and write-combining (what QEMU reports). */
const MTRRCAP = 0x508;
const VARIABLE_RANGES = 8;
const PAT_RESET_LOW = 0x00070406;
const PAT_RESET_HIGH = 0x00070406;
/** Fast strings enabled: QEMU's reset value. */
const MISC_ENABLE_RESET = 0x1;
/** Microcode revision in BIOS_SIGN_ID bits 32-63: QEMU's value for Intel models. */
const MICROCODE_REVISION = 1;
/** Physical address bits 32-35 (36-bit physical addresses with PAE). */
const PHYS_HIGH_MASK = 0xf;
/** P6 DEBUGCTL: LBR, BTF, PB0-PB3, TR. Stored only: branch tracing is not modelled. */
const DEBUGCTL_MASK = 0x7f;

// Slots of the state array, two words (low, high) each.
const S_SYSENTER_CS = 0;
const S_SYSENTER_ESP = 1;
const S_SYSENTER_EIP = 2;
const S_PAT = 3;
const S_MISC_ENABLE = 4;
const S_DEF_TYPE = 5;
const S_DEBUGCTL = 6;
const S_PERFCTR = 7; // 2 slots
const S_EVNTSEL = 9; // 2 slots
const S_FIXED = 11; // 11 slots: 0x250, 0x258, 0x259, 0x268-0x26f
const S_VARIABLE = 22; // 16 slots: base/mask pairs
const SLOTS = S_VARIABLE + 2 * VARIABLE_RANGES;

/** Where a register the core owns lives: the TSC and IA32_APIC_BASE. */
export interface MsrDelegates {
  readTsc(): [number, number];
  writeTsc(low: number, high: number): void;
  /** Absent when the model has no local APIC (then MSR 0x1B raises #GP). */
  apicBase: { read(): [number, number]; write(low: number, high: number): boolean } | null;
}

/** Memory types valid in MTRRs (UC, WC, WT, WP, WB). */
function validMtrrType(t: number): boolean {
  return t === 0 || t === 1 || t === 4 || t === 5 || t === 6;
}

/** PAT entries also allow 7 (UC-). */
function validPatType(t: number): boolean {
  return validMtrrType(t) || t === 7;
}

function everyByte(low: number, high: number, ok: (t: number) => boolean): boolean {
  for (let i = 0; i < 4; i++)
    if (!ok((low >>> (8 * i)) & 0xff) || !ok((high >>> (8 * i)) & 0xff)) return false;
  return true;
}

function fixedSlot(index: number): number {
  if (index === MSR.IA32_MTRR_FIX64K_00000) return S_FIXED;
  if (index === MSR.IA32_MTRR_FIX16K_80000) return S_FIXED + 1;
  if (index === MSR.IA32_MTRR_FIX16K_A0000) return S_FIXED + 2;
  if (index >= MSR.IA32_MTRR_FIX4K_C0000 && index <= MSR.IA32_MTRR_FIX4K_F8000) {
    return S_FIXED + 3 + index - MSR.IA32_MTRR_FIX4K_C0000;
  }
  return -1;
}

/**
 * The model-specific registers of a P5/P6 CPU: what the Linux 686 kernel,
 * SeaBIOS and XNU touch without a fault handler, gated on the model's CPUID
 * features (no MTRR MSRs without MTRR, and so on). Any other index raises #GP.
 * Performance counters (P6 models) hold what is written and never count.
 *
 * `read` returns [low, high] or null for #GP; `write` returns false for #GP
 * (unknown index, read-only register, or reserved bits set).
 */
export class MsrFile {
  private readonly state = new Uint32Array(SLOTS * 2);
  private readonly features: number;
  private readonly p6: boolean;

  constructor(
    readonly model: CpuidModel,
    private readonly delegates: MsrDelegates,
  ) {
    this.features = cpuid(model, 1, 0, 0)[3];
    this.p6 = ((cpuid(model, 1, 0, 0)[0] >>> 8) & 0xf) === 6;
    this.reset();
  }

  reset(): void {
    this.state.fill(0);
    this.set(S_PAT, PAT_RESET_LOW, PAT_RESET_HIGH);
    this.set(S_MISC_ENABLE, MISC_ENABLE_RESET, 0);
  }

  get sysenterCs(): number {
    return this.state[S_SYSENTER_CS * 2];
  }

  get sysenterEsp(): number {
    return this.state[S_SYSENTER_ESP * 2];
  }

  get sysenterEip(): number {
    return this.state[S_SYSENTER_EIP * 2];
  }

  /** IA32_PAT as [low, high], for a core that looks at memory types. */
  get pat(): [number, number] {
    return [this.state[S_PAT * 2], this.state[S_PAT * 2 + 1]];
  }

  read(index: number): [number, number] | null {
    index >>>= 0;
    const f = this.features;
    switch (index) {
      case MSR.IA32_TIME_STAMP_COUNTER:
        return this.delegates.readTsc();
      case MSR.IA32_APIC_BASE:
        return this.delegates.apicBase ? this.delegates.apicBase.read() : null;
      case MSR.IA32_PLATFORM_ID:
        return this.p6 ? [0, 0] : null;
      case MSR.IA32_BIOS_SIGN_ID:
        return this.p6 ? [0, MICROCODE_REVISION] : null;
      case MSR.IA32_MISC_ENABLE:
        return this.p6 ? this.get(S_MISC_ENABLE) : null;
      case MSR.IA32_DEBUGCTL:
        return this.p6 ? this.get(S_DEBUGCTL) : null;
      case MSR.PERFCTR0:
      case MSR.PERFCTR1:
        return this.p6 ? this.get(S_PERFCTR + index - MSR.PERFCTR0) : null;
      case MSR.EVNTSEL0:
      case MSR.EVNTSEL1:
        return this.p6 ? this.get(S_EVNTSEL + index - MSR.EVNTSEL0) : null;
      case MSR.IA32_SYSENTER_CS:
      case MSR.IA32_SYSENTER_ESP:
      case MSR.IA32_SYSENTER_EIP:
        return f & Feature.SEP ? this.get(S_SYSENTER_CS + index - MSR.IA32_SYSENTER_CS) : null;
      case MSR.IA32_PAT:
        return f & Feature.PAT ? this.get(S_PAT) : null;
      case MSR.IA32_MTRRCAP:
        return f & Feature.MTRR ? [MTRRCAP, 0] : null;
      case MSR.IA32_MTRR_DEF_TYPE:
        return f & Feature.MTRR ? this.get(S_DEF_TYPE) : null;
    }
    if (!(f & Feature.MTRR)) return null;
    if (index >= MSR.IA32_MTRR_PHYSBASE0 && index <= MSR.IA32_MTRR_PHYSMASK7) {
      return this.get(S_VARIABLE + index - MSR.IA32_MTRR_PHYSBASE0);
    }
    const fixed = fixedSlot(index);
    return fixed >= 0 ? this.get(fixed) : null;
  }

  write(index: number, low: number, high: number): boolean {
    index >>>= 0;
    low >>>= 0;
    high >>>= 0;
    const f = this.features;
    switch (index) {
      case MSR.IA32_TIME_STAMP_COUNTER:
        this.delegates.writeTsc(low, high);
        return true;
      case MSR.IA32_APIC_BASE:
        return this.delegates.apicBase ? this.delegates.apicBase.write(low, high) : false;
      case MSR.IA32_BIOS_UPDT_TRIG:
      case MSR.IA32_BIOS_SIGN_ID:
        // Microcode updates are accepted and ignored; Linux writes 0 to BIOS_SIGN_ID before reading it.
        return this.p6;
      case MSR.IA32_MISC_ENABLE:
        return this.p6 && this.set(S_MISC_ENABLE, low, high);
      case MSR.IA32_DEBUGCTL:
        return this.p6 && (low & ~DEBUGCTL_MASK) === 0 && high === 0 && this.set(S_DEBUGCTL, low, 0);
      case MSR.PERFCTR0:
      case MSR.PERFCTR1:
        // 40-bit counters.
        return this.p6 && this.set(S_PERFCTR + index - MSR.PERFCTR0, low, high & 0xff);
      case MSR.EVNTSEL0:
      case MSR.EVNTSEL1:
        return this.p6 && high === 0 && this.set(S_EVNTSEL + index - MSR.EVNTSEL0, low, 0);
      case MSR.IA32_SYSENTER_CS:
        // A 32-bit processor keeps the selector only.
        return (f & Feature.SEP) !== 0 && this.set(S_SYSENTER_CS, low & 0xffff, 0);
      case MSR.IA32_SYSENTER_ESP:
      case MSR.IA32_SYSENTER_EIP:
        return (f & Feature.SEP) !== 0 && this.set(S_SYSENTER_CS + index - MSR.IA32_SYSENTER_CS, low, 0);
      case MSR.IA32_PAT:
        return (f & Feature.PAT) !== 0 && everyByte(low, high, validPatType) && this.set(S_PAT, low, high);
      case MSR.IA32_MTRR_DEF_TYPE:
        return (
          (f & Feature.MTRR) !== 0 &&
          (low & ~0xcff) === 0 &&
          high === 0 &&
          validMtrrType(low & 0xff) &&
          this.set(S_DEF_TYPE, low, 0)
        );
    }
    if (!(f & Feature.MTRR)) return false;
    if (index >= MSR.IA32_MTRR_PHYSBASE0 && index <= MSR.IA32_MTRR_PHYSMASK7) {
      if ((high & ~PHYS_HIGH_MASK) !== 0) return false;
      const slot = S_VARIABLE + index - MSR.IA32_MTRR_PHYSBASE0;
      if ((index & 1) === 0) {
        if ((low & 0xf00) !== 0 || !validMtrrType(low & 0xff)) return false;
      } else if ((low & 0x7ff) !== 0) {
        return false;
      }
      return this.set(slot, low, high);
    }
    const fixed = fixedSlot(index);
    return fixed >= 0 && everyByte(low, high, validMtrrType) && this.set(fixed, low, high);
  }

  private get(slot: number): [number, number] {
    return [this.state[slot * 2], this.state[slot * 2 + 1]];
  }

  /** Stores and returns true, so a write can end `... && this.set(...)`. */
  private set(slot: number, low: number, high: number): true {
    this.state[slot * 2] = low;
    this.state[slot * 2 + 1] = high;
    return true;
  }
}
