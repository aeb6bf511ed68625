import type { Clock, CpuPins, IrqLine, PhysicalMemory, PortBus, ProtectedModeStart } from '@plugboard/core';
import type { LocalApic } from '../apic/local-apic.js';
import type { X87Host } from '../fpu/x87-host.js';
import { NEXT_BYTES } from '../jit/scan.js';
import { type JitStats, Translator } from '../jit/units.js';
import { endsUnit } from '../jit/wasm/forms.js';
import { IO_LEAVE, IO_ON, IO_REFUSED, PORT_IN } from '../jit/wasm/host.js';
import { handlerFor } from '../ops/forms.js';
import { IO_PORT } from './arena.js';
import {
  CR0_ET,
  CR0_PE,
  CS,
  DB,
  DF_VECTOR,
  DS,
  EAX,
  EBP,
  EBX,
  ECX,
  EDI,
  EDX,
  ES,
  ESI,
  ESP,
  FLAGS_FIXED,
  FS,
  GS,
  IF,
  LDTR,
  NMI_VECTOR,
  PF_VECTOR,
  SS,
  TF,
  TR,
} from './constants.js';
import { CpuState } from './cpu.js';
import { DecodeCache } from './decode-cache.js';
import { decode, Instr } from './instr.js';
import { interrupt } from './transfer.js';
import { X87Bridge } from './x87-bridge.js';

/** Segment registers in the order of the `sel`/`segBase` arrays (ES=0 ... TR=7). */
const SEGMENT_NAMES = ['ES', 'CS', 'SS', 'DS', 'FS', 'GS', 'LDTR', 'TR'] as const;

/** The x87 unit as the core drives it (`fpu/x87.ts`). */
export interface X87Unit {
  execute(opcode: number, modrm: number, hasMemoryOperand: boolean): void;
  checkPendingException(): void;
  /** FXSAVE and FXRSTOR of the x87 part of the image, at the operand the core prepared. */
  fxsave(): void;
  fxrstor(): void;
  reset(): void;
}

/** What the core asks of the model-specific parts: CPUID leaves and MSRs. */
export interface ModelServices {
  /** CPUID: fills EAX, EBX, ECX, EDX for leaf EAX / subleaf ECX. */
  cpuid(c: X86): void;
  /** RDMSR into EDX:EAX; false raises #GP(0). */
  readMsr(c: X86, index: number): boolean;
  /** WRMSR; false raises #GP(0). */
  writeMsr(c: X86, index: number, low: number, high: number): boolean;
  /** EDX after reset: the processor signature. */
  readonly resetEdx: number;
  /** CPUID leaf 1 EDX: the core offers FXSAVE/FXRSTOR and CR4.OSFXSR only with FXSR. */
  readonly features: number;
  /** CPUID leaf 1 ECX. With `features`, what decides which opcode-table entries execute (`handlerFor`). */
  readonly featuresEcx: number;
  /** IA32_SYSENTER_CS, _ESP and _EIP. */
  readonly sysenterCs: number;
  readonly sysenterEsp: number;
  readonly sysenterEip: number;
  /** RESET#: MSRs back to their power-on values. */
  reset(): void;
}

export interface X86Options {
  memory: PhysicalMemory;
  ports: PortBus;
  pins: CpuPins;
  clock: Clock;
  apic: LocalApic | null;
  model: ModelServices;
  /** FERR# (ISA IRQ 13 through the chipset), for x87 errors while CR0.NE is clear. */
  ferr: IrqLine | null;
  /** Called on a triple fault (the machine resets). */
  onTripleFault: () => void;
  /** Builds the x87 unit on the core's host interface; absent for a CPU without one. */
  fpu?: (host: X87Host) => X87Unit;
  /** TSC frequency in Hz; the TSC follows virtual time. */
  tscHz?: number;
  /** Translate hot straight-line runs to JavaScript (`jit/`); default true (the plugin's default is false). */
  jit?: boolean;
  /** Executions of an entry before it is translated (tests lower it). */
  jitHot?: number;
  /**
   * Compile WebAssembly units on the host's background threads, each entered
   * once it is ready (between slices, when the run loop yields); default
   * false, so a caller that never yields (a test) gets its units at once.
   */
  jitBackground?: boolean;
}

