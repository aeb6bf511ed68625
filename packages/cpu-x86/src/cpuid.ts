/**
 * CPUID models. Each is one of QEMU's i386 CPU models as QEMU 7.2 (TCG)
 * reports it, minus the features this CPU does not implement, so a guest
 * never takes a path it cannot run. `test/fixtures/cpuid-<model>.txt` holds
 * QEMU's own answers and the cpuid test checks every leaf against them.
 *
 * Implemented (leaf 1 EDX): FPU, DE, PSE, TSC, MSR, PAE, MCE, CX8, APIC, SEP,
 * MTRR, PGE, CMOV, PAT, CLFSH, MMX, FXSR, SSE, SSE2, SS (a cache hint with
 * nothing to do); ECX: SSE3, SSSE3, CX16 (64-bit mode's CMPXCHG16B); as each
 * model has them. MCE is kept where QEMU offers it: it costs only a writable
 * CR4.MCE, since no machine check ever happens. FXSR is FXSAVE/FXRSTOR and
 * CR4.OSFXSR (iPXE's real-mode transitions use them unconditionally).
 * Removed from QEMU's sets:
 *  - MCA (bit 14): no machine-check banks (MCG_CAP and the bank MSRs would #GP).
 *  - PSE36 (bit 17): 4 MiB pages map below 4 GiB only.
 *  - ACPI (bit 22): no thermal-monitor MSRs.
 *  - MONITOR (ECX bit 3): no MONITOR/MWAIT.
 *  - NX (leaf 80000001h EDX bit 20): paging has no XD bit.
 *  - VME is never offered (QEMU's models here do not offer it either).
 * ECX bit 31 (running under a hypervisor) stays, as QEMU sets it: guests then
 * behave as they did under the QEMU machine this one reproduces.
 */

export const CPUID_MODELS = ['qemu32', 'pentium', 'pentium2', 'pentium3', 'coreduo', 'core2duo'] as const;
export type CpuidModel = (typeof CPUID_MODELS)[number];

/** Leaf 1 EDX feature bits (SDM vol. 2A, table 3-11). */
export const Feature = {
  FPU: 1 << 0,
  VME: 1 << 1,
  DE: 1 << 2,
  PSE: 1 << 3,
  TSC: 1 << 4,
  MSR: 1 << 5,
  PAE: 1 << 6,
  MCE: 1 << 7,
  CX8: 1 << 8,
  APIC: 1 << 9,
  SEP: 1 << 11,
  MTRR: 1 << 12,
  PGE: 1 << 13,
  MCA: 1 << 14,
  CMOV: 1 << 15,
  PAT: 1 << 16,
  PSE36: 1 << 17,
  CLFSH: 1 << 19,
  ACPI: 1 << 22,
  MMX: 1 << 23,
  FXSR: 1 << 24,
  SSE: 1 << 25,
  SSE2: 1 << 26,
  SS: 1 << 27,
} as const;

/** Leaf 1 ECX bits QEMU sets that matter here. */
export const FeatureEcx = {
  SSE3: 1 << 0,
  MONITOR: 1 << 3,
  SSSE3: 1 << 9,
  /** CMPXCHG16B, which only 64-bit mode can encode: nothing to implement here. */
  CX16: 1 << 13,
  HYPERVISOR: 1 << 31,
} as const;

/**
 * What Plugboard removes from QEMU's models, for the test and for
 * documentation: leaf 1 EDX MCA and PSE36 (above) and ACPI (the thermal
 * monitor MSRs), ECX MONITOR (no MONITOR/MWAIT), and leaf 80000001h EDX NX
 * (paging has no XD bit).
 */
export const REMOVED_EDX = Feature.MCA | Feature.PSE36 | Feature.ACPI;
export const REMOVED_ECX = FeatureEcx.MONITOR;
export const REMOVED_EXT_EDX = 1 << 20;

const F = Feature;
const P5 = F.FPU | F.DE | F.PSE | F.TSC | F.MSR | F.MCE | F.CX8 | F.APIC | F.MMX;
const P6 = P5 | F.PAE | F.SEP | F.MTRR | F.PGE | F.CMOV | F.PAT;

