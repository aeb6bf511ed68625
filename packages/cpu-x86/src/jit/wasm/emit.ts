import {
  IO,
  IO_BITS,
  IO_CIN,
  IO_DIRTY,
  IO_DST,
  IO_EIP,
  IO_FLAGS,
  IO_OP,
  IO_READ_NEED,
  IO_RES,
  IO_SRC,
  IO_WRITE_NEED,
  REGS,
  SEG_BASE,
  TLB_FLAGS,
  TLB_MEM_READ,
  TLB_MEM_WRITE,
} from '../../core/arena.js';
import { ARITH_FLAGS, CF, CS, FS, NOREG, OF } from '../../core/constants.js';
import { LAZY_ADD, LAZY_LOGIC, LAZY_SUB } from '../../core/cpu.js';
import type { Instr } from '../../core/instr.js';
import { Code, I64, VOID, W } from './encoder.js';
import { PAIR_CF } from './flags.js';
import { emittable, segmentsOf } from './forms.js';
import { CONDITION_BASE, IO_REFUSED, PORT_IO_FUNCTION } from './host.js';
import { emitInstr } from './lower.js';
import type { Block, Region } from './region.js';

// One unit as a WebAssembly function `run(e, budget) -> retired`: `e` is the
// entry's EIP. A unit holds a region (`region.ts`): blocks of one page, in
// address order inside a loop whose `br_table` enters the one a jump names,
// so branches between them (loops among them) stay in the function. A jump
// out of the region, or any other transfer, leaves with EIP at its target,
// returning the instructions retired. Registers live in locals, loaded on
// entry and stored back at each exit; the software TLB is read in place (the
// arena); the lazy flags of the last flag-setting instruction stay in locals
// until an exit, a condition the unit cannot compute from them or the next
// block needs them in memory. Nothing in a unit can fault or touch MMIO:
// where the interpreter would take a slow path (a TLB miss, a page end, ROM
// or MMIO, a page holding decoded code) the unit stores EIP and returns
// `~k`, k the instructions it completed before the one that needs it, which
// the run loop then executes as usual. IN and OUT go through the host
// (`portIo`), which may send the unit back to the run loop after them. The
// dispatcher enters a unit only when `budget` holds a pass through all of
// its blocks; a jump back to an earlier block checks that again and leaves
// when it does not.

const io = (slot: number): number => IO + 4 * slot;
const regAt = (r: number): number => REGS + 4 * r;

/** The lazy flags of the last flag-setting instruction, not yet stored in the arena. */
interface Pending {
  op: number;
  bits: number;
  dirty: number;
  /** Locals; `src` -1 for the constant 1 of INC/DEC, `cin` -1 for a carry-in of 0. */
  dst: number;
  src: number;
  res: number;
  cin: number;
}

/** The parameters of a unit's function: its entry's EIP, and the instructions it may retire. */
const ENTRY = 0;
const BUDGET = 1;

/** What one unit's code needs while it is emitted. */
export class UnitEmitter {
  readonly code = new Code(2);
  /** Segment registers (bits) the unit assumes flat. */
  segs = 1 << CS;
  /** The last instruction set EIP itself (a transfer). */
  transferred = false;
  private pending: Pending | null = null;
  /** Scratch locals: a linear address, where it lies in the memory, its page. */
  readonly addr: number;
  readonly addrPhys: number;
  /** A 64-bit scratch local (products and dividends). */
  readonly wide: number;
  private readonly page: number;
  /** The TLB flags a read and a write need at the CPL (`readNeed`/`writeNeed`), loaded once on entry. */
  private readonly readNeed: number;
  private readonly writeNeed: number;
  /** A local per register; the registers the unit reads or writes, and those it has written so far (bits). */
  private readonly regs: number[] = [];
  private used: number;
  private written: number;
  /** Offset of the current instruction from the entry, and its index in its block. */
  private at = 0;
  private k = 0;
  /** The current block's index, and where each block starts (offset from the entry). */
  private block = 0;
  private readonly blockAt = new Map<number, number>();
  /** Instructions retired before the current block (a local), and the block to enter next in the loop. */
  private readonly retired: number;
  private readonly next: number;
  /** The last instruction jumped to a block of the unit: nothing follows it in its block. */
  private jumped = false;
  /** Some jump goes back to an earlier block or its own: a loop. */
  loops = false;
  /** A local for what the host returned for IN or OUT, made at the first. */
  private status = -1;