/** Descriptor attributes of flat 4 GiB segments: G, D/B, present, DPL 0, execute/read or read/write, accessed. */
const FLAT_CODE = 0xc09b;
const FLAT_DATA = 0xc093;

const CONTRIBUTORY = new Uint8Array(32);
for (const v of [0, 10, 11, 12, 13]) CONTRIBUTORY[v] = 1;

/**
 * An i686 processor: `CpuState` plus the run loop, interrupt polling,
 * exception delivery with double and triple faults, and the model services.
 */
export class X86 extends CpuState {
  readonly pins: CpuPins;
  readonly clock: Clock;
  readonly apic: LocalApic | null;
  readonly model: ModelServices;
  readonly ferr: IrqLine | null;
  /** The x87 unit; null models a machine without one (escapes raise #NM). */
  readonly fpu: X87Unit | null;
  readonly x87Bridge: X87Bridge;
  instructionCount = 0;
  /** An NMI handler runs; the next IRET unblocks. */
  nmiBlocked = false;
  /** Added to the virtual-time TSC; WRMSR to the TSC adjusts it. */
  tscOffset = 0;
  readonly tscHz: number;
  /** Set by a triple fault: nothing runs until reset. */
  shutdown = false;
  /** A debugger's stop (core's `CpuDebug.stopBefore`): while set, the attention path asks it before every instruction. */
  stopBefore: ((linear: number) => boolean) | null = null;
  private readonly instr = new Instr();
  private readonly onTripleFault: () => void;
  /** The translator, or null when the interpreter runs everything. */
  private readonly jit: Translator | null;

  constructor(opts: X86Options) {
    super(opts.memory, opts.ports);
    this.pins = opts.pins;
    this.clock = opts.clock;
    this.apic = opts.apic;
    this.model = opts.model;
    this.ferr = opts.ferr;
    this.onTripleFault = opts.onTripleFault;
    this.tscHz = opts.tscHz ?? 1e9;
    this.x87Bridge = new X87Bridge(this);
    this.fpu = opts.fpu ? opts.fpu(this.x87Bridge) : null;
    const jit =
      opts.jit === false
        ? null
        : new Translator(
            opts.clock,
            opts.pins,
            opts.model,
            opts.jitHot,
            this.arena.shared ? this.arena : null,
            opts.memory.wasmMemory,
            opts.memory.ram.byteOffset,
            opts.jitBackground,
            (lin) => this.codeAt(lin, NEXT_BYTES),
            (op, port, value, n) => this.unitPort(op, port, value, n),
          );
    this.jit = jit;
    if (jit !== null) this.decoded.onFlush = () => jit.flush();
    // A remap is noticed at the next instruction boundary, through the same flag as interrupts.
    opts.memory.onRemap = () => {
      opts.pins.attention = true;
    };
    this.reset();
  }

