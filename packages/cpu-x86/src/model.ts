import type { LocalApic } from './apic/local-apic.js';
import type { ModelServices, X86 } from './core/x86.js';
import { type CpuidModel, cpuid } from './cpuid.js';
import { MsrFile } from './msr.js';

/**
 * CPUID and the MSR file of one processor model, joined to the core: the TSC
 * and IA32_APIC_BASE live in the core and the local APIC.
 */
export class Model implements ModelServices {
  readonly msrs: MsrFile;
  readonly resetEdx: number;
  readonly features: number;
  readonly featuresEcx: number;
  private cpu: X86 | null = null;

  constructor(
    readonly name: CpuidModel,
    private readonly apicId: number,
    apic: LocalApic | null,
  ) {
    const leaf1 = cpuid(name, 1, 0, apicId);
    this.resetEdx = leaf1[0];
    this.features = leaf1[3];
    this.featuresEcx = leaf1[2];
    this.msrs = new MsrFile(name, {
      readTsc: () => {
        const t = this.core.tsc();
        return [t % 2 ** 32, Math.floor(t / 2 ** 32) >>> 0];
      },
      writeTsc: (low, high) => this.core.setTsc(high * 2 ** 32 + low),
      apicBase: apic && {
        read: () => apic.readBase(),
        write: (low, high) => apic.writeBase(low, high),
      },
    });
  }

  /** Binds the core whose TSC the MSR file reads. */
  attach(cpu: X86): void {
    this.cpu = cpu;
  }

  private get core(): X86 {
    if (!this.cpu) throw new Error('model used before its CPU exists');
    return this.cpu;
  }

  get sysenterCs(): number {
    return this.msrs.sysenterCs;
  }

  get sysenterEsp(): number {
    return this.msrs.sysenterEsp;
  }

  get sysenterEip(): number {
    return this.msrs.sysenterEip;
  }

  reset(): void {
    this.msrs.reset();
  }

  cpuid(c: X86): void {
    const r = cpuid(this.name, c.regs[0] >>> 0, c.regs[1] >>> 0, this.apicId);
    c.regs[0] = r[0];
    c.regs[3] = r[1];
    c.regs[1] = r[2];
    c.regs[2] = r[3];
  }

  readMsr(c: X86, index: number): boolean {
    const v = this.msrs.read(index);
    if (v === null) return false;
    c.regs[0] = v[0];
    c.regs[2] = v[1];
    return true;
  }

  writeMsr(_c: X86, index: number, low: number, high: number): boolean {
    return this.msrs.write(index, low, high);
  }
}
