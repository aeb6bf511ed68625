import type { PhysicalMemory, PortBus } from '@plugboard/core';
import { SimdState } from '../simd/state.js';
import {
  Arena,
  IO_BITS,
  IO_CIN,
  IO_DIRTY,
  IO_DST,
  IO_EIP,
  IO_FLAGS,
  IO_FLAT,
  IO_OP,
  IO_READ_NEED,
  IO_RES,
  IO_SRC,
  IO_SSE,
  IO_WRITE_NEED,
  XMM,
} from './arena.js';
import {
  ARITH_FLAGS,
  ATTR_CODE,
  ATTR_DB,
  ATTR_DC,
  ATTR_P,
  ATTR_RW,
  ATTR_S,
  CF,
  CR0_EM,
  CR0_PE,
  CR0_PG,
  CR0_TS,
  CR0_WP,
  CR4_OSFXSR,
  CR4_PAE,
  CR4_PGE,
  CR4_PSE,
  CS,
  ESP,
  FLAGS_FIXED,
  FS,
  GP,
  IOPL,
  LDTR,
  OF,
  PF,
  PF_VECTOR,
  SF,
  SS,
  SS_VECTOR,
  TR,
  VM,
  ZF,
} from './constants.js';
import { DecodeCache } from './decode-cache.js';
import { GuestFault } from './fault.js';
import type { CodeSource } from './instr.js';

/** Lazy flag producers. */
export const LAZY_ADD = 0;
export const LAZY_SUB = 1;
export const LAZY_LOGIC = 2;

/** Software TLB entry bits. */
const T_VALID = 1;
const T_UREAD = 2;
const T_SWRITE = 4;
const T_UWRITE = 8;
const T_GLOBAL = 16;
const T_DIRTY = 32;
/** Writes may take the page buffer directly: no decoded code to invalidate on the physical page. */
const T_WFAST = 64;
const T_ALL = T_VALID | T_UREAD | T_SWRITE | T_UWRITE | T_DIRTY;

const TLB_PAGES = 1 << 20;
const TLB_LIST = 4096;

/** Segment access shortcut bits (`segAcc`). */
const ACC_READ = 1;
const ACC_WRITE = 2;
const ACC_DOWN = 4;

const PARITY = new Uint8Array(256);
for (let v = 0; v < 256; v++) {
  let b = v;
  b ^= b >> 4;
  b ^= b >> 2;
  b ^= b >> 1;
  PARITY[v] = (b & 1) === 0 ? PF : 0;
}

/**
 * The architectural state of one IA-32 processor and the machinery every
 * instruction shares: lazy flags, segmentation, paging with a software TLB,
 * the stack and port I/O. Instruction handlers live in `ops/`, control
 * transfers through gates and tasks in `transfer.ts`.
 */
export class CpuState implements CodeSource {
  /** EAX..EDI; index 8 stays zero (an absent base or index register). In the arena, where translated code reads them. */
  readonly regs: Int32Array;
  /** Offset of the next instruction in CS (unsigned). */
  eip = 0;
  /** Offset of the instruction being executed (faults restart here). */
  eipStart = 0;

  /** Arithmetic flags not in `flagsDirty`, and every other EFLAGS bit. */
  flags = FLAGS_FIXED;
  flagsDirty = 0;
  lazyOp = 0;
  lazyDst = 0;
  lazySrc = 0;
  lazyRes = 0;
  lazyCin = 0;
  /** Operand width minus one: 7, 15 or 31. */
  lazyBits = 31;

  /** Segment caches ES, CS, SS, DS, FS, GS, LDTR, TR. */
  readonly sel = new Uint16Array(8);
  readonly segBase: Int32Array;
  readonly segLimit = new Uint32Array(8);
  /** Descriptor bits 8-23 of the high dword: type, S, DPL, P, AVL, D/B, G. */
  readonly segAttr = new Int32Array(8);
  /** False for a data segment register loaded with a null selector in protected mode. */
  readonly segValid = new Uint8Array(8);
  readonly segAcc = new Uint8Array(8);
  code32 = false;
  stack32 = false;
  /**
   * A bit per segment register (ES..GS) whose limit is 4 GiB, readable and
   * writable, with base 0 except for FS and GS (CS: 32-bit code, base 0,
   * limit 4 GiB; SS: a 32-bit stack): what translated WebAssembly assumes
   * of the segments it uses.
   */
  flatSegs = 0;
  cpl = 0;

  cr0 = 0;
  cr2 = 0;
  cr3 = 0;
  cr4 = 0;
  readonly dr = new Int32Array(8);
  gdtBase = 0;
  gdtLimit = 0;
  idtBase = 0;
  idtLimit = 0;

  halted = false;
  /** Interrupts are held off for one instruction after MOV SS, POP SS and STI. */
  shadow = false;

  readonly fault = new GuestFault();
  /** XMM registers and MXCSR (in the arena when it is shared); MMX reaches the x87 registers through it. */
  readonly simd: SimdState;

  /** Registers, the TLB's flags and its RAM routes where WebAssembly units reach them. */
  readonly arena: Arena;
  // Software TLB, indexed by linear page number.
  private readonly tlbFlags: Uint8Array;
  private readonly tlbMemRead: Int32Array;
  private readonly tlbMemWrite: Int32Array;
  private readonly tlbPhys = new Int32Array(TLB_PAGES);
  private readonly tlbRBuf: (Uint8Array | null)[] = new Array<Uint8Array | null>(TLB_PAGES).fill(null);
  private readonly tlbROff = new Int32Array(TLB_PAGES);
  private readonly tlbWBuf: (Uint8Array | null)[] = new Array<Uint8Array | null>(TLB_PAGES).fill(null);
  private readonly tlbWOff = new Int32Array(TLB_PAGES);
  private readonly tlbList = new Int32Array(TLB_LIST);
  private tlbCount = 0;
  private tlbOverflow = false;
  /** The `memory.generation` the TLB and the decode cache were filled under. */
  private mapGeneration = -1;
  private readNeed = T_VALID;
  private writeNeed = T_VALID | T_SWRITE | T_DIRTY | T_WFAST;
  /** The linear page code is fetched from, with its buffer and physical address. */
  protected fetchPage = -1;
  protected fetchBuf: Uint8Array | null = null;
  protected fetchOff = 0;
  protected fetchPhys = 0;
  /** `fetchPage` when its instructions may be cached (RAM or ROM), else -1. */
  protected fetchCode = -1;
  /** The decode cache's stamp for `fetchCode`'s page and CS.D. */
  protected fetchStamp = 0;
  /** CS base, and the last offset where a whole 15-byte instruction fits the CS limit. */
  protected csBase = 0;
  protected csFetchLimit = 0;