  /** RESET#: the state the SDM's table 9-1 gives, with EDX the processor signature. */
  reset(): void {
    this.regs.fill(0);
    this.regs[EDX] = this.model.resetEdx;
    this.flags = FLAGS_FIXED;
    this.flagsDirty = 0;
    this.cr0 = 0x60000010;
    this.cr2 = 0;
    this.cr3 = 0;
    this.cr4 = 0;
    this.dr.fill(0);
    this.dr[6] = 0xffff0ff0 | 0;
    this.dr[7] = 0x400;
    this.gdtBase = 0;
    this.gdtLimit = 0xffff;
    this.idtBase = 0;
    this.idtLimit = 0xffff;
    for (const s of [ES, SS, DS, FS, GS]) this.setSeg(s, 0, 0, 0xffff, 0x93);
    this.setSeg(CS, 0xf000, 0xffff0000 | 0, 0xffff, 0x9b);
    this.setSeg(LDTR, 0, 0, 0xffff, 0x82);
    this.setSeg(TR, 0, 0, 0xffff, 0x8b);
    this.setCpl(0);
    this.modeChanged();
    this.eip = 0xfff0;
    this.eipStart = 0xfff0;
    this.halted = false;
    this.shadow = false;
    this.nmiBlocked = false;
    this.shutdown = false;
    this.tscOffset = -this.virtualTsc();
    this.flushTlb(false);
    this.decoded.flush();
    this.fpu?.reset();
    this.model.reset();
  }

  /**
   * The hand-over of firmware that loaded a kernel itself: protected mode
   * with flat segments from the firmware's GDT, paging and interrupts off
   * (Linux's 32-bit boot protocol). Called right after `reset`.
   */
  startProtectedMode(start: ProtectedModeStart): void {
    this.regs.fill(0);
    const r = start.registers;
    const values = [r.eax, r.ecx, r.edx, r.ebx, r.esp, r.ebp, r.esi, r.edi];
    for (let i = EAX; i <= EDI; i++) this.regs[i] = values[i] ?? 0;
    this.flags = FLAGS_FIXED;
    this.flagsDirty = 0;
    this.cr0 = CR0_PE | CR0_ET;
    this.gdtBase = start.gdtBase;
    this.gdtLimit = start.gdtLimit;
    this.idtBase = 0;
    this.idtLimit = 0;
    this.setSeg(CS, start.codeSelector, 0, 0xffffffff, FLAT_CODE);
    for (const s of [ES, SS, DS, FS, GS]) this.setSeg(s, start.dataSelector, 0, 0xffffffff, FLAT_DATA);
    this.setCpl(0);
    this.modeChanged();
    this.eip = start.eip >>> 0;
    this.eipStart = this.eip;
    this.halted = false;
    this.flushTlb(false);
  }

  /**
   * A write reached a page holding decoded code: the run loop looks at the
   * attention flag before the next instruction, so a translated unit leaves
   * before running stale code (without a unit, the look finds nothing).
   */
  protected override codeWritten(page: number): void {
    super.codeWritten(page);
    this.pins.attention = true;
  }

  /** The translator's counters, or null when it is off. */
  jitStats(): JitStats | null {
    return this.jit === null ? null : { ...this.jit.stats };
  }

  // ---------------------------------------------------------------- services for handlers

  /**
   * IN or OUT for a WebAssembly unit (`jit/wasm/host.ts`) as its handler
   * does it, the `n`th instruction of the slice, so the device sees the same
   * virtual time. Refused where the permission check would read the TSS's
   * I/O bitmap (units run in flat protected mode: CPL above IOPL). The unit
   * leaves after it when the device raised `pins.attention` (an interrupt, a
   * remap, code written over: `codeWritten`).
   */
  private unitPort(op: number, port: number, value: number, n: number): number {
    if (this.cpl > this.iopl) return IO_REFUSED;
    const size = op & ~PORT_IN;
    this.clock.retired = n;
    if (op & PORT_IN) this.arena.io[IO_PORT] = this.portIn(port, size);
    else this.portOut(port, size, value);
    return this.pins.attention ? IO_LEAVE : IO_ON;
  }

  portIn(port: number, size: number): number {
    if (size === 1) return this.ports.in8(port);
    if (size === 2) return this.ports.in16(port);
    return this.ports.in32(port) | 0;
  }

  portOut(port: number, size: number, v: number): void {
    if (size === 1) this.ports.out8(port, v & 0xff);
    else if (size === 2) this.ports.out16(port, v & 0xffff);
    else this.ports.out32(port, v >>> 0);
  }