  constructor(
    /** Segment registers flat now: an operand in another ends the unit. */
    private readonly flat: number,
    private readonly region: Region,
    /**
     * Registers every exit stores beyond those written so far in address
     * order: with a loop, those the whole unit writes (a first pass finds
     * them), since an exit may follow a pass through code after it.
     */
    written: number,
  ) {
    this.used = this.written = written;
    this.addr = this.code.local();
    this.addrPhys = this.code.local();
    this.page = this.code.local();
    this.wide = this.code.local(I64);
    this.readNeed = this.code.local();
    this.writeNeed = this.code.local();
    this.code.i32(0).mem(W.load, io(IO_READ_NEED)).set(this.readNeed);
    this.code.i32(0).mem(W.load, io(IO_WRITE_NEED)).set(this.writeNeed);
    for (let r = 0; r < 8; r++) this.regs.push(this.code.local());
    this.retired = this.code.local();
    this.next = this.code.local();
    const blocks = region.blocks;
    for (const [j, b] of blocks.entries()) this.blockAt.set(b.start, j);
    // loop { block_{m-1} { ... block_0 { br_table } code_0 } code_1 ... } code_{m-1} }
    this.code.i32(region.entry).set(this.next);
    this.code.op(W.loop, VOID);
    for (let j = 0; j < blocks.length; j++) this.code.op(W.block, VOID);
    this.code.get(this.next).brTable(
      blocks.map((_, j) => j),
      0,
    );
  }

  /** Emits block `j`: its instructions and where it leaves to. */
  emitBlock(j: number, b: Block): void {
    const c = this.code;
    c.op(W.end);
    this.block = j;
    this.pending = null;
    for (let k = 0; k < b.instrs.length; k++) {
      const i = b.instrs[k];
      if (!emittable(i, this.flat)) throw new Error('a region holds an instruction without a form');
      this.at = b.offsets[k];
      this.k = k;
      this.segs |= segmentsOf(i);
      this.transferred = this.jumped = false;
      if (k === b.instrs.length - 1 && b.tail !== null)
        this.sameTail(b.tail, this.at + i.len - b.tail.length);
      emitInstr(this, i, this.at + i.len);
    }
    if (this.jumped) return;
    const length = b.instrs.length;
    if (b.fallsInto) {
      // The next block is also entered from elsewhere, with the flags in the arena.
      this.settle();
      c.get(this.retired).i32(length).op(W.add).set(this.retired);
      return;
    }
    if (!this.transferred) this.setEip(b.end);
    this.flush();
    this.storeRegs();
    c.get(this.retired).i32(length).op(W.add, W.return);
  }

  /**
   * Leaves before the current instruction, which crosses the page end, unless
   * the next page (at `off` from the entry) is readable RAM at the CPL and
   * starts with `tail`, the bytes it had when the unit was written: the unit's
   * stamp covers only its own page.
   */
  private sameTail(tail: Uint8Array, off: number): void {
    const c = this.code;
    this.eipAt(off);
    c.set(this.addr);
    this.translate(tail.length, false);
    for (const [j, byte] of tail.entries()) {
      c.get(this.addrPhys).mem(W.load8u, j).i32(byte).op(W.ne);
      if (j > 0) c.op(W.or);
    }
    this.exitIf();
  }

  /** The registers the unit writes (bits), as `written` for a second pass. */
  get writes(): number {
    return this.written;
  }

  /** Ends the unit after its last block. */
  finish(): Code {
    this.code.op(W.end, W.unreachable);
    // The registers the unit uses, loaded before its first instruction.
    const body = this.code.bytes.splice(0);
    for (let r = 0; r < 8; r++)
      if (this.used & (1 << r)) this.code.i32(0).mem(W.load, regAt(r)).set(this.regs[r]);
    for (const b of body) this.code.bytes.push(b);
    return this.code;
  }