  /** Instructions decoded so far, by physical address. */
  readonly decoded: DecodeCache;

  constructor(
    readonly memory: PhysicalMemory,
    readonly ports: PortBus,
  ) {
    this.arena = new Arena(memory);
    this.simd = this.arena.shared ? new SimdState(this.arena.buffer, XMM) : new SimdState();
    this.regs = this.arena.regs;
    this.segBase = this.arena.segBase;
    this.tlbFlags = this.arena.tlbFlags;
    this.tlbMemRead = this.arena.tlbMemRead;
    this.tlbMemWrite = this.arena.tlbMemWrite;
    this.decoded = new DecodeCache(memory, this.arena.pageStamp);
    memory.onCodeWrite = (page) => this.codeWritten(page);
  }

  /**
   * Runs WebAssembly units from entry EIP `e`, at most `budget` instructions,
   * and returns the instructions they retired: the lazy flags and the TLB's
   * access needs go to the arena for them, the flags and EIP come back.
   */
  runWasm(run: (e: number, budget: number) => number, e: number, budget: number): number {
    const io = this.arena.io;
    io[IO_FLAGS] = this.flags;
    io[IO_DIRTY] = this.flagsDirty;
    io[IO_OP] = this.lazyOp;
    io[IO_DST] = this.lazyDst;
    io[IO_SRC] = this.lazySrc;
    io[IO_RES] = this.lazyRes;
    io[IO_CIN] = this.lazyCin;
    io[IO_BITS] = this.lazyBits;
    io[IO_READ_NEED] = this.readNeed;
    io[IO_WRITE_NEED] = this.writeNeed;
    io[IO_FLAT] = this.flatSegs;
    io[IO_SSE] = (this.cr0 & (CR0_EM | CR0_TS)) === 0 && (this.cr4 & CR4_OSFXSR) !== 0 ? 1 : 0;
    const k = run(e, budget);
    this.flags = io[IO_FLAGS];
    this.flagsDirty = io[IO_DIRTY];
    this.lazyOp = io[IO_OP];
    this.lazyDst = io[IO_DST];
    this.lazySrc = io[IO_SRC];
    this.lazyRes = io[IO_RES];
    this.lazyCin = io[IO_CIN];
    this.lazyBits = io[IO_BITS];
    this.eip = io[IO_EIP] >>> 0;
    return k;
  }

  /** A write reached physical page `page`, which holds decoded instructions. */
  protected codeWritten(page: number): void {
    this.decoded.invalidate(page);
    // The fetch shortcut carries the page's old stamp.
    if (this.fetchPhys >>> 12 === page) this.fetchPage = this.fetchCode = -1;
  }

  // ---------------------------------------------------------------- faults

  /** Throws guest exception `vector` (error code -1 for none). */
  raise(vector: number, errorCode = -1): never {
    this.fault.vector = vector;
    this.fault.errorCode = errorCode;
    throw this.fault;
  }

  gp(code = 0): never {
    this.raise(GP, code);
  }

  tooLong(): never {
    this.raise(GP, 0);
  }

  // ---------------------------------------------------------------- flags

  getCF(): number {
    if ((this.flagsDirty & CF) === 0) return this.flags & CF;
    const m = this.lazyBits === 31 ? 0xffffffff : (1 << (this.lazyBits + 1)) - 1;
    const d = (this.lazyDst & m) >>> 0;
    const s = (this.lazySrc & m) >>> 0;
    if (this.lazyOp === LAZY_ADD) return d + s + this.lazyCin > m ? 1 : 0;
    if (this.lazyOp === LAZY_SUB) return d < s + this.lazyCin ? 1 : 0;
    return 0;
  }

  getZF(): boolean {
    if ((this.flagsDirty & ZF) === 0) return (this.flags & ZF) !== 0;
    return this.lazyRes << (31 - this.lazyBits) === 0;
  }

  getSF(): boolean {
    if ((this.flagsDirty & SF) === 0) return (this.flags & SF) !== 0;
    return ((this.lazyRes >>> this.lazyBits) & 1) !== 0;
  }

  getOF(): boolean {
    if ((this.flagsDirty & OF) === 0) return (this.flags & OF) !== 0;
    const { lazyDst: d, lazySrc: s, lazyRes: r } = this;
    if (this.lazyOp === LAZY_ADD) return ((((d ^ r) & (s ^ r)) >>> this.lazyBits) & 1) !== 0;
    if (this.lazyOp === LAZY_SUB) return ((((d ^ s) & (d ^ r)) >>> this.lazyBits) & 1) !== 0;
    return false;
  }

  getPF(): boolean {
    if ((this.flagsDirty & PF) === 0) return (this.flags & PF) !== 0;
    return PARITY[this.lazyRes & 0xff] !== 0;
  }

  getAF(): boolean {
    if ((this.flagsDirty & 0x10) === 0) return (this.flags & 0x10) !== 0;
    if (this.lazyOp === LAZY_LOGIC) return false;
    return ((this.lazyDst ^ this.lazySrc ^ this.lazyRes) & 0x10) !== 0;
  }