interface ModelData {
  /** Highest basic leaf. */
  level: number;
  /** Highest extended leaf, or 0 for none. */
  xlevel: number;
  /** Leaf 1 EAX: stepping, model, family. */
  signature: number;
  edx: number;
  ecx: number;
  /** Leaf 80000001h ECX (LAHF_LM, meaningful only in 64-bit mode, where QEMU's Core models set it). */
  extEcx: number;
  brand: string;
  /** Leaf 80000008h EAX: physical (and linear) address bits, where the model has the leaf. */
  addressBits: number;
}

const MODELS: Record<CpuidModel, ModelData> = {
  // QEMU's default: family 6 model 6 stepping 3 (as QEMU's "qemu32"), without MTRR as QEMU has it.
  qemu32: {
    level: 4,
    xlevel: 0x80000004,
    signature: 0x663,
    edx: (P6 & ~F.MTRR) | F.FXSR | F.SSE | F.SSE2,
    ecx: FeatureEcx.SSE3 | FeatureEcx.HYPERVISOR,
    extEcx: 0,
    brand: 'QEMU Virtual CPU version 2.5+',
    addressBits: 0,
  },
  // Pentium MMX-class as QEMU has it (family 5 model 4 stepping 3), with its on-chip APIC.
  pentium: {
    level: 1,
    xlevel: 0,
    signature: 0x543,
    edx: P5,
    ecx: FeatureEcx.HYPERVISOR,
    extEcx: 0,
    brand: '',
    addressBits: 0,
  },
  // Pentium II (family 6 model 5 stepping 2).
  pentium2: {
    level: 2,
    xlevel: 0,
    signature: 0x652,
    edx: P6 | F.FXSR,
    ecx: FeatureEcx.HYPERVISOR,
    extEcx: 0,
    brand: '',
    addressBits: 0,
  },
  // Pentium III (family 6 model 7 stepping 3).
  pentium3: {
    level: 3,
    xlevel: 0,
    signature: 0x673,
    edx: P6 | F.FXSR | F.SSE,
    ecx: FeatureEcx.HYPERVISOR,
    extEcx: 0,
    brand: '',
    addressBits: 0,
  },
  // Core Duo T2600 (family 6 model 14 stepping 8): SSE3.
  coreduo: {
    level: 10,
    xlevel: 0x80000008,
    signature: 0x6e8,
    edx: P6 | F.CLFSH | F.MMX | F.FXSR | F.SSE | F.SSE2 | F.SS,
    ecx: FeatureEcx.SSE3 | FeatureEcx.HYPERVISOR,
    extEcx: 0,
    brand: 'Genuine Intel(R) CPU           T2600  @ 2.16GHz',
    addressBits: 0x20,
  },
  // Core 2 Duo T7700 (family 6 model 15 stepping 11): SSSE3.
  core2duo: {
    level: 10,
    xlevel: 0x80000008,
    signature: 0x6fb,
    edx: P6 | F.CLFSH | F.MMX | F.FXSR | F.SSE | F.SSE2 | F.SS,
    ecx: FeatureEcx.SSE3 | FeatureEcx.SSSE3 | FeatureEcx.CX16 | FeatureEcx.HYPERVISOR,
    extEcx: 1,
    brand: 'Intel(R) Core(TM)2 Duo CPU     T7700  @ 2.40GHz',
    addressBits: 0x24,
  },
};

/** "GenuineIntel" in EBX, EDX, ECX order. */
const VENDOR_EBX = 0x756e6547;
const VENDOR_EDX = 0x49656e69;
const VENDOR_ECX = 0x6c65746e;

/**
 * Leaf 2 cache and TLB descriptors as QEMU reports them for every model
 * here: 0x7d (2 MiB L2), 0x30 (32 KiB L1i), 0x2c (32 KiB L1d), 0x4d (16 MiB L3).
 */
const LEAF2: readonly number[] = [0x00000001, 0x00000000, 0x0000004d, 0x002c307d];