  /** The TSC without the offset: virtual time at the current instruction, at `tscHz`. */
  private virtualTsc(): number {
    return Math.floor((this.clock.now * this.tscHz) / 1e9);
  }

  /** The time-stamp counter: virtual time at `tscHz`, plus the offset software set. */
  tsc(): number {
    return Math.max(0, this.virtualTsc() + this.tscOffset);
  }

  setTsc(value: number): void {
    this.tscOffset = value - this.virtualTsc();
  }

  cpuid(): void {
    this.model.cpuid(this);
  }

  readMsr(index: number): void {
    if (!this.model.readMsr(this, index)) this.gp(0);
  }

  writeMsr(index: number, low: number, high: number): void {
    if (!this.model.writeMsr(this, index, low, high)) this.gp(0);
  }

  // ---------------------------------------------------------------- the run loop

  /**
   * Runs a slice of at most `budget` instructions. The clock learns each
   * instruction as it starts (`retired`, so devices see exact time) and may
   * shorten the slice (`sliceLimit`) when a timer armed meanwhile falls due.
   */
  run(budget: number): number {
    if (this.shutdown) return 0;
    this.checkMemoryMap();
    const clock = this.clock;
    const pins = this.pins;
    clock.beginSlice(budget);
    // Between slices timers ran and devices moved: look at everything first.
    pins.attention = true;
    let n = 0;
    // The last cached instruction, the EIP it falls through to, and the linear code page it lies on.
    let prev: Instr | null = null;
    let fallthrough = -1;
    let prevPage = -1;
    const jit = this.jit;
    // A unit runs: a guest fault leaves its count in `clock.retired`.
    let inUnit = false;
    while (n < clock.sliceLimit) {
      try {
        while (n < clock.sliceLimit) {
          if (pins.attention || this.shadow || this.halted) {
            if (this.shadow) this.shadow = false;
            else if (this.pollInterrupts()) {
              n++;
              continue;
            }
            if (this.halted) {
              this.instructionCount += n;
              return n;
            }
            this.checkMemoryMap();
            if (this.stopBefore?.((this.csBase + this.eip) >>> 0)) {
              this.instructionCount += n;
              return n;
            }
          }
          const eip = this.eip;
          this.eipStart = eip;
          let i: Instr | null = null;
          const lin = (this.csBase + eip) | 0;
          // Units are entered where control arrives other than by falling through.
          if (
            jit !== null &&
            (prev === null || eip !== fallthrough || prev.endsUnit) &&
            eip <= this.csFetchLimit &&
            !pins.attention &&
            (this.flags & TF) === 0
          ) {
            // The fetch the interpreter would make next, made first, so a unit's page is known.
            const page = lin >>> 12;
            if (page !== this.fetchCode && page !== this.fetchPage) this.fetchFrom(lin);
            if (page === this.fetchCode) {
              const u = jit.find(
                this.fetchPhys | (lin & 0xfff),
                this.fetchStamp,
                eip,
                this.fetchBuf!,
                this.fetchOff + (lin & 0xfff),
                this.code32,
                this.csFetchLimit,
                this.flatSegs,
              );
              if (u !== null) {
                // As the interpreter's first decode from the page would: writes to it now invalidate.
                const ppage = this.fetchPhys >>> 12;
                if (this.memory.codePages[ppage] === 0) this.protectCode(ppage);
              }
              if (
                u !== null &&
                u.length !== 0 &&
                n + u.length <= clock.sliceLimit &&
                (this.flatSegs & u.segs) === u.segs &&
                eip + u.span <= this.csFetchLimit &&
                (this.code32 || eip + u.bytes <= 0xffff)
              ) {
                inUnit = true;
                const k = u.run(this, eip, n);
                inUnit = false;
                // A WebAssembly unit leaves before an instruction that needs the slow path: the loop runs it.
                if (k !== 0) {
                  n += k;
                  jit.stats.retired += k;
                  prev = null;
                  continue;
                }
              }
            }
          }
          if (
            prev !== null &&
            lin >>> 12 === prevPage &&
            this.fetchCode === prevPage &&
            eip <= this.csFetchLimit
          ) {
            const link: Instr | null = eip === fallthrough ? prev.next : prev.branch;
            if (
              link !== null &&
              link.tag === (this.fetchPhys | (lin & 0xfff)) &&
              link.stamp === this.fetchStamp
            )
              i = link;
          }
          if (i === null) {
            i = this.fetchInstr(eip);
            if (prev !== null && i.tag >= 0 && this.fetchCode === prevPage) {
              if (eip === fallthrough) prev.next = i;
              else prev.branch = i;
            }
          }
          this.eip = this.code32 ? (eip + i.len) >>> 0 : (eip + i.len) & 0xffff;
          if (i.tag >= 0) {
            prev = i;
            fallthrough = this.eip;
            prevPage = this.fetchCode;
          } else prev = null;
          const tf = this.flags & TF;
          clock.retired = n;
          i.fn!(this, i);
          n++;
          if (tf !== 0) this.singleStep();
        }
      } catch (e) {
        if (inUnit) {
          inUnit = false;
          jit!.stats.retired += clock.retired - n;
          n = clock.retired;
        }
        if (e !== this.fault) {
          // A device threw (the machine's exception boundary takes it): what retired before the
          // failed access counts, as the clock accounts it.
          this.instructionCount += n;
          throw e;
        }
        n++;
        prev = null;
        this.handleThrown(e);
        if (this.shutdown) break;
      }
    }
    this.instructionCount += n;
    return n;
  }