  /** EFLAGS with every lazy bit computed. */
  getFlags(): number {
    if (this.flagsDirty !== 0) {
      let f = this.flags & ~ARITH_FLAGS;
      if (this.getCF()) f |= CF;
      if (this.getPF()) f |= PF;
      if (this.getAF()) f |= 0x10;
      if (this.getZF()) f |= ZF;
      if (this.getSF()) f |= SF;
      if (this.getOF()) f |= OF;
      this.flags = f;
      this.flagsDirty = 0;
    }
    return this.flags | FLAGS_FIXED;
  }

  /** Replaces the arithmetic flags with `bits` (for instructions that compute them eagerly). */
  setArith(bits: number): void {
    this.flags = (this.flags & ~ARITH_FLAGS) | (bits & ARITH_FLAGS);
    this.flagsDirty = 0;
  }

  /** Sets `mask` bits of EFLAGS from `value`; the caller decides which bits the privilege level allows. */
  setFlags(value: number, mask: number): void {
    const f = (this.getFlags() & ~mask) | (value & mask);
    const changedVm = (f ^ this.flags) & VM;
    this.flags = f | FLAGS_FIXED;
    if (changedVm) this.modeChanged();
  }

  lazy(op: number, dst: number, src: number, res: number, bits: number): void {
    this.lazyOp = op;
    this.lazyDst = dst;
    this.lazySrc = src;
    this.lazyRes = res;
    this.lazyCin = 0;
    this.lazyBits = bits;
    this.flagsDirty = ARITH_FLAGS;
  }

  /** INC/DEC: like ADD/SUB 1 but CF survives. */
  lazyKeepCF(op: number, dst: number, res: number, bits: number): void {
    const cf = this.getCF();
    this.flags = (this.flags & ~CF) | cf;
    this.lazyOp = op;
    this.lazyDst = dst;
    this.lazySrc = 1;
    this.lazyRes = res;
    this.lazyCin = 0;
    this.lazyBits = bits;
    this.flagsDirty = ARITH_FLAGS & ~CF;
  }

  /** Flags for a result of logic: CF=OF=AF=0, SF/ZF/PF from the result. */
  logicFlags(res: number, bits: number): void {
    this.lazyOp = LAZY_LOGIC;
    this.lazyDst = 0;
    this.lazySrc = 0;
    this.lazyRes = res;
    this.lazyBits = bits;
    this.flagsDirty = ARITH_FLAGS;
  }

  /** SF, ZF and PF of `res` as flag bits. */
  static szp(res: number, bits: number): number {
    let f = PARITY[res & 0xff];
    if (res << (31 - bits) === 0) f |= ZF;
    if ((res >>> bits) & 1) f |= SF;
    return f;
  }

  /** Condition code `cc` (0-15, as in Jcc). */
  cond(cc: number): boolean {
    let r: boolean;
    switch (cc >> 1) {
      case 0:
        r = this.getOF();
        break;
      case 1:
        r = this.getCF() !== 0;
        break;
      case 2:
        r = this.getZF();
        break;
      case 3:
        r = this.getCF() !== 0 || this.getZF();
        break;
      case 4:
        r = this.getSF();
        break;
      case 5:
        r = this.getPF();
        break;
      case 6:
        r = this.getSF() !== this.getOF();
        break;
      default:
        r = this.getZF() || this.getSF() !== this.getOF();
        break;
    }
    return (cc & 1) === 0 ? r : !r;
  }

  get iopl(): number {
    return (this.flags & IOPL) >> 12;
  }

  get protectedMode(): boolean {
    return (this.cr0 & CR0_PE) !== 0;
  }

  get v86(): boolean {
    return (this.flags & VM) !== 0;
  }

  // ---------------------------------------------------------------- registers

  get8(r: number): number {
    return r < 4 ? this.regs[r] & 0xff : (this.regs[r - 4] >> 8) & 0xff;
  }

  set8(r: number, v: number): void {
    if (r < 4) this.regs[r] = (this.regs[r] & ~0xff) | (v & 0xff);
    else this.regs[r - 4] = (this.regs[r - 4] & ~0xff00) | ((v & 0xff) << 8);
  }

  set16(r: number, v: number): void {
    this.regs[r] = (this.regs[r] & ~0xffff) | (v & 0xffff);
  }

  // ---------------------------------------------------------------- segments

  /** Recomputes what depends on the mode (CR0.PE, EFLAGS.VM): CPL, access shortcuts, default sizes. */
  modeChanged(): void {
    if (!this.protectedMode) this.setCpl(0);
    else if (this.v86) this.setCpl(3);
    for (let s = 0; s < 6; s++) this.segDerived(s);
  }

  setCpl(cpl: number): void {
    this.cpl = cpl;
    this.readNeed = cpl === 3 ? T_VALID | T_UREAD : T_VALID;
    this.writeNeed =
      cpl === 3 ? T_VALID | T_UWRITE | T_DIRTY | T_WFAST : T_VALID | T_SWRITE | T_DIRTY | T_WFAST;
    this.fetchPage = -1;
    this.fetchCode = -1;
  }

  segDerived(s: number): void {
    const a = this.segAttr[s];
    let acc: number;
    if (!this.protectedMode || this.v86) acc = ACC_READ | ACC_WRITE;
    else if (this.segValid[s] === 0) acc = 0;
    else if (a & ATTR_CODE) acc = a & ATTR_RW ? ACC_READ : 0;
    else acc = ACC_READ | (a & ATTR_RW ? ACC_WRITE : 0) | (a & ATTR_DC ? ACC_DOWN : 0);
    this.segAcc[s] = acc;
    if (s === CS) {
      this.code32 = !this.v86 && (a & ATTR_DB) !== 0;
      this.fetchPage = this.fetchCode = -1;
      this.csBase = this.segBase[CS];
      this.csFetchLimit = this.segLimit[CS] - 15;
    } else if (s === SS) this.stack32 = !this.v86 && (a & ATTR_DB) !== 0;
    const flat =
      (s >= FS || this.segBase[s] === 0) &&
      this.segLimit[s] === 0xffffffff &&
      (s === CS ? this.code32 : (acc & (ACC_READ | ACC_WRITE | ACC_DOWN)) === (ACC_READ | ACC_WRITE)) &&
      (s !== SS || this.stack32);
    this.flatSegs = flat ? this.flatSegs | (1 << s) : this.flatSegs & ~(1 << s);
  }