  /** Stores the registers written so far back in the arena, before an exit. */
  private storeRegs(): void {
    for (let r = 0; r < 8; r++)
      if (this.written & (1 << r)) this.code.i32(0).get(this.regs[r]).mem(W.store, regAt(r));
  }

  // ------------------------------------------------------------ state

  private eipAt(off: number): void {
    this.code.get(ENTRY).i32(off).op(W.add);
  }

  /**
   * A near JMP or taken Jcc (inside the Jcc's `if`: `nested` 1) to `off`:
   * into the block starting there, or out of the unit with EIP at `off`.
   * A jump back (or to its own block) enters only while the budget holds
   * another pass through the region.
   */
  jump(off: number, nested: number): void {
    const target = this.blockAt.get(off);
    if (target === undefined) {
      this.setEip(off);
      if (nested !== 0) this.exitAfter();
      else this.transferred = true;
      return;
    }
    const c = this.code;
    this.flush();
    c.get(this.retired)
      .i32(this.k + 1)
      .op(W.add)
      .set(this.retired);
    if (target <= this.block) {
      this.loops = true;
      c.get(this.retired).i32(this.region.length).op(W.add).get(BUDGET).op(W.gtS, W.if, VOID);
      this.setEip(off);
      this.storeRegs();
      c.get(this.retired).op(W.return, W.end);
    }
    c.i32(target).set(this.next);
    c.op(W.br, this.region.blocks.length - 1 - this.block + nested);
    this.jumped = nested === 0;
  }

  setEip(off: number): void {
    this.code.i32(0);
    this.eipAt(off);
    this.code.mem(W.store, io(IO_EIP));
  }

  /** Stores the pending lazy flags as the interpreter's `lazy`/`logicFlags`/`lazyKeepCF` would have. */
  flush(): void {
    const p = this.pending;
    if (p === null) return;
    const c = this.code;
    const put = (slot: number, local: number, constant: number): void => {
      c.i32(0);
      if (local >= 0) c.get(local);
      else c.i32(constant);
      c.mem(W.store, io(slot));
    };
    put(IO_OP, -1, p.op);
    put(IO_BITS, -1, p.bits);
    put(IO_DIRTY, -1, p.dirty);
    put(IO_RES, p.res, 0);
    if (p.op === LAZY_LOGIC) {
      put(IO_DST, -1, 0);
      put(IO_SRC, -1, 0);
    } else {
      put(IO_DST, p.dst, 0);
      put(IO_SRC, p.src, 1);
      put(IO_CIN, p.cin, 0);
    }
  }

  /** Leaves before the current instruction when the value on the stack is not 0. */
  exitIf(): void {
    this.code.op(W.if, VOID);
    this.exitHere();
    this.code.op(W.end);
  }

  /** Leaves before the current instruction, for the run loop to execute it. */
  private exitHere(): void {
    this.toRunLoop(this.at, this.k);
  }

  /**
   * Leaves with EIP at `off` from the entry, the flags stored and `k`
   * instructions of the block retired, returned as `~k` so the dispatcher
   * goes back to the run loop.
   */
  private toRunLoop(off: number, k: number): void {
    this.setEip(off);
    this.flush();
    this.storeRegs();
    this.code.get(this.retired).i32(k).op(W.add).i32(-1).op(W.xor, W.return);
  }

  /**
   * IN or OUT through the host (`host.ts`): `operands` pushes its `op`, port
   * and the value an OUT writes; `result` stores what an IN read. Leaves
   * before the instruction when the host refuses it, and after it, to the
   * run loop, when the host says the loop must look at something.
   */
  portIo(operands: () => void, result: (() => void) | null, next: number): void {
    const c = this.code;
    if (this.status < 0) this.status = c.local();
    operands();
    c.get(BUDGET).get(this.retired).i32(this.k).op(W.add, W.sub);
    c.call(PORT_IO_FUNCTION).tee(this.status);
    c.i32(IO_REFUSED).op(W.eq);
    this.exitIf();
    result?.();
    c.get(this.status).op(W.if, VOID);
    this.toRunLoop(next, this.k + 1);
    c.op(W.end);
  }

