import type { Device } from '../plugin/manifest.js';

/** The eight general registers by their IA-32 names. */
export type GeneralRegister = 'eax' | 'ecx' | 'edx' | 'ebx' | 'esp' | 'ebp' | 'esi' | 'edi';

/**
 * Where firmware that loads a kernel itself hands over (Linux's 32-bit boot
 * protocol): protected mode with flat 4 GiB segments, paging and interrupts
 * off, at `eip`.
 */
export interface ProtectedModeStart {
  eip: number;
  /** The GDT the firmware wrote into RAM; the selectors index flat code and data descriptors in it. */
  gdtBase: number;
  gdtLimit: number;
  codeSelector: number;
  dataSelector: number;
  /** General registers; those not given are zero. */
  registers: Partial<Record<GeneralRegister, number>>;
}

/**
 * A processor's register state as data: names as the architecture's manuals
 * spell them, in the order the CPU lists them, values as unsigned numbers.
 * A model formats it for people itself (x86: QEMU's `info registers` layout).
 */
export type CpuRegisters = Readonly<Record<string, number>>;

/**
 * A processor as the run loop drives it. The CPU polls `CpuPins` and its own
 * local APIC between instructions, and advances nothing but its own state:
 * the machine turns executed instructions into virtual time.
 */
export interface Cpu extends Device {
  /**
   * Runs at most `budget` instructions and returns how many ran; 0 while
   * halted with nothing pending. It starts with `clock.beginSlice(budget)`,
   * sets `clock.retired` to the instructions retired so far before each one
   * (so `clock.now` is exact at device accesses) and stops early once it
   * reaches `clock.sliceLimit` (lowered when a timer due sooner is armed).
   */
  run(budget: number): number;
  /** In HLT (or waiting for SIPI) and not woken yet. */
  readonly halted: boolean;
  /** A maskable interrupt would be taken (x86: EFLAGS.IF); in HLT without it only NMI, INIT or reset wake the CPU. */
  readonly interruptible: boolean;
  /** Instructions retired since power-on. */
  readonly instructionCount: number;
  /** The architectural registers now, read between instructions. */
  registers(): CpuRegisters;
  /** Puts the processor, fresh from reset, in the state `start` describes. */
  startProtectedMode(start: ProtectedModeStart): void;
  /** The registers as the model formats them for the monitor's `info registers`. */
  info(): string;
  /**
   * `count` instructions from linear address `linear`, one a line
   * (`0x000ffff0:  jmp 0xf000:0xe05b`), for the monitor's `x /Ni`; reads
   * memory without side effects. Optional: a model without a disassembler leaves it out.
   */
  disassemble?(linear: number, count: number): string;
  /** What a translating CPU has translated, for the monitor's `info jit`; absent without one. */
  jitInfo?(): string;
  /** What a debugger (the gdbstub) needs; absent for a model without it. */
  readonly debug?: CpuDebug;
}

/** One present page (or large page) of the page tables. */
export interface PageMapping {
  linear: number;
  physical: number;
  /** Bytes: 4 KiB, or a large page's 2 or 4 MiB. */
  size: number;
  /** The entry's flag letters as QEMU's `info tlb` prints them (x86: `XGPDACTUW`, `-` for clear). */
  flags: string;
  /** What every level of the walk allows together. */
  user: boolean;
  writable: boolean;
}

/**
 * A processor as a debugger sees it: GDB's register numbering, memory by
 * linear address, and a stop before an instruction. Everything here is read
 * or written between instructions, never during one.
 */
export interface CpuDebug {
  /** GDB's name for the architecture (`set architecture`), e.g. `i386`. */
  readonly gdbArchitecture: string;
  /** How many registers GDB's `g` packet carries; each is 32 bits, little-endian. */
  readonly gdbRegisterCount: number;
  /** GDB's register `n` (x86: EAX ECX EDX EBX ESP EBP ESI EDI EIP EFLAGS CS SS DS ES FS GS). */
  readGdbRegister(n: number): number;
  /** Sets GDB's register `n`; false when the model cannot (a new protected-mode selector). */
  writeGdbRegister(n: number, value: number): boolean;
  /** The physical address of `linear` through the current paging, without side effects; -1 if unmapped. */
  translate(linear: number): number;
  /**
   * Every present page of the current page tables, in linear order, read
   * without side effects (RAM only); null while paging is off. For the
   * monitor's `info tlb` and `info mem`.
   */
  pageMappings?(): PageMapping[] | null;
  /** The linear address of the next instruction (x86: CS base + EIP). */
  readonly pc: number;
  /**
   * Asked with the linear address of each instruction before it runs, while
   * set: true ends the run slice before it. Null (the default) costs nothing.
   */
  stopBefore: ((linear: number) => boolean) | null;
}