  /** Loads a segment cache directly. */
  setSeg(s: number, sel: number, base: number, limit: number, attr: number): void {
    this.sel[s] = sel;
    this.segBase[s] = base;
    this.segLimit[s] = limit >>> 0;
    this.segAttr[s] = attr;
    this.segValid[s] = 1;
    if (s < 6) this.segDerived(s);
  }

  /** Real mode and V86 segment load: selector and base only, as the caches keep limit and rights. */
  setSegReal(s: number, sel: number): void {
    this.sel[s] = sel & 0xffff;
    this.segBase[s] = (sel & 0xffff) << 4;
    this.segValid[s] = 1;
    this.segDerived(s);
  }

  /** Marks a data segment register unusable (null selector in protected mode). */
  setSegNull(s: number, sel: number): void {
    this.sel[s] = sel;
    this.segBase[s] = 0;
    this.segLimit[s] = 0;
    this.segAttr[s] = 0;
    this.segValid[s] = 0;
    this.segDerived(s);
  }

  /** Descriptor words of the last `readDescriptor`. */
  descLo = 0;
  descHi = 0;
  /** Linear address of the last descriptor read, for the accessed and busy bits. */
  descAddr = 0;

  /**
   * Reads the GDT or LDT entry `sel` into descLo/descHi; false when it lies
   * outside the table (the caller picks the fault).
   */
  readDescriptor(sel: number): boolean {
    let base: number;
    let limit: number;
    if (sel & 4) {
      if (this.segValid[LDTR] === 0 || (this.sel[LDTR] & 0xfffc) === 0) return false;
      base = this.segBase[LDTR];
      limit = this.segLimit[LDTR];
    } else {
      base = this.gdtBase;
      limit = this.gdtLimit;
    }
    const off = sel & 0xfff8;
    if (off + 7 > limit) return false;
    this.descAddr = (base + off) | 0;
    this.descLo = this.sysRead32(this.descAddr);
    this.descHi = this.sysRead32(this.descAddr + 4);
    return true;
  }

  static descBase(lo: number, hi: number): number {
    return (lo >>> 16) | ((hi & 0xff) << 16) | (hi & 0xff000000) | 0;
  }

  static descLimit(lo: number, hi: number): number {
    const l = (lo & 0xffff) | (hi & 0xf0000);
    return hi & 0x800000 ? ((l << 12) | 0xfff) >>> 0 : l;
  }

  static descAttr(hi: number): number {
    return (hi >> 8) & 0xf0ff;
  }

  /** Loads the cache from descLo/descHi and sets the descriptor's accessed bit. */
  loadFromDescriptor(s: number, sel: number): void {
    const lo = this.descLo;
    let hi = this.descHi;
    if ((hi & 0x100) === 0 && hi & 0x1000) {
      hi |= 0x100;
      this.sysWrite32(this.descAddr + 4, hi);
    }
    this.setSeg(s, sel, CpuState.descBase(lo, hi), CpuState.descLimit(lo, hi), CpuState.descAttr(hi));
  }

  /** MOV/POP/LxS to a data segment register or SS, with every protected-mode check. */
  loadSeg(s: number, sel: number): void {
    sel &= 0xffff;
    if (!this.protectedMode || this.v86) {
      this.setSegReal(s, sel);
      return;
    }
    const rpl = sel & 3;
    if ((sel & 0xfffc) === 0) {
      if (s === SS) this.gp(0);
      this.setSegNull(s, sel);
      return;
    }
    if (!this.readDescriptor(sel)) this.gp(sel & 0xfffc);
    const attr = CpuState.descAttr(this.descHi);
    const dpl = (attr >> 5) & 3;
    if (s === SS) {
      if (
        rpl !== this.cpl ||
        dpl !== this.cpl ||
        (attr & (ATTR_S | ATTR_CODE | ATTR_RW)) !== (ATTR_S | ATTR_RW)
      ) {
        this.gp(sel & 0xfffc);
      }
      if ((attr & ATTR_P) === 0) this.raise(SS_VECTOR, sel & 0xfffc);
    } else {
      if ((attr & ATTR_S) === 0) this.gp(sel & 0xfffc);
      if (attr & ATTR_CODE && (attr & ATTR_RW) === 0) this.gp(sel & 0xfffc);
      const conformingCode = (attr & (ATTR_CODE | ATTR_DC)) === (ATTR_CODE | ATTR_DC);
      if (!conformingCode && (rpl > dpl || this.cpl > dpl)) this.gp(sel & 0xfffc);
      if ((attr & ATTR_P) === 0) this.raise(11, sel & 0xfffc);
    }
    this.loadFromDescriptor(s, sel);
  }

  /** Linear address of `len` bytes at `off` in segment `s` for reading (offset already masked). */
  segRead(s: number, off: number, len: number): number {
    if ((this.segAcc[s] & (ACC_READ | ACC_DOWN)) === ACC_READ) {
      if ((off >>> 0) + len - 1 > this.segLimit[s]) this.segFault(s);
      return (this.segBase[s] + off) | 0;
    }
    return this.segSlow(s, off, len, ACC_READ);
  }

  segWrite(s: number, off: number, len: number): number {
    if ((this.segAcc[s] & (ACC_WRITE | ACC_DOWN)) === ACC_WRITE) {
      if ((off >>> 0) + len - 1 > this.segLimit[s]) this.segFault(s);
      return (this.segBase[s] + off) | 0;
    }
    return this.segSlow(s, off, len, ACC_WRITE);
  }