  /**
   * The instruction at CS:`eip`, from the decode cache when it lies in one
   * cacheable page and well inside the CS limit; decoded afresh otherwise.
   */
  private fetchInstr(eip: number): Instr {
    const lin = (this.csBase + eip) | 0;
    const page = lin >>> 12;
    if (eip <= this.csFetchLimit) {
      if (page !== this.fetchCode && page !== this.fetchPage) this.fetchFrom(lin);
      if (page === this.fetchCode) {
        const phys = this.fetchPhys | (lin & 0xfff);
        const slot = DecodeCache.slot(phys);
        const d = this.decoded;
        const cached = d.instrs[slot];
        if (cached !== null && cached.tag === phys && cached.stamp === this.fetchStamp) return cached;
        const e = d.take(slot);
        decode(this, eip, this.code32, e);
        e.fn = handlerFor(e, this.model);
        e.endsUnit = this.jit !== null && endsUnit(e);
        if ((lin & 0xfff) + e.len <= 0x1000) {
          const ppage = phys >>> 12;
          if (this.memory.codePages[ppage] === 0) this.protectCode(ppage);
          e.tag = phys;
          e.stamp = this.fetchStamp;
        }
        return e;
      }
    }
    const i = this.instr;
    decode(this, eip, this.code32, i);
    i.fn = handlerFor(i, this.model);
    return i;
  }

  /**
   * Takes a pending NMI or maskable interrupt; true when one was delivered.
   * `pins.attention` stays set while anything is pending, delivered or held
   * off (NMI blocked, IF clear), so the next instruction boundary looks again.
   */
  private pollInterrupts(): boolean {
    const pins = this.pins;
    // A debugger's stop keeps the attention path (and so itself) on.
    pins.attention = this.stopBefore !== null;
    const apic = this.apic;
    if (apic !== null) {
      if (apic.nmiPending) {
        pins.attention = true;
        if (!this.nmiBlocked) {
          apic.takeNmi();
          this.deliverNmi();
          return true;
        }
      }
      if (apic.hasInterrupt()) {
        pins.attention = true;
        if ((this.flags & IF) !== 0) {
          this.deliverExternal(apic.acknowledge());
          return true;
        }
      }
      return false;
    }
    if (pins.nmi) {
      pins.attention = true;
      if (!this.nmiBlocked) {
        pins.nmi = false;
        this.deliverNmi();
        return true;
      }
    }
    if (pins.intr) {
      pins.attention = true;
      if ((this.flags & IF) !== 0) {
        this.deliverExternal(pins.acknowledge());
        return true;
      }
    }
    return false;
  }