/** Leaf 4 (deterministic cache parameters) subleaves 0-3 as QEMU's qemu32 reports them; 4 and up: no cache. */
const LEAF4: readonly (readonly number[])[] = [
  [0x00000121, 0x01c0003f, 0x0000003f, 0x00000001],
  [0x00000122, 0x01c0003f, 0x0000003f, 0x00000001],
  [0x00000143, 0x03c0003f, 0x00000fff, 0x00000001],
  [0x00000163, 0x03c0003f, 0x00003fff, 0x00000006],
];

/** Features leaf 1 EDX reports for a model: the core and the MSR file gate on these. */
export function modelFeatures(model: CpuidModel): number {
  return MODELS[model].edx;
}

export function isCpuidModel(name: string): name is CpuidModel {
  return (CPUID_MODELS as readonly string[]).includes(name);
}

function brandWords(brand: string): number[] {
  const bytes = new Uint8Array(48);
  for (let i = 0; i < brand.length && i < 47; i++) bytes[i] = brand.charCodeAt(i) & 0x7f;
  const words: number[] = [];
  for (let i = 0; i < 48; i += 4) {
    words.push((bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24)) >>> 0);
  }
  return words;
}

const BRANDS: Record<CpuidModel, number[]> = {
  qemu32: brandWords(MODELS.qemu32.brand),
  pentium: [],
  pentium2: [],
  pentium3: [],
  coreduo: brandWords(MODELS.coreduo.brand),
  core2duo: brandWords(MODELS.core2duo.brand),
};

/** Leaf 5 (MONITOR/MWAIT sizes) as QEMU fills it for its level-10 models: extensions and interrupt break-event. */
const LEAF5: readonly number[] = [0, 0, 3, 0];
/** Leaves 80000005h and 80000006h (L1 and L2/L3 cache and TLB descriptions) as QEMU reports them. */
const LEAF_80000005: readonly number[] = [0x01ff01ff, 0x01ff01ff, 0x40020140, 0x40020140];
const LEAF_80000006: readonly number[] = [0, 0x42004200, 0x02008140, 0x00808140];

/**
 * CPUID for `model`: [eax, ebx, ecx, edx]. Leaves above the model's range
 * answer as its highest basic leaf does, as Intel processors do.
 */
export function cpuid(
  model: CpuidModel,
  leaf: number,
  subleaf: number,
  apicId: number,
): [number, number, number, number] {
  const m = MODELS[model];
  leaf >>>= 0;
  const extended = leaf >= 0x80000000;
  if ((extended && leaf > m.xlevel) || (!extended && leaf > m.level)) leaf = m.level;
  switch (leaf) {
    case 0:
      return [m.level, VENDOR_EBX, VENDOR_ECX, VENDOR_EDX];
    case 1:
      // EBX: initial APIC ID, and the CLFLUSH line size QEMU always reports (8 quadwords).
      return [m.signature, (((apicId & 0xff) << 24) | 0x800) >>> 0, m.ecx >>> 0, m.edx >>> 0];
    case 2:
      return [LEAF2[0], LEAF2[1], LEAF2[2], LEAF2[3]];
    case 3:
      return [0, 0, 0, 0];
    case 4: {
      const s = LEAF4[subleaf >>> 0];
      return s ? [s[0], s[1], s[2], s[3]] : [0, 0, 0, 0];
    }
    case 0x80000000:
      // QEMU repeats the vendor string here; Intel parts report zeros.
      return [m.xlevel, VENDOR_EBX, VENDOR_ECX, VENDOR_EDX];
    case 5:
      return [LEAF5[0], LEAF5[1], LEAF5[2], LEAF5[3]];
    case 0x80000001:
      return [m.signature, 0, m.extEcx, 0];
    case 0x80000002:
    case 0x80000003:
    case 0x80000004: {
      const b = BRANDS[model];
      const i = (leaf - 0x80000002) * 4;
      return [b[i], b[i + 1], b[i + 2], b[i + 3]];
    }
    case 0x80000005:
      return [LEAF_80000005[0], LEAF_80000005[1], LEAF_80000005[2], LEAF_80000005[3]];
    case 0x80000006:
      return [LEAF_80000006[0], LEAF_80000006[1], LEAF_80000006[2], LEAF_80000006[3]];
    case 0x80000008:
      return [m.addressBits, 0, 0, 0];
  }
  return [0, 0, 0, 0];
}