  private segSlow(s: number, off: number, len: number, need: number): number {
    const acc = this.segAcc[s];
    if ((acc & need) === 0) this.segFault(s);
    off >>>= 0;
    const end = off + len - 1;
    const upper = this.segAttr[s] & ATTR_DB ? 0xffffffff : 0xffff;
    if (off <= this.segLimit[s] || end > upper) this.segFault(s);
    return (this.segBase[s] + off) | 0;
  }

  /** Whether `len` bytes at `off` pass the checks segRead/segWrite make, without raising anything. */
  segFits(s: number, off: number, len: number, write: boolean): boolean {
    const acc = this.segAcc[s];
    if ((acc & (write ? ACC_WRITE : ACC_READ)) === 0) return false;
    off >>>= 0;
    const end = off + len - 1;
    if (acc & ACC_DOWN)
      return off > this.segLimit[s] && end <= (this.segAttr[s] & ATTR_DB ? 0xffffffff : 0xffff);
    return end <= this.segLimit[s];
  }

  segFault(s: number): never {
    this.raise(s === SS ? SS_VECTOR : GP, 0);
  }

  // ---------------------------------------------------------------- paging and the TLB

  flushTlb(keepGlobal: boolean): void {
    this.fetchPage = -1;
    this.fetchCode = -1;
    if (this.tlbOverflow) {
      this.tlbFlags.fill(0);
      this.tlbOverflow = false;
      this.tlbCount = 0;
      return;
    }
    const list = this.tlbList;
    const flags = this.tlbFlags;
    let kept = 0;
    for (let n = 0; n < this.tlbCount; n++) {
      const page = list[n];
      if (keepGlobal && flags[page] & T_GLOBAL) list[kept++] = page;
      else flags[page] = 0;
    }
    this.tlbCount = kept;
  }

  invlpg(lin: number): void {
    this.tlbFlags[lin >>> 12] = 0;
    this.fetchPage = -1;
    this.fetchCode = -1;
  }

  /**
   * Drops every cached route when the physical memory map changed (code
   * decoded from the pages that changed went at once: `PhysicalMemory.remapped`).
   */
  checkMemoryMap(): void {
    if (this.memory.generation !== this.mapGeneration) {
      this.mapGeneration = this.memory.generation;
      this.flushTlb(false);
    }
  }

  /**
   * Physical page `ppage` now holds decoded instructions: from here on writes
   * to it leave the TLB's direct path, so `PhysicalMemory` sees them and the
   * decode cache forgets the page.
   */
  protectCode(ppage: number): void {
    this.memory.codePages[ppage] = 1;
    if (this.tlbOverflow) {
      this.flushTlb(false);
      return;
    }
    const list = this.tlbList;
    const flags = this.tlbFlags;
    const phys = this.tlbPhys;
    for (let n = 0; n < this.tlbCount; n++) {
      const page = list[n];
      if (phys[page] >>> 12 === ppage) flags[page] &= ~T_WFAST;
    }
  }

  /** After a write off the direct path: reopens it once the page holds no decoded code. */
  private reopenWrite(page: number): void {
    if (this.tlbFlags[page] !== 0 && this.memory.codePages[this.tlbPhys[page] >>> 12] === 0)
      this.tlbFlags[page] |= T_WFAST;
  }

  private tlbFill(page: number, phys: number, flags: number): void {
    const ppage = phys >>> 12;
    const mem = this.memory;
    if (this.tlbFlags[page] === 0) {
      if (this.tlbCount < TLB_LIST) this.tlbList[this.tlbCount++] = page;
      else this.tlbOverflow = true;
    }
    this.tlbFlags[page] = mem.codePages[ppage] === 0 ? flags | T_WFAST : flags;
    this.tlbPhys[page] = phys;
    this.tlbRBuf[page] = mem.readBuf[ppage];
    this.tlbROff[page] = mem.readOff[ppage];
    this.tlbWBuf[page] = mem.writeBuf[ppage];
    this.tlbWOff[page] = mem.writeOff[ppage];
    const at = ppage << 12;
    this.tlbMemRead[page] =
      mem.readBuf[ppage] === mem.ram && mem.readOff[ppage] === at ? mem.ram.byteOffset + at : -1;
    this.tlbMemWrite[page] =
      mem.writeBuf[ppage] === mem.ram && mem.writeOff[ppage] === at ? mem.ram.byteOffset + at : -1;
  }

  /** Physical address of `lin`, walking the page tables on a TLB miss; throws #PF. */
  translate(lin: number, write: boolean, user: boolean): number {
    const page = lin >>> 12;
    const need = user
      ? write
        ? T_VALID | T_UWRITE | T_DIRTY
        : T_VALID | T_UREAD
      : write
        ? T_VALID | T_SWRITE | T_DIRTY
        : T_VALID;
    if ((this.tlbFlags[page] & need) === need) return this.tlbPhys[page] | (lin & 0xfff);
    return this.walk(lin, write, user);
  }

  private pageFault(lin: number, bits: number, write: boolean, user: boolean): never {
    this.cr2 = lin;
    this.raise(PF_VECTOR, bits | (write ? 2 : 0) | (user ? 4 : 0));
  }