  /** Leaves after the current instruction, a taken branch that set EIP: the dispatcher goes on from there. */
  exitAfter(): void {
    this.flush();
    this.storeRegs();
    this.code
      .get(this.retired)
      .i32(this.k + 1)
      .op(W.add, W.return);
  }

  // ------------------------------------------------------------ registers

  reg32(r: number): void {
    if (r === NOREG) this.code.i32(0);
    else this.code.get(this.local(r));
  }

  /** Stores the value `value` leaves on the stack in register `r`. */
  setReg32(r: number, value: () => void): void {
    value();
    this.code.set(this.dirty(r));
  }

  private local(r: number): number {
    this.used |= 1 << r;
    return this.regs[r];
  }

  private dirty(r: number): number {
    this.written |= 1 << r;
    return this.local(r);
  }

  /** AL, CL, DL, BL, AH, CH, DH, BH. */
  reg8(r: number): void {
    const c = this.code;
    c.get(this.local(r & 3));
    if (r >= 4) c.i32(8).op(W.shrU);
    c.i32(0xff).op(W.and);
  }

  setReg8(r: number, value: () => void): void {
    const c = this.code;
    const l = this.dirty(r & 3);
    c.get(l)
      .i32(r < 4 ? ~0xff : ~0xff00)
      .op(W.and);
    value();
    c.i32(0xff).op(W.and);
    if (r >= 4) c.i32(8).op(W.shl);
    c.op(W.or).set(l);
  }

  /** Register `r` of `size` bytes (1: AL..BH, 2: AX..DI, 4: EAX..EDI), zero-extended as `getReg` reads it. */
  reg(r: number, size: number): void {
    if (size === 1) this.reg8(r);
    else if (size === 2) this.code.get(this.local(r)).i32(0xffff).op(W.and);
    else this.reg32(r);
  }

  /** Stores the low `size` bytes of what `value` leaves in register `r`; the rest of the register stays (`setReg`). */
  setReg(r: number, size: number, value: () => void): void {
    if (size === 1) this.setReg8(r, value);
    else if (size === 2) {
      const c = this.code;
      const l = this.dirty(r);
      c.get(l).i32(~0xffff).op(W.and);
      value();
      c.i32(0xffff).op(W.and, W.or).set(l);
    } else this.setReg32(r, value);
  }

  // ------------------------------------------------------------ memory

  /**
   * The memory operand's linear address (32-bit addressing) into local
   * `addr`: flat segments add nothing, FS and GS their base (`flatSegs`
   * holds them to a 4 GiB limit only). LEA wants the offset alone (`linear` false).
   */
  ea(i: Instr, linear = true): void {
    const c = this.code;
    c.i32(i.disp);
    if (linear && i.seg >= FS)
      c.i32(0)
        .mem(W.load, SEG_BASE + 4 * i.seg)
        .op(W.add);
    if (i.base !== NOREG) {
      this.reg32(i.base);
      c.op(W.add);
    }
    if (i.index !== NOREG) {
      this.reg32(i.index);
      if (i.scale !== 0) c.i32(i.scale).op(W.shl);
      c.op(W.add);
    }
    c.set(this.addr);
  }

  /**
   * Where `size` bytes at linear `a` lie in the WebAssembly memory, into
   * local `pa`: the TLB's flags must allow the access at the CPL (the
   * interpreter's `readNeed`/`writeNeed`, so a write also needs a page
   * without decoded code) and the page must be RAM in that direction; else
   * the unit leaves before the instruction. `write` checks the write route,
   * which for RAM is the read route as well.
   */
  translate(size: number, write: boolean): void {
    const c = this.code;
    const need = write ? this.writeNeed : this.readNeed;
    // One exit for all three: the route is read even when the flags refuse (any page has one).
    c.get(this.addr).i32(12).op(W.shrU).tee(this.page);
    c.i32(2)
      .op(W.shl)
      .mem(W.load, write ? TLB_MEM_WRITE : TLB_MEM_READ)
      .tee(this.addrPhys);
    c.i32(0).op(W.ltS);
    c.get(this.page).mem(W.load8u, TLB_FLAGS).get(need).op(W.and).get(need).op(W.ne, W.or);
    if (size > 1)
      c.get(this.addr)
        .i32(0xfff)
        .op(W.and)
        .i32(0x1000 - size)
        .op(W.gtU, W.or);
    c.op(W.if, VOID);
    this.exitHere();
    c.op(W.end);
    c.get(this.addrPhys).get(this.addr).i32(0xfff).op(W.and).op(W.add).set(this.addrPhys);
  }