  private deliverNmi(): void {
    this.nmiBlocked = true;
    this.deliverExternal(NMI_VECTOR);
  }

  /** Delivers an event from outside the instruction stream at the current EIP. */
  private deliverExternal(vector: number): void {
    this.halted = false;
    this.eipStart = this.eip;
    try {
      interrupt(this, vector, false, -1, 1);
    } catch (e) {
      this.handleThrown(e);
    }
  }

  private singleStep(): void {
    this.dr[6] |= 0x4000;
    this.eipStart = this.eip;
    this.deliverException(DB, -1);
  }

  private handleThrown(e: unknown): void {
    if (e !== this.fault) throw e;
    this.eip = this.eipStart;
    this.deliverException(this.fault.vector, this.fault.errorCode);
  }

  /** Delivers an exception, escalating to #DF and to a triple fault as the SDM's table 6-5 says. */
  deliverException(vector: number, errorCode: number): void {
    for (let attempt = 0; attempt < 4; attempt++) {
      try {
        interrupt(this, vector, false, errorCode, 1);
        return;
      } catch (e) {
        if (e !== this.fault) throw e;
        const second = this.fault.vector;
        this.eip = this.eipStart;
        if (vector === DF_VECTOR) break;
        const contributory = CONTRIBUTORY[second] === 1;
        if (
          (CONTRIBUTORY[vector] === 1 && contributory) ||
          (vector === PF_VECTOR && (contributory || second === PF_VECTOR))
        ) {
          vector = DF_VECTOR;
          errorCode = 0;
        } else {
          vector = second;
          errorCode = this.fault.errorCode;
        }
      }
    }
    this.shutdown = true;
    this.halted = true;
    this.onTripleFault();
  }

  /** FERR#: x87 error signalled the PC way (CR0.NE clear). */
  signalFerr(): void {
    this.ferr?.set(true);
  }

  /** The register state as data (core's `Cpu.registers`), named as the SDM names them. */
  registers(): Record<string, number> {
    const r = this.regs;
    const out: Record<string, number> = {
      EAX: r[EAX] >>> 0,
      EBX: r[EBX] >>> 0,
      ECX: r[ECX] >>> 0,
      EDX: r[EDX] >>> 0,
      ESI: r[ESI] >>> 0,
      EDI: r[EDI] >>> 0,
      EBP: r[EBP] >>> 0,
      ESP: r[ESP] >>> 0,
      EIP: this.eip >>> 0,
      EFLAGS: this.getFlags() >>> 0,
      CPL: this.cpl,
      HLT: this.halted ? 1 : 0,
    };
    SEGMENT_NAMES.forEach((name, s) => {
      out[name] = this.sel[s];
      out[`${name}.base`] = this.segBase[s] >>> 0;
      out[`${name}.limit`] = this.segLimit[s] >>> 0;
      out[`${name}.flags`] = (this.segAttr[s] << 8) >>> 0;
    });
    Object.assign(out, {
      'GDTR.base': this.gdtBase >>> 0,
      'GDTR.limit': this.gdtLimit,
      'IDTR.base': this.idtBase >>> 0,
      'IDTR.limit': this.idtLimit,
      CR0: this.cr0 >>> 0,
      CR2: this.cr2 >>> 0,
      CR3: this.cr3 >>> 0,
      CR4: this.cr4 >>> 0,
    });
    for (const n of [0, 1, 2, 3, 6, 7]) out[`DR${n}`] = this.dr[n] >>> 0;
    return out;
  }
}