  private walk(lin: number, write: boolean, user: boolean): number {
    const page = lin >>> 12;
    const a20 = this.memory.a20Mask;
    if ((this.cr0 & CR0_PG) === 0) {
      const phys = (lin & a20 & ~0xfff) | 0;
      this.tlbFill(page, phys, T_ALL);
      return phys | (lin & 0xfff);
    }
    const mem = this.memory;
    let rw: number;
    let us: number;
    let phys: number;
    let global: number;
    let dirty: number;
    if (this.cr4 & CR4_PAE) {
      const pdpteAddr = ((this.cr3 & ~0x1f) + ((lin >>> 30) << 3)) & a20;
      const pdpte = mem.read32(pdpteAddr);
      if ((pdpte & 1) === 0) this.pageFault(lin, 0, write, user);
      if (pdpte & 0x1e6 || mem.read32(pdpteAddr + 4) & 0xfffffff0) this.pageFault(lin, 9, write, user);
      const pdeAddr = ((pdpte & ~0xfff) + (((lin >>> 21) & 0x1ff) << 3)) & a20;
      const pde = mem.read32(pdeAddr);
      if ((pde & 1) === 0) this.pageFault(lin, 0, write, user);
      if (mem.read32(pdeAddr + 4) & 0xfffffff0) this.pageFault(lin, 9, write, user);
      if (pde & 0x80) {
        if (pde & 0x1fe000) this.pageFault(lin, 9, write, user);
        rw = pde & 2;
        us = pde & 4;
        this.checkAccess(lin, rw, us, write, user);
        const npde = pde | 0x20 | (write ? 0x40 : 0);
        if (npde !== pde) mem.write32(pdeAddr, npde);
        phys = (pde & 0xffe00000) | (lin & 0x1ff000);
        global = pde & 0x100;
        dirty = npde & 0x40;
      } else {
        const pteAddr = ((pde & ~0xfff) + (((lin >>> 12) & 0x1ff) << 3)) & a20;
        const pte = mem.read32(pteAddr);
        if ((pte & 1) === 0) this.pageFault(lin, 0, write, user);
        if (mem.read32(pteAddr + 4) & 0xfffffff0) this.pageFault(lin, 9, write, user);
        rw = pde & pte & 2;
        us = pde & pte & 4;
        this.checkAccess(lin, rw, us, write, user);
        if ((pde & 0x20) === 0) mem.write32(pdeAddr, pde | 0x20);
        const npte = pte | 0x20 | (write ? 0x40 : 0);
        if (npte !== pte) mem.write32(pteAddr, npte);
        phys = pte & ~0xfff;
        global = pte & 0x100;
        dirty = npte & 0x40;
      }
    } else {
      const pdeAddr = ((this.cr3 & ~0xfff) | ((lin >>> 20) & 0xffc)) & a20;
      const pde = mem.read32(pdeAddr);
      if ((pde & 1) === 0) this.pageFault(lin, 0, write, user);
      if (pde & 0x80 && this.cr4 & CR4_PSE) {
        if (pde & 0x3fe000) this.pageFault(lin, 9, write, user);
        rw = pde & 2;
        us = pde & 4;
        this.checkAccess(lin, rw, us, write, user);
        const npde = pde | 0x20 | (write ? 0x40 : 0);
        if (npde !== pde) mem.write32(pdeAddr, npde);
        phys = (pde & 0xffc00000) | (lin & 0x3ff000);
        global = pde & 0x100;
        dirty = npde & 0x40;
      } else {
        const pteAddr = ((pde & ~0xfff) | ((lin >>> 10) & 0xffc)) & a20;
        const pte = mem.read32(pteAddr);
        if ((pte & 1) === 0) this.pageFault(lin, 0, write, user);
        rw = pde & pte & 2;
        us = pde & pte & 4;
        this.checkAccess(lin, rw, us, write, user);
        if ((pde & 0x20) === 0) mem.write32(pdeAddr, pde | 0x20);
        const npte = pte | 0x20 | (write ? 0x40 : 0);
        if (npte !== pte) mem.write32(pteAddr, npte);
        phys = pte & ~0xfff;
        global = pte & 0x100;
        dirty = npte & 0x40;
      }
    }
    phys &= a20;
    const wp = (this.cr0 & CR0_WP) !== 0;
    let flags = T_VALID;
    if (us) flags |= T_UREAD;
    if (rw || !wp) flags |= T_SWRITE;
    if (rw && us) flags |= T_UWRITE;
    if (dirty) flags |= T_DIRTY;
    if (global && this.cr4 & CR4_PGE) flags |= T_GLOBAL;
    this.tlbFill(page, phys, flags);
    return phys | (lin & 0xfff);
  }

  private checkAccess(lin: number, rw: number, us: number, write: boolean, user: boolean): void {
    if (user) {
      if (!us || (write && !rw)) this.pageFault(lin, 1, write, user);
    } else if (write && !rw && this.cr0 & CR0_WP) this.pageFault(lin, 1, write, user);
  }

  // ---------------------------------------------------------------- linear memory at the current privilege

  read8(lin: number): number {
    const p = lin >>> 12;
    if ((this.tlbFlags[p] & this.readNeed) === this.readNeed) {
      const b = this.tlbRBuf[p];
      if (b !== null) return b[this.tlbROff[p] + (lin & 0xfff)];
      return this.memory.read8(this.tlbPhys[p] | (lin & 0xfff));
    }
    return this.memory.read8(this.translate(lin, false, this.cpl === 3));
  }

  read16(lin: number): number {
    const p = lin >>> 12;
    const o = lin & 0xfff;
    if (o <= 0xffe && (this.tlbFlags[p] & this.readNeed) === this.readNeed) {
      const b = this.tlbRBuf[p];
      if (b !== null) {
        const i = this.tlbROff[p] + o;
        return b[i] | (b[i + 1] << 8);
      }
      return this.memory.read16(this.tlbPhys[p] | o);
    }
    if (o <= 0xffe) return this.memory.read16(this.translate(lin, false, this.cpl === 3));
    return this.read8(lin) | (this.read8(lin + 1) << 8);
  }