  /** Pushes the value at `pa`. */
  load(size: number): void {
    this.code.get(this.addrPhys).mem(size === 1 ? W.load8u : size === 2 ? W.load16u : W.load, 0);
  }

  /** Stores what `value` leaves at `pa`. */
  store(size: number, value: () => void): void {
    this.code.get(this.addrPhys);
    value();
    this.code.mem(size === 1 ? W.store8 : size === 2 ? W.store16 : W.store, 0);
  }

  // ------------------------------------------------------------ flags

  /** Stores the pending flags, so the arena holds EFLAGS as the interpreter would have them now. */
  settle(): void {
    this.flush();
    this.pending = null;
  }

  /** Replaces the arithmetic flags with what `bits` leaves (`CpuState.setArith`), after `settle`. */
  setArith(bits: () => void): void {
    const c = this.code;
    c.i32(0);
    c.i32(0).mem(W.load, io(IO_FLAGS)).i32(~ARITH_FLAGS).op(W.and);
    bits();
    c.op(W.or).mem(W.store, io(IO_FLAGS));
    c.i32(0).i32(0).mem(W.store, io(IO_DIRTY));
  }

  /** CF (a local holding 0 or 1) into the flags word; the other flags stay lazy. After `settle`. */
  setCarry(cf: number): void {
    this.setEager(CF, () => this.code.get(cf));
  }

  /** A rotate's CF and OF (locals holding 0 or 1) into the flags word; the other flags stay lazy. After `settle`. */
  setCarryOverflow(cf: number, of: number): void {
    this.setEager(CF | OF, () => this.code.get(cf).get(of).i32(11).op(W.shl, W.or));
  }

  /** The flags in `mask` from what `bits` leaves, no longer owed to the lazy operands (`flagsDirty`). */
  private setEager(mask: number, bits: () => void): void {
    const c = this.code;
    c.i32(0);
    c.i32(0).mem(W.load, io(IO_FLAGS)).i32(~mask).op(W.and);
    bits();
    c.op(W.or).mem(W.store, io(IO_FLAGS));
    c.i32(0);
    c.i32(0).mem(W.load, io(IO_DIRTY)).i32(~mask).op(W.and).mem(W.store, io(IO_DIRTY));
  }

  /** SF, ZF and PF of the `bits`-bit value in local `r` (no bits above them) as flag bits (`CpuState.szp`). */
  szp(r: number, bits = 32): void {
    const c = this.code;
    const x = c.local();
    c.get(r).i32(0xff).op(W.and).set(x);
    for (const s of [4, 2, 1]) c.get(x).get(x).i32(s).op(W.shrU, W.xor).set(x);
    c.get(x).i32(1).op(W.and).i32(1).op(W.xor).i32(2).op(W.shl);
    c.get(r).op(W.eqz).i32(6).op(W.shl, W.or);
    c.get(r)
      .i32(bits - 8)
      .op(W.shrU)
      .i32(0x80)
      .op(W.and, W.or);
  }

  /** Sets the pending flags; `dst`/`src`/`res` are locals. */
  flags(op: number, bits: number, dst: number, src: number, res: number, cin: number): void {
    this.pending = { op, bits, dirty: ARITH_FLAGS, dst, src, res, cin };
  }

  logic(bits: number, res: number): void {
    this.pending = { op: LAZY_LOGIC, bits, dirty: ARITH_FLAGS, dst: -1, src: -1, res, cin: -1 };
  }

