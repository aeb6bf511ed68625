import { describe, expect, it } from 'vitest';
import type { CpuidModel } from '../src/cpuid.js';
import { MSR, MsrFile } from '../src/msr.js';

function make(model: CpuidModel = 'pentium2', withApic = true) {
  let tsc: [number, number] = [0x1234, 0x5];
  let base: [number, number] = [0xfee00900, 0];
  const msrs = new MsrFile(model, {
    readTsc: () => tsc,
    writeTsc: (lo, hi) => {
      tsc = [lo, hi];
    },
    apicBase: withApic
      ? {
          read: () => base,
          write: (lo, hi) => {
            if (lo & 0xff) return false;
            base = [lo, hi];
            return true;
          },
        }
      : null,
  });
  return { msrs, tsc: () => tsc, base: () => base };
}

describe('MsrFile', () => {
  it('delegates the TSC and IA32_APIC_BASE', () => {
    const { msrs, tsc, base } = make();
    expect(msrs.read(MSR.IA32_TIME_STAMP_COUNTER)).toEqual([0x1234, 5]);
    expect(msrs.write(MSR.IA32_TIME_STAMP_COUNTER, 7, 8)).toBe(true);
    expect(tsc()).toEqual([7, 8]);
    expect(msrs.read(MSR.IA32_APIC_BASE)).toEqual([0xfee00900, 0]);
    expect(msrs.write(MSR.IA32_APIC_BASE, 0xfec00800, 0)).toBe(true);
    expect(base()).toEqual([0xfec00800, 0]);
    expect(msrs.write(MSR.IA32_APIC_BASE, 0xfec00801, 0)).toBe(false);
  });

  it('raises #GP for IA32_APIC_BASE without an APIC, and for unknown indices', () => {
    const { msrs } = make('pentium2', false);
    expect(msrs.read(MSR.IA32_APIC_BASE)).toBeNull();
    expect(msrs.read(0x3a)).toBeNull();
    expect(msrs.write(0x3a, 0, 0)).toBe(false);
    expect(msrs.read(0xc0000080)).toBeNull();
    expect(msrs.read(0x179)).toBeNull();
  });

  it('SYSENTER keeps the selector and 32-bit ESP/EIP', () => {
    const { msrs } = make();
    expect(msrs.write(MSR.IA32_SYSENTER_CS, 0x12345678, 0xffffffff)).toBe(true);
    expect(msrs.read(MSR.IA32_SYSENTER_CS)).toEqual([0x5678, 0]);
    msrs.write(MSR.IA32_SYSENTER_ESP, 0xdeadbeef, 1);
    msrs.write(MSR.IA32_SYSENTER_EIP, 0xc0100000, 0);
    expect(msrs.sysenterCs).toBe(0x5678);
    expect(msrs.sysenterEsp).toBe(0xdeadbeef);
    expect(msrs.sysenterEip).toBe(0xc0100000);
  });

  it('MTRRs: capability, default type, fixed and variable ranges with reserved-bit and type checks', () => {
    const { msrs } = make();
    expect(msrs.read(MSR.IA32_MTRRCAP)).toEqual([0x508, 0]);
    expect(msrs.write(MSR.IA32_MTRRCAP, 0, 0)).toBe(false);
    expect(msrs.write(MSR.IA32_MTRR_DEF_TYPE, 0xc06, 0)).toBe(true);
    expect(msrs.read(MSR.IA32_MTRR_DEF_TYPE)).toEqual([0xc06, 0]);
    expect(msrs.write(MSR.IA32_MTRR_DEF_TYPE, 0x1006, 0)).toBe(false);
    expect(msrs.write(MSR.IA32_MTRR_DEF_TYPE, 0x2, 0)).toBe(false);
    expect(msrs.write(0x259, 0x06060606, 0x00000000)).toBe(true);
    expect(msrs.read(0x259)).toEqual([0x06060606, 0]);
    expect(msrs.write(0x26f, 0x05050505, 0x05050503)).toBe(false);
    expect(msrs.read(0x260)).toBeNull();
    expect(msrs.write(0x200, 0xe0000006, 0x0)).toBe(true);
    expect(msrs.write(0x201, 0xe0000800, 0xf)).toBe(true);
    expect(msrs.read(0x201)).toEqual([0xe0000800, 0xf]);
    expect(msrs.write(0x201, 0xe0000801, 0)).toBe(false);
    expect(msrs.write(0x200, 0xe0000106, 0)).toBe(false);
    expect(msrs.write(0x200, 0xe0000006, 0x10)).toBe(false);
    expect(msrs.read(0x210)).toBeNull();
  });

  it('PAT resets to the power-on value and checks every entry', () => {
    const { msrs } = make();
    expect(msrs.read(MSR.IA32_PAT)).toEqual([0x00070406, 0x00070406]);
    expect(msrs.write(MSR.IA32_PAT, 0x00070106, 0x00070407)).toBe(true);
    expect(msrs.pat).toEqual([0x00070106, 0x00070407]);
    expect(msrs.write(MSR.IA32_PAT, 0x00070206, 0)).toBe(false);
    msrs.reset();
    expect(msrs.pat).toEqual([0x00070406, 0x00070406]);
  });

  it('microcode: BIOS_SIGN_ID reads revision 1, writes and update triggers are ignored', () => {
    const { msrs } = make();
    expect(msrs.write(MSR.IA32_BIOS_SIGN_ID, 0, 0)).toBe(true);
    expect(msrs.read(MSR.IA32_BIOS_SIGN_ID)).toEqual([0, 1]);
    expect(msrs.write(MSR.IA32_BIOS_UPDT_TRIG, 0x100000, 0)).toBe(true);
    expect(msrs.read(MSR.IA32_PLATFORM_ID)).toEqual([0, 0]);
  });

  it('MISC_ENABLE, DEBUGCTL and the P6 performance counters hold what is written', () => {
    const { msrs } = make();
    expect(msrs.read(MSR.IA32_MISC_ENABLE)).toEqual([1, 0]);
    msrs.write(MSR.PERFCTR0, 0xffffffff, 0xffffffff);
    expect(msrs.read(MSR.PERFCTR0)).toEqual([0xffffffff, 0xff]);
    expect(msrs.write(MSR.EVNTSEL1, 0x430079, 0)).toBe(true);
    expect(msrs.read(MSR.EVNTSEL1)).toEqual([0x430079, 0]);
    expect(msrs.write(MSR.IA32_DEBUGCTL, 0x80, 0)).toBe(false);
    expect(msrs.write(MSR.IA32_DEBUGCTL, 0x2, 0)).toBe(true);
  });

  it('gates MSRs on the model: no MTRR on qemu32, no SEP, PAT or P6 MSRs on the Pentium', () => {
    const q = make('qemu32').msrs;
    expect(q.read(MSR.IA32_MTRRCAP)).toBeNull();
    expect(q.read(0x200)).toBeNull();
    expect(q.read(MSR.IA32_PAT)).not.toBeNull();
    expect(q.read(MSR.IA32_SYSENTER_CS)).not.toBeNull();
    const p = make('pentium').msrs;
    expect(p.read(MSR.IA32_SYSENTER_CS)).toBeNull();
    expect(p.read(MSR.IA32_PAT)).toBeNull();
    expect(p.read(MSR.IA32_BIOS_SIGN_ID)).toBeNull();
    expect(p.read(MSR.PERFCTR0)).toBeNull();
    expect(p.read(MSR.IA32_TIME_STAMP_COUNTER)).not.toBeNull();
  });
});