  /** Signed 32-bit result. */
  read32(lin: number): number {
    const p = lin >>> 12;
    const o = lin & 0xfff;
    if (o <= 0xffc && (this.tlbFlags[p] & this.readNeed) === this.readNeed) {
      const b = this.tlbRBuf[p];
      if (b !== null) {
        const i = this.tlbROff[p] + o;
        return b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24);
      }
      return this.memory.read32(this.tlbPhys[p] | o) | 0;
    }
    if (o <= 0xffc) return this.memory.read32(this.translate(lin, false, this.cpl === 3)) | 0;
    return this.read16(lin) | (this.read16(lin + 2) << 16);
  }

  write8(lin: number, v: number): void {
    const p = lin >>> 12;
    if ((this.tlbFlags[p] & this.writeNeed) === this.writeNeed) {
      const b = this.tlbWBuf[p];
      if (b !== null) b[this.tlbWOff[p] + (lin & 0xfff)] = v;
      else this.memory.write8(this.tlbPhys[p] | (lin & 0xfff), v & 0xff);
      return;
    }
    this.memory.write8(this.translate(lin, true, this.cpl === 3), v & 0xff);
    this.reopenWrite(p);
  }

  write16(lin: number, v: number): void {
    const p = lin >>> 12;
    const o = lin & 0xfff;
    if (o <= 0xffe) {
      if ((this.tlbFlags[p] & this.writeNeed) === this.writeNeed) {
        const b = this.tlbWBuf[p];
        if (b !== null) {
          const i = this.tlbWOff[p] + o;
          b[i] = v;
          b[i + 1] = v >> 8;
        } else this.memory.write16(this.tlbPhys[p] | o, v & 0xffff);
        return;
      }
      this.memory.write16(this.translate(lin, true, this.cpl === 3), v & 0xffff);
      this.reopenWrite(p);
      return;
    }
    this.translate((lin + 1) & ~0xfff, true, this.cpl === 3);
    this.write8(lin, v);
    this.write8(lin + 1, v >> 8);
  }

  write32(lin: number, v: number): void {
    const p = lin >>> 12;
    const o = lin & 0xfff;
    if (o <= 0xffc) {
      if ((this.tlbFlags[p] & this.writeNeed) === this.writeNeed) {
        const b = this.tlbWBuf[p];
        if (b !== null) {
          const i = this.tlbWOff[p] + o;
          b[i] = v;
          b[i + 1] = v >> 8;
          b[i + 2] = v >> 16;
          b[i + 3] = v >> 24;
        } else this.memory.write32(this.tlbPhys[p] | o, v >>> 0);
        return;
      }
      this.memory.write32(this.translate(lin, true, this.cpl === 3), v >>> 0);
      this.reopenWrite(p);
      return;
    }
    this.translate(lin, true, this.cpl === 3);
    this.translate((lin + 3) & ~0xfff, true, this.cpl === 3);
    for (let k = 0; k < 4; k++) this.write8(lin + k, v >> (k * 8));
  }

  /** Checks that a write to `lin..lin+len-1` would succeed, before a multi-part update. */
  probeWrite(lin: number, len: number): void {
    this.translate(lin, true, this.cpl === 3);
    if (((lin & 0xfff) + len - 1) >> 12) this.translate((lin + len - 1) & ~0xfff, true, this.cpl === 3);
  }

  // Supervisor accesses the processor makes itself: descriptor tables, the TSS, the IDT.
  sysRead8(lin: number): number {
    return this.memory.read8(this.translate(lin, false, false));
  }

  sysRead16(lin: number): number {
    return this.sysRead8(lin) | (this.sysRead8(lin + 1) << 8);
  }

  sysRead32(lin: number): number {
    if ((lin & 0xfff) <= 0xffc) return this.memory.read32(this.translate(lin, false, false)) | 0;
    return this.sysRead16(lin) | (this.sysRead16(lin + 2) << 16);
  }

  sysWrite8(lin: number, v: number): void {
    this.memory.write8(this.translate(lin, true, false), v & 0xff);
  }

  sysWrite16(lin: number, v: number): void {
    this.sysWrite8(lin, v);
    this.sysWrite8(lin + 1, v >> 8);
  }

  sysWrite32(lin: number, v: number): void {
    if ((lin & 0xfff) <= 0xffc) this.memory.write32(this.translate(lin, true, false), v >>> 0);
    else {
      this.sysWrite16(lin, v);
      this.sysWrite16(lin + 2, v >> 16);
    }
  }

  /** The page buffer the last `blockIndex` pointed into. */
  blockBuf: Uint8Array = new Uint8Array(0);

  /**
   * For block moves: the index of `lin` in `blockBuf` when its page is a RAM or
   * ROM buffer for this access at the current privilege, else -1. Raises the
   * #PF the first byte would.
   */
  blockIndex(lin: number, write: boolean): number {
    const p = lin >>> 12;
    const need = write ? this.writeNeed : this.readNeed;
    if ((this.tlbFlags[p] & need) !== need) {
      this.translate(lin, write, this.cpl === 3);
      if (write) {
        this.memory.written(this.tlbPhys[p], 1);
        this.reopenWrite(p);
      }
    }
    const b = write ? this.tlbWBuf[p] : this.tlbRBuf[p];
    if (b === null) return -1;
    this.blockBuf = b;
    return (write ? this.tlbWOff[p] : this.tlbROff[p]) + (lin & 0xfff);
  }

  // ---------------------------------------------------------------- code fetch

  fetch8(eip: number): number {
    eip = this.code32 ? eip >>> 0 : eip & 0xffff;
    if (eip > this.segLimit[CS]) this.gp(0);
    const lin = (this.segBase[CS] + eip) | 0;
    const page = lin >>> 12;
    if (page === this.fetchPage || this.fetchFrom(lin)) return this.fetchBuf![this.fetchOff + (lin & 0xfff)];
    return this.memory.read8(this.tlbPhys[page] | (lin & 0xfff));
  }

  /**
   * Points the fetch shortcut at the page of linear `lin` (walking the page
   * tables, which may raise #PF); false when the page is MMIO.
   */
  protected fetchFrom(lin: number): boolean {
    const page = lin >>> 12;
    const need = this.readNeed;
    if ((this.tlbFlags[page] & need) !== need) this.translate(lin, false, this.cpl === 3);
    const b = this.tlbRBuf[page];
    if (b === null) return false;
    const phys = this.tlbPhys[page];
    const ppage = phys >>> 12;
    const mem = this.memory;
    this.fetchPage = page;
    this.fetchBuf = b;
    this.fetchOff = this.tlbROff[page];
    this.fetchPhys = phys;
    // RAM seen at its own address is watched for writes; a buffer nothing writes through (ROM) never changes.
    const watched = b === mem.ram ? this.fetchOff === phys : mem.writeBuf[ppage] === null;
    this.fetchCode = watched && this.decoded.cacheable(ppage) ? page : -1;
    this.fetchStamp = this.decoded.stampOf(ppage, this.code32);
    return true;
  }

  /**
   * The first `bytes` of linear page `lin` when the TLB maps it readable at
   * the CPL now (no walk, no fault), else null: what a translator may look
   * at beyond the page it translates.
   */
  protected codeAt(lin: number, bytes: number): Uint8Array | null {
    const p = lin >>> 12;
    const need = this.readNeed;
    if ((this.tlbFlags[p] & need) !== need) return null;
    const b = this.tlbRBuf[p];
    if (b === null) return null;
    const off = this.tlbROff[p];
    return b.subarray(off, off + bytes);
  }

  /** The page buffer `codeWindow` last pointed into. */
  codeBuf: Uint8Array = new Uint8Array(0);

  codeWindow(eip: number): number {
    if ((eip >>> 0) + 15 > this.segLimit[CS]) return -1;
    const lin = (this.segBase[CS] + eip) | 0;
    const o = lin & 0xfff;
    if (o > 0xff0) return -1;
    if (lin >>> 12 !== this.fetchPage && !this.fetchFrom(lin)) return -1;
    this.codeBuf = this.fetchBuf!;
    return this.fetchOff + o;
  }

  // ---------------------------------------------------------------- stack

  /** Stack pointer as the current SS size sees it (32-bit values as signed int32, like offsets). */
  get sp(): number {
    return this.stack32 ? this.regs[ESP] : this.regs[ESP] & 0xffff;
  }

  setSP(v: number): void {
    if (this.stack32) this.regs[ESP] = v;
    else this.regs[ESP] = (this.regs[ESP] & ~0xffff) | (v & 0xffff);
  }

  push16(v: number): void {
    const sp = this.stack32 ? (this.regs[ESP] - 2) | 0 : (this.regs[ESP] - 2) & 0xffff;
    this.write16(this.segWrite(SS, sp, 2), v);
    this.setSP(sp);
  }

  push32(v: number): void {
    const sp = this.stack32 ? (this.regs[ESP] - 4) | 0 : (this.regs[ESP] - 4) & 0xffff;
    this.write32(this.segWrite(SS, sp, 4), v);
    this.setSP(sp);
  }

  push(v: number, o32: boolean): void {
    if (o32) this.push32(v);
    else this.push16(v);
  }

  pop16(): number {
    const sp = this.sp;
    const v = this.read16(this.segRead(SS, sp, 2));
    this.setSP(sp + 2);
    return v;
  }

  pop32(): number {
    const sp = this.sp;
    const v = this.read32(this.segRead(SS, sp, 4));
    this.setSP(sp + 4);
    return v;
  }

  /**
   * Checks that `len` bytes below SP can be pushed (limit, then pages), so an
   * instruction that pushes several values faults before it writes any. On a
   * 16-bit stack the pushes wrap one by one below 0, so a wrapping run is two
   * pieces, each of which must fit.
   */
  probePush(len: number): void {
    const sp = this.sp;
    if (this.stack32 || sp >= len) {
      const off = (sp - len) | 0;
      this.probeWrite(this.segWrite(SS, this.stack32 ? off : off & 0xffff, len), len);
      return;
    }
    if (sp > 0) this.probeWrite(this.segWrite(SS, 0, sp), sp);
    this.probeWrite(this.segWrite(SS, 0x10000 - (len - sp), len - sp), len - sp);
  }

  /** Checks the segment limit for `len` bytes popped from SP (two pieces where a 16-bit SP wraps). */
  checkPop(len: number): void {
    const sp = this.sp;
    if (this.stack32 || sp + len <= 0x10000) {
      this.segRead(SS, sp, len);
      return;
    }
    this.segRead(SS, sp, 0x10000 - sp);
    this.segRead(SS, 0, len - (0x10000 - sp));
  }

  /** Reads the stack `off` bytes above SP without popping. */
  peek(off: number, o32: boolean): number {
    const sp = this.stack32 ? (this.regs[ESP] + off) | 0 : (this.regs[ESP] + off) & 0xffff;
    return o32 ? this.read32(this.segRead(SS, sp, 4)) : this.read16(this.segRead(SS, sp, 2));
  }

  // ---------------------------------------------------------------- I/O

  /** IN/OUT/INS/OUTS permission: IOPL, then the TSS I/O bitmap (SDM vol. 1, 19.5). */
  checkIo(port: number, len: number): void {
    if (!this.protectedMode || (!this.v86 && this.cpl <= this.iopl)) return;
    const type = this.segAttr[TR] & 0xf;
    if (this.segValid[TR] === 0 || (type !== 9 && type !== 11)) this.gp(0);
    const limit = this.segLimit[TR];
    if (limit < 0x67) this.gp(0);
    const base = this.segBase[TR];
    const mapOff = this.sysRead16(base + 0x66);
    const byte = mapOff + (port >> 3);
    if (byte + 1 > limit) this.gp(0);
    const bits = this.sysRead16(base + byte);
    const mask = ((1 << len) - 1) << (port & 7);
    if (bits & mask) this.gp(0);
  }

  // ---------------------------------------------------------------- misc helpers for handlers

  /** Offset of the memory operand (masked to the address size). */
  ea(base: number, index: number, scale: number, disp: number, a32: boolean): number {
    const r = this.regs;
    const v = r[base] + (r[index] << scale) + disp;
    return a32 ? v | 0 : v & 0xffff;
  }
}