  /** CF as the interpreter's `getCF` computes it now, on the stack. */
  carry(): void {
    const c = this.code;
    const p = this.pending;
    if (p === null || (p.op !== LAZY_LOGIC && p.cin >= 0)) {
      this.callPair(PAIR_CF);
      return;
    }
    if ((p.dirty & CF) === 0) {
      c.i32(0).mem(W.load, io(IO_FLAGS)).i32(CF).op(W.and);
      return;
    }
    if (p.op === LAZY_LOGIC) {
      c.i32(0);
      return;
    }
    const sh = 31 - p.bits;
    if (p.op === LAZY_ADD) {
      // A carry out of the top bit leaves the sum below either operand.
      c.get(p.res).i32(sh).op(W.shl);
      c.get(p.dst).i32(sh).op(W.shl, W.ltU);
    } else {
      c.get(p.dst).i32(sh).op(W.shl);
      this.src(p, sh);
      c.op(W.ltU);
    }
  }

  private src(p: Pending, sh: number): void {
    if (p.src >= 0) this.code.get(p.src);
    else this.code.i32(1);
    this.code.i32(sh).op(W.shl);
  }

  /** INC/DEC: CF goes to the flags word as the interpreter's `lazyKeepCF` puts it. */
  keepCarry(op: number, bits: number, dst: number, res: number): void {
    const c = this.code;
    c.i32(0);
    c.i32(0).mem(W.load, io(IO_FLAGS)).i32(~CF).op(W.and);
    this.carry();
    c.op(W.or).mem(W.store, io(IO_FLAGS));
    this.pending = { op, bits, dirty: ARITH_FLAGS & ~CF, dst, src: -1, res, cin: -1 };
  }

  /** Condition `cc` (as in Jcc) on the stack, 0 or 1. */
  cond(cc: number): void {
    const c = this.code;
    const p = this.pending;
    if (p === null || !this.condInline(p, cc >> 1)) this.callPair(cc >> 1);
    if (cc & 1) c.op(W.eqz);
  }

  /** Condition pair `pair` from the lazy flags in the arena, through its `flags.ts` function (`CONDITION_BASE + pair`). */
  private callPair(pair: number): void {
    this.flush();
    this.code.call(CONDITION_BASE + pair);
  }

  /** The condition pair `pair` (cc >> 1) straight from `p`'s operands, where that is simple; false otherwise. */
  private condInline(p: Pending, pair: number): boolean {
    if (p.cin >= 0 && p.op !== LAZY_LOGIC) return false;
    const c = this.code;
    const sh = 31 - p.bits;
    const res = (): void => {
      c.get(p.res).i32(sh).op(W.shl);
    };
    // A rotate since made CF and OF eager: the operands no longer say them.
    if ((p.dirty | CF) !== ARITH_FLAGS) return false;
    const sub = p.op === LAZY_SUB && (p.dirty & CF) !== 0;
    switch (pair) {
      case 2: // ZF
        res();
        c.op(W.eqz);
        return true;
      case 4: // SF
        res();
        c.i32(0).op(W.ltS);
        return true;
      case 1: // CF
        if ((p.dirty & CF) === 0) return false;
        this.carry();
        return true;
      case 3: // CF or ZF
        if (sub) {
          c.get(p.dst).i32(sh).op(W.shl);
          this.src(p, sh);
          c.op(W.leU);
          return true;
        }
        if (p.op === LAZY_LOGIC) {
          res();
          c.op(W.eqz);
          return true;
        }
        return false;
      case 6: // SF != OF
      case 7: // ZF or SF != OF
        if (p.op === LAZY_SUB) {
          c.get(p.dst).i32(sh).op(W.shl);
          this.src(p, sh);
          c.op(pair === 6 ? W.ltS : W.leS);
          return true;
        }
        if (p.op === LAZY_LOGIC) {
          res();
          c.i32(0).op(pair === 6 ? W.ltS : W.leS);
          return true;
        }
        return false;
      default:
        return false;
    }
  }
}
