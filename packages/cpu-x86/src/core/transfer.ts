import {
  AC,
  ATTR_CODE,
  ATTR_DB,
  ATTR_DC,
  ATTR_P,
  ATTR_RW,
  ATTR_S,
  CR0_PG,
  CR0_TS,
  CS,
  DS,
  ES,
  ESP,
  FLAGS_WRITABLE,
  FS,
  GS,
  IF,
  IOPL,
  LDTR,
  NT,
  RF,
  SS,
  SS_VECTOR,
  TF,
  TR,
  TS,
  VM,
} from './constants.js';
import { CpuState } from './cpu.js';

const NP_VECTOR = 11;

/** What started a task switch (SDM vol. 3, 7.3). */
export enum TaskSource {
  Jmp = 0,
  Call = 1,
  Int = 2,
  Iret = 3,
}

// The stack an inner-privilege transfer builds, before SS:ESP are committed.
let nsBase = 0;
let nsLimit = 0;
let nsAttr = 0;
let nsSel = 0;
let nsSp = 0;
// ESP as read from the TSS: on a 16-bit stack the pushes move SP only and ESP[31:16] stays as loaded.
let nsEsp = 0;

function nsPush(c: CpuState, v: number, size: number): void {
  const big = (nsAttr & ATTR_DB) !== 0;
  nsSp = big ? (nsSp - size) >>> 0 : (nsSp - size) & 0xffff;
  const expandDown = (nsAttr & (ATTR_CODE | ATTR_DC)) === ATTR_DC;
  const end = nsSp + size - 1;
  if (expandDown ? nsSp <= nsLimit || end > (big ? 0xffffffff : 0xffff) : end > nsLimit) {
    c.raise(SS_VECTOR, nsSel & 0xfffc);
  }
  const lin = (nsBase + nsSp) | 0;
  if (size === 4) c.sysWrite32(lin, v);
  else c.sysWrite16(lin, v);
}

/** Reads SS:ESP for privilege level `dpl` from the current TSS. */
function tssStack(c: CpuState, dpl: number): { ss: number; esp: number } {
  const type = c.segAttr[TR] & 0xf;
  const base = c.segBase[TR];
  if (type === 9 || type === 11) {
    const off = 4 + dpl * 8;
    if (off + 7 > c.segLimit[TR]) c.raise(TS, c.sel[TR] & 0xfffc);
    return { esp: c.sysRead32(base + off), ss: c.sysRead16(base + off + 4) };
  }
  const off = 2 + dpl * 4;
  if (off + 3 > c.segLimit[TR]) c.raise(TS, c.sel[TR] & 0xfffc);
  return { esp: c.sysRead16(base + off), ss: c.sysRead16(base + off + 2) };
}

/** Validates the stack segment an inner-privilege transfer switches to, leaving its descriptor in nsBase etc. */
function checkNewStack(c: CpuState, ss: number, dpl: number, ext: number): void {
  if ((ss & 0xfffc) === 0) c.raise(TS, ext);
  if (!c.readDescriptor(ss)) c.raise(TS, (ss & 0xfffc) | ext);
  const attr = CpuState.descAttr(c.descHi);
  if ((ss & 3) !== dpl || ((attr >> 5) & 3) !== dpl) c.raise(TS, (ss & 0xfffc) | ext);
  if ((attr & (ATTR_S | ATTR_CODE | ATTR_RW)) !== (ATTR_S | ATTR_RW)) c.raise(TS, (ss & 0xfffc) | ext);
  if ((attr & ATTR_P) === 0) c.raise(SS_VECTOR, (ss & 0xfffc) | ext);
  nsBase = CpuState.descBase(c.descLo, c.descHi);
  nsLimit = CpuState.descLimit(c.descLo, c.descHi);
  nsAttr = attr;
  nsSel = ss;
}

/** Starts building on the stack checked by checkNewStack at `esp` from the TSS. */
function startNewStack(esp: number): void {
  nsEsp = esp;
  nsSp = nsAttr & ATTR_DB ? esp : esp & 0xffff;
}

/**
 * Commits the stack checked by checkNewStack: SS:ESP is the TSS's NewSS:NewESP
 * with the pushes applied (SDM vol. 2, CALL and INT n: "SS:ESP <- NewSS:NewESP").
 */
function commitNewStack(c: CpuState): void {
  c.readDescriptor(nsSel);
  c.loadFromDescriptor(SS, nsSel);
  c.regs[ESP] = nsAttr & ATTR_DB ? nsSp : (nsEsp & ~0xffff) | nsSp;
}

/** Checks a code segment descriptor (in descLo/descHi) as the target of a far transfer. */
function checkCodeTarget(c: CpuState, sel: number, ext: number): number {
  const attr = CpuState.descAttr(c.descHi);
  if ((attr & (ATTR_S | ATTR_CODE)) !== (ATTR_S | ATTR_CODE)) c.gp((sel & 0xfffc) | ext);
  return attr;
}

/** Loads CS from descLo/descHi at privilege `cpl` after every check passed. */
function enterCode(c: CpuState, sel: number, cpl: number, eip: number): void {
  if (eip > CpuState.descLimit(c.descLo, c.descHi)) c.gp(0);
  c.loadFromDescriptor(CS, (sel & 0xfffc) | cpl);
  c.setCpl(cpl);
  c.eip = eip;
}

/** Data segment registers whose DPL is below the new CPL are nulled on a return to an outer level. */
function dropInnerSegments(c: CpuState): void {
  for (const s of [ES, DS, FS, GS]) {
    const a = c.segAttr[s];
    const dpl = (a >> 5) & 3;
    const conformingCode = (a & (ATTR_CODE | ATTR_DC)) === (ATTR_CODE | ATTR_DC);
    if (c.segValid[s] && !conformingCode && dpl < c.cpl) c.setSegNull(s, 0);
  }
}

function isRealLike(c: CpuState): boolean {
  return !c.protectedMode || c.v86;
}

// ---------------------------------------------------------------- far JMP and CALL

export function jmpFar(c: CpuState, sel: number, off: number, o32: boolean): void {
  if (isRealLike(c)) {
    c.setSegReal(CS, sel);
    c.eip = o32 ? off >>> 0 : off & 0xffff;
    return;
  }
  farTransfer(c, sel, o32 ? off >>> 0 : off & 0xffff, o32, false);
}

export function callFar(c: CpuState, sel: number, off: number, o32: boolean): void {
  if (isRealLike(c)) {
    const sp = c.sp;
    c.push(c.sel[CS], o32);
    try {
      c.push(c.eip, o32);
    } catch (e) {
      c.setSP(sp);
      throw e;
    }
    c.setSegReal(CS, sel);
    c.eip = o32 ? off >>> 0 : off & 0xffff;
    return;
  }
  farTransfer(c, sel, o32 ? off >>> 0 : off & 0xffff, o32, true);
}

function farTransfer(c: CpuState, sel: number, off: number, o32: boolean, call: boolean): void {
  if ((sel & 0xfffc) === 0) c.gp(0);
  if (!c.readDescriptor(sel)) c.gp(sel & 0xfffc);
  const attr = CpuState.descAttr(c.descHi);
  const dpl = (attr >> 5) & 3;
  const rpl = sel & 3;
  if (attr & ATTR_S) {
    if ((attr & ATTR_CODE) === 0) c.gp(sel & 0xfffc);
    if (attr & ATTR_DC) {
      if (dpl > c.cpl) c.gp(sel & 0xfffc);
    } else if (rpl > c.cpl || dpl !== c.cpl) c.gp(sel & 0xfffc);
    if ((attr & ATTR_P) === 0) c.raise(NP_VECTOR, sel & 0xfffc);
    if (off > CpuState.descLimit(c.descLo, c.descHi)) c.gp(0);
    if (call) pushReturn(c, o32 ? 4 : 2);
    enterCode(c, sel, c.cpl, off);
    return;
  }
  const type = attr & 0xf;
  switch (type) {
    case 4:
    case 12:
      if (dpl < c.cpl || dpl < rpl) c.gp(sel & 0xfffc);
      if ((attr & ATTR_P) === 0) c.raise(NP_VECTOR, sel & 0xfffc);
      callGate(c, c.descLo, c.descHi, type === 12, call);
      return;
    case 5:
    case 1:
    case 9: {
      if (dpl < c.cpl || dpl < rpl) c.gp(sel & 0xfffc);
      if ((attr & ATTR_P) === 0) c.raise(NP_VECTOR, sel & 0xfffc);
      const tss = type === 5 ? c.descLo >>> 16 : sel;
      taskSwitch(c, tss, call ? TaskSource.Call : TaskSource.Jmp, -1);
      return;
    }
    default:
      c.gp(sel & 0xfffc);
  }
}

/** Pushes CS and EIP of the return address on the current stack, all or nothing. */
function pushReturn(c: CpuState, size: number): void {
  c.probePush(2 * size);
  c.push(c.sel[CS], size === 4);
  c.push(c.eip, size === 4);
}

function callGate(c: CpuState, glo: number, ghi: number, gate32: boolean, call: boolean): void {
  const tsel = glo >>> 16;
  const toff = gate32 ? ((glo & 0xffff) | (ghi & 0xffff0000)) >>> 0 : glo & 0xffff;
  if ((tsel & 0xfffc) === 0) c.gp(0);
  if (!c.readDescriptor(tsel)) c.gp(tsel & 0xfffc);
  const attr = checkCodeTarget(c, tsel, 0);
  const dpl = (attr >> 5) & 3;
  const conforming = (attr & ATTR_DC) !== 0;
  if (call ? dpl > c.cpl : conforming ? dpl > c.cpl : dpl !== c.cpl) c.gp(tsel & 0xfffc);
  if ((attr & ATTR_P) === 0) c.raise(NP_VECTOR, tsel & 0xfffc);
  const size = gate32 ? 4 : 2;
  if (!call) {
    enterCode(c, tsel, c.cpl, toff);
    return;
  }
  if (!conforming && dpl < c.cpl) {
    const codeLo = c.descLo;
    const codeHi = c.descHi;
    const { ss, esp } = tssStack(c, dpl);
    checkNewStack(c, ss, dpl, 0);
    if (toff > CpuState.descLimit(codeLo, codeHi)) c.gp(0);
    const params = ghi & 0x1f;
    const oldSS = c.sel[SS];
    const oldESP = c.regs[ESP];
    const oldSp = c.sp;
    startNewStack(esp);
    nsPush(c, oldSS, size);
    nsPush(c, oldESP, size);
    for (let n = params - 1; n >= 0; n--) {
      const from = c.stack32 ? (oldSp + n * size) >>> 0 : (oldSp + n * size) & 0xffff;
      const lin = c.segRead(SS, from, size);
      nsPush(c, size === 4 ? c.read32(lin) : c.read16(lin), size);
    }
    nsPush(c, c.sel[CS], size);
    nsPush(c, c.eip, size);
    commitNewStack(c);
    c.descLo = codeLo;
    c.descHi = codeHi;
    c.readDescriptor(tsel);
    enterCode(c, tsel, dpl, toff);
    return;
  }
  if (toff > CpuState.descLimit(c.descLo, c.descHi)) c.gp(0);
  const lo = c.descLo;
  const hi = c.descHi;
  pushReturn(c, size);
  c.descLo = lo;
  c.descHi = hi;
  c.readDescriptor(tsel);
  enterCode(c, tsel, c.cpl, toff);
}

// ---------------------------------------------------------------- far RET

export function retFar(c: CpuState, o32: boolean, imm: number): void {
  const size = o32 ? 4 : 2;
  if (isRealLike(c)) {
    const eip = c.peek(0, o32);
    const cs = c.peek(size, o32) & 0xffff;
    c.setSP(c.sp + 2 * size + imm);
    c.setSegReal(CS, cs);
    c.eip = o32 ? eip >>> 0 : eip & 0xffff;
    return;
  }
  const eip = o32 ? c.peek(0, true) >>> 0 : c.peek(0, false);
  const cs = c.peek(size, o32) & 0xffff;
  const rpl = cs & 3;
  if ((cs & 0xfffc) === 0) c.gp(0);
  if (!c.readDescriptor(cs)) c.gp(cs & 0xfffc);
  const attr = checkCodeTarget(c, cs, 0);
  const dpl = (attr >> 5) & 3;
  if (rpl < c.cpl) c.gp(cs & 0xfffc);
  if (attr & ATTR_DC ? dpl > rpl : dpl !== rpl) c.gp(cs & 0xfffc);
  if ((attr & ATTR_P) === 0) c.raise(NP_VECTOR, cs & 0xfffc);
  if (rpl === c.cpl) {
    if (eip > CpuState.descLimit(c.descLo, c.descHi)) c.gp(0);
    c.setSP(c.sp + 2 * size + imm);
    enterCode(c, cs, rpl, eip);
    return;
  }
  const codeLo = c.descLo;
  const codeHi = c.descHi;
  const newEsp = c.peek(2 * size + imm, o32);
  const newSS = c.peek(3 * size + imm, o32) & 0xffff;
  if ((newSS & 0xfffc) === 0) c.gp(0);
  if (!c.readDescriptor(newSS)) c.gp(newSS & 0xfffc);
  const sattr = CpuState.descAttr(c.descHi);
  if ((newSS & 3) !== rpl || ((sattr >> 5) & 3) !== rpl) c.gp(newSS & 0xfffc);
  if ((sattr & (ATTR_S | ATTR_CODE | ATTR_RW)) !== (ATTR_S | ATTR_RW)) c.gp(newSS & 0xfffc);
  if ((sattr & ATTR_P) === 0) c.raise(SS_VECTOR, newSS & 0xfffc);
  if (eip > CpuState.descLimit(codeLo, codeHi)) c.gp(0);
  c.descLo = codeLo;
  c.descHi = codeHi;
  c.readDescriptor(cs);
  enterCode(c, cs, rpl, eip);
  c.readDescriptor(newSS);
  c.loadFromDescriptor(SS, newSS);
  c.setSP(newEsp + imm);
  dropInnerSegments(c);
}

// ---------------------------------------------------------------- IRET

export function iret(c: CpuState, o32: boolean): void {
  const size = o32 ? 4 : 2;
  if (!c.protectedMode) {
    const eip = c.peek(0, o32);
    const cs = c.peek(size, o32) & 0xffff;
    const fl = c.peek(2 * size, o32);
    c.setSP(c.sp + 3 * size);
    c.setSegReal(CS, cs);
    c.eip = o32 ? eip >>> 0 : eip & 0xffff;
    const mask = o32 ? FLAGS_WRITABLE & ~VM : 0x7fd5;
    c.setFlags(fl, mask);
    return;
  }
  if (c.v86) {
    if (c.iopl < 3) c.gp(0);
    const eip = c.peek(0, o32);
    const cs = c.peek(size, o32) & 0xffff;
    const fl = c.peek(2 * size, o32);
    c.setSP(c.sp + 3 * size);
    c.setSegReal(CS, cs);
    c.eip = o32 ? eip >>> 0 : eip & 0xffff;
    c.setFlags(fl, o32 ? FLAGS_WRITABLE & ~(IOPL | VM | 0x180000) : 0x7fd5 & ~IOPL);
    return;
  }
  if (c.flags & NT) {
    const link = c.sysRead16(c.segBase[TR]);
    taskSwitch(c, link, TaskSource.Iret, -1);
    return;
  }
  const eip = o32 ? c.peek(0, true) >>> 0 : c.peek(0, false);
  const cs = c.peek(size, o32) & 0xffff;
  const fl = o32 ? c.peek(2 * size, true) : c.peek(2 * size, false);
  if (o32 && fl & VM && c.cpl === 0) {
    iretToV86(c, eip, cs, fl);
    return;
  }
  const rpl = cs & 3;
  if ((cs & 0xfffc) === 0) c.gp(0);
  if (!c.readDescriptor(cs)) c.gp(cs & 0xfffc);
  const attr = checkCodeTarget(c, cs, 0);
  const dpl = (attr >> 5) & 3;
  if (rpl < c.cpl) c.gp(cs & 0xfffc);
  if (attr & ATTR_DC ? dpl > rpl : dpl !== rpl) c.gp(cs & 0xfffc);
  if ((attr & ATTR_P) === 0) c.raise(NP_VECTOR, cs & 0xfffc);
  const oldCpl = c.cpl;
  let mask = o32 ? FLAGS_WRITABLE & ~VM : 0x7fd5;
  if (oldCpl > 0) mask &= ~IOPL;
  if (oldCpl > c.iopl) mask &= ~IF;
  if (rpl === oldCpl) {
    if (eip > CpuState.descLimit(c.descLo, c.descHi)) c.gp(0);
    c.setSP(c.sp + 3 * size);
    enterCode(c, cs, rpl, eip);
    c.setFlags(fl, mask);
    return;
  }
  const codeLo = c.descLo;
  const codeHi = c.descHi;
  const newEsp = c.peek(3 * size, o32);
  const newSS = c.peek(4 * size, o32) & 0xffff;
  if ((newSS & 0xfffc) === 0) c.gp(0);
  if (!c.readDescriptor(newSS)) c.gp(newSS & 0xfffc);
  const sattr = CpuState.descAttr(c.descHi);
  if ((newSS & 3) !== rpl || ((sattr >> 5) & 3) !== rpl) c.gp(newSS & 0xfffc);
  if ((sattr & (ATTR_S | ATTR_CODE | ATTR_RW)) !== (ATTR_S | ATTR_RW)) c.gp(newSS & 0xfffc);
  if ((sattr & ATTR_P) === 0) c.raise(SS_VECTOR, newSS & 0xfffc);
  if (eip > CpuState.descLimit(codeLo, codeHi)) c.gp(0);
  c.descLo = codeLo;
  c.descHi = codeHi;
  c.readDescriptor(cs);
  enterCode(c, cs, rpl, eip);
  c.setFlags(fl, mask);
  c.readDescriptor(newSS);
  c.loadFromDescriptor(SS, newSS);
  c.setSP(newEsp);
  dropInnerSegments(c);
}

function iretToV86(c: CpuState, eip: number, cs: number, fl: number): void {
  const esp = c.peek(12, true);
  const ss = c.peek(16, true);
  const es = c.peek(20, true);
  const ds = c.peek(24, true);
  const fs = c.peek(28, true);
  const gs = c.peek(32, true);
  c.setFlags(fl, FLAGS_WRITABLE);
  enterV86Segments(c, cs, ss, es, ds, fs, gs);
  c.regs[ESP] = esp;
  c.eip = eip & 0xffff;
}

function enterV86Segments(
  c: CpuState,
  cs: number,
  ss: number,
  es: number,
  ds: number,
  fs: number,
  gs: number,
): void {
  const attr = 0xf3;
  const list: [number, number][] = [
    [CS, cs],
    [SS, ss],
    [ES, es],
    [DS, ds],
    [FS, fs],
    [GS, gs],
  ];
  for (const [s, v] of list) c.setSeg(s, v & 0xffff, (v & 0xffff) << 4, 0xffff, attr);
  c.setCpl(3);
  c.modeChanged();
}

// ---------------------------------------------------------------- interrupts and exceptions

/**
 * Delivers interrupt `vector` through the IVT or IDT. `software` is INT n,
 * INT3 or INTO (gate DPL and V86 IOPL checks apply); `ext` marks events from
 * outside the instruction stream (error codes get the EXT bit). The return
 * address pushed is `c.eip`.
 */
export function interrupt(
  c: CpuState,
  vector: number,
  software: boolean,
  errorCode: number,
  ext: number,
): void {
  if (!c.protectedMode) {
    const off = vector * 4;
    if (off + 3 > c.idtLimit) c.gp(0);
    const ip = c.read16((c.idtBase + off) | 0);
    const cs = c.read16((c.idtBase + off + 2) | 0);
    const sp = c.sp;
    try {
      c.push16(c.getFlags());
      c.push16(c.sel[CS]);
      c.push16(c.eip);
    } catch (e) {
      c.setSP(sp);
      throw e;
    }
    c.flags &= ~(IF | TF | AC | RF);
    c.setSegReal(CS, cs);
    c.eip = ip;
    return;
  }
  if (software && c.v86 && c.iopl < 3) c.gp(0);
  const idtOff = vector * 8;
  const extBit = ext ? 1 : 0;
  if (idtOff + 7 > c.idtLimit) c.gp(idtOff | 2 | extBit);
  const lo = c.sysRead32((c.idtBase + idtOff) | 0);
  const hi = c.sysRead32((c.idtBase + idtOff + 4) | 0);
  const attr = (hi >> 8) & 0xff;
  const type = attr & 0x1f;
  if (type !== 5 && type !== 6 && type !== 7 && type !== 14 && type !== 15) c.gp(idtOff | 2 | extBit);
  const gdpl = (attr >> 5) & 3;
  if (software && gdpl < c.cpl) c.gp(idtOff | 2);
  if ((attr & ATTR_P) === 0) c.raise(NP_VECTOR, idtOff | 2 | extBit);
  if (type === 5) {
    taskSwitch(c, lo >>> 16, TaskSource.Int, errorCode);
    return;
  }
  const gate32 = (type & 8) !== 0;
  const size = gate32 ? 4 : 2;
  const tsel = lo >>> 16;
  const toff = gate32 ? ((lo & 0xffff) | (hi & 0xffff0000)) >>> 0 : lo & 0xffff;
  if ((tsel & 0xfffc) === 0) c.gp(extBit);
  if (!c.readDescriptor(tsel)) c.gp((tsel & 0xfffc) | extBit);
  const cattr = checkCodeTarget(c, tsel, extBit);
  const dpl = (cattr >> 5) & 3;
  if (dpl > c.cpl) c.gp((tsel & 0xfffc) | extBit);
  if ((cattr & ATTR_P) === 0) c.raise(NP_VECTOR, (tsel & 0xfffc) | extBit);
  const codeLo = c.descLo;
  const codeHi = c.descHi;
  if (toff > CpuState.descLimit(codeLo, codeHi)) c.gp(extBit);
  const flags = c.getFlags();
  const fromV86 = c.v86;
  if ((cattr & ATTR_DC) === 0 && dpl < c.cpl) {
    if (fromV86 && dpl !== 0) c.gp((tsel & 0xfffc) | extBit);
    const { ss, esp } = tssStack(c, dpl);
    checkNewStack(c, ss, dpl, extBit);
    startNewStack(esp);
    if (fromV86) {
      nsPush(c, c.sel[GS], size);
      nsPush(c, c.sel[FS], size);
      nsPush(c, c.sel[DS], size);
      nsPush(c, c.sel[ES], size);
    }
    nsPush(c, c.sel[SS], size);
    nsPush(c, c.regs[ESP], size);
    nsPush(c, flags, size);
    nsPush(c, c.sel[CS], size);
    nsPush(c, c.eip, size);
    if (errorCode >= 0) nsPush(c, errorCode, size);
    c.flags &= ~(TF | VM | RF | NT);
    if ((type & 1) === 0) c.flags &= ~IF;
    if (fromV86) {
      for (const s of [GS, FS, DS, ES]) c.setSegNull(s, 0);
    }
    c.setCpl(dpl);
    c.modeChanged();
    commitNewStack(c);
    c.descLo = codeLo;
    c.descHi = codeHi;
    c.readDescriptor(tsel);
    enterCode(c, tsel, dpl, toff);
    return;
  }
  if (fromV86) c.gp((tsel & 0xfffc) | extBit);
  const sp = c.sp;
  try {
    c.push(flags, gate32);
    c.push(c.sel[CS], gate32);
    c.push(c.eip, gate32);
    if (errorCode >= 0) c.push(errorCode, gate32);
  } catch (e) {
    c.setSP(sp);
    throw e;
  }
  c.flags &= ~(TF | VM | RF | NT);
  if ((type & 1) === 0) c.flags &= ~IF;
  c.descLo = codeLo;
  c.descHi = codeHi;
  c.readDescriptor(tsel);
  enterCode(c, tsel, c.cpl, toff);
}

// ---------------------------------------------------------------- hardware task switch

/** Switches to the task whose TSS selector is `sel` (SDM vol. 3, 7.3). */
export function taskSwitch(c: CpuState, sel: number, source: TaskSource, errorCode: number): void {
  if (sel & 4 || !c.readDescriptor(sel)) {
    if (source === TaskSource.Iret) c.raise(TS, sel & 0xfffc);
    c.gp(sel & 0xfffc);
  }
  const lo = c.descLo;
  const hi = c.descHi;
  const descAddr = c.descAddr;
  const attr = CpuState.descAttr(hi);
  const type = attr & 0x1f;
  const busy = type === 3 || type === 11;
  const avail = type === 1 || type === 9;
  if (source === TaskSource.Iret ? !busy : !avail) {
    if (source === TaskSource.Iret) c.raise(TS, sel & 0xfffc);
    c.gp(sel & 0xfffc);
  }
  if ((attr & ATTR_P) === 0) c.raise(NP_VECTOR, sel & 0xfffc);
  const new32 = (type & 8) !== 0;
  const newBase = CpuState.descBase(lo, hi);
  const newLimit = CpuState.descLimit(lo, hi);
  if (newLimit < (new32 ? 0x67 : 0x2b)) c.raise(TS, sel & 0xfffc);

  // Read the whole new state first, so a fault here leaves the old task intact.
  const r = new Int32Array(8);
  const segs = new Uint16Array(6);
  let eip: number;
  let flags: number;
  let ldt: number;
  let cr3 = c.cr3;
  if (new32) {
    cr3 = c.sysRead32(newBase + 0x1c);
    eip = c.sysRead32(newBase + 0x20) >>> 0;
    flags = c.sysRead32(newBase + 0x24);
    for (let n = 0; n < 8; n++) r[n] = c.sysRead32(newBase + 0x28 + n * 4);
    for (let n = 0; n < 6; n++) segs[n] = c.sysRead16(newBase + 0x48 + n * 4);
    ldt = c.sysRead16(newBase + 0x60);
  } else {
    eip = c.sysRead16(newBase + 0x0e);
    flags = c.sysRead16(newBase + 0x10) | (c.flags & 0xffff0000 & ~VM);
    // SDM 7.6 leaves the upper halves "not maintained"; they load as 0xFFFF here, as in QEMU and Bochs.
    for (let n = 0; n < 8; n++) r[n] = c.sysRead16(newBase + 0x12 + n * 2) | 0xffff0000;
    // ES CS SS DS only: a 16-bit TSS has no FS or GS, which load null (as QEMU and Bochs do).
    for (let n = 0; n < 4; n++) segs[n] = c.sysRead16(newBase + 0x22 + n * 2);
    ldt = c.sysRead16(newBase + 0x2a);
  }
  c.sysRead8(newBase + newLimit);

  // Save the outgoing task.
  const oldSel = c.sel[TR];
  const oldBase = c.segBase[TR];
  const old32 = (c.segAttr[TR] & 8) !== 0;
  let oldFlags = c.getFlags();
  if (source === TaskSource.Iret) oldFlags &= ~NT;
  if (old32) {
    c.sysWrite32(oldBase + 0x20, c.eip);
    c.sysWrite32(oldBase + 0x24, oldFlags);
    for (let n = 0; n < 8; n++) c.sysWrite32(oldBase + 0x28 + n * 4, c.regs[n]);
    for (let n = 0; n < 6; n++) c.sysWrite16(oldBase + 0x48 + n * 4, c.sel[n]);
  } else {
    c.sysWrite16(oldBase + 0x0e, c.eip);
    c.sysWrite16(oldBase + 0x10, oldFlags);
    for (let n = 0; n < 8; n++) c.sysWrite16(oldBase + 0x12 + n * 2, c.regs[n]);
    for (let n = 0; n < 4; n++) c.sysWrite16(oldBase + 0x22 + n * 2, c.sel[n]);
  }
  if (source === TaskSource.Jmp || source === TaskSource.Iret) {
    if (c.readDescriptor(oldSel)) c.sysWrite32(c.descAddr + 4, c.descHi & ~0x200);
  }
  if (source === TaskSource.Call || source === TaskSource.Int) {
    c.sysWrite16(newBase, oldSel);
    flags |= NT;
  }
  let newHi = hi;
  if (source !== TaskSource.Iret) {
    newHi |= 0x200;
    c.sysWrite32(descAddr + 4, newHi);
  }

  // Switch.
  c.setSeg(TR, sel, newBase, newLimit, CpuState.descAttr(newHi));
  c.cr0 |= CR0_TS;
  if (new32 && c.cr0 & CR0_PG && cr3 !== c.cr3) {
    c.cr3 = cr3;
    c.flushTlb(true);
  }
  for (let n = 0; n < 8; n++) c.regs[n] = r[n];
  c.eip = eip;
  c.flags = (flags & 0x3f7fd5) | 2;
  c.flagsDirty = 0;
  for (let n = 0; n < 6; n++) c.sel[n] = segs[n];
  c.sel[LDTR] = ldt;

  if (c.flags & VM) {
    enterV86Segments(c, segs[CS], segs[SS], segs[ES], segs[DS], segs[FS], segs[GS]);
    loadTaskLdt(c, ldt);
  } else {
    c.setCpl(segs[CS] & 3);
    c.modeChanged();
    loadTaskLdt(c, ldt);
    loadTaskSegments(c, segs);
  }
  if (errorCode >= 0) c.push(errorCode, new32);
  if (c.eip > c.segLimit[CS]) c.gp(0);
}

function loadTaskLdt(c: CpuState, ldt: number): void {
  if ((ldt & 0xfffc) === 0) {
    c.setSegNull(LDTR, ldt);
    return;
  }
  if (ldt & 4 || !c.readDescriptor(ldt)) c.raise(TS, ldt & 0xfffc);
  const attr = CpuState.descAttr(c.descHi);
  if ((attr & 0x1f) !== 2) c.raise(TS, ldt & 0xfffc);
  if ((attr & ATTR_P) === 0) c.raise(TS, ldt & 0xfffc);
  c.setSeg(LDTR, ldt, CpuState.descBase(c.descLo, c.descHi), CpuState.descLimit(c.descLo, c.descHi), attr);
}

function loadTaskSegments(c: CpuState, segs: Uint16Array): void {
  const cs = segs[CS];
  const cpl = cs & 3;
  // CS first: it fixes the privilege level the others are checked against.
  if ((cs & 0xfffc) === 0 || !c.readDescriptor(cs)) c.raise(TS, cs & 0xfffc);
  const cattr = CpuState.descAttr(c.descHi);
  if ((cattr & (ATTR_S | ATTR_CODE)) !== (ATTR_S | ATTR_CODE)) c.raise(TS, cs & 0xfffc);
  const cdpl = (cattr >> 5) & 3;
  if (cattr & ATTR_DC ? cdpl > cpl : cdpl !== cpl) c.raise(TS, cs & 0xfffc);
  if ((cattr & ATTR_P) === 0) c.raise(NP_VECTOR, cs & 0xfffc);
  c.loadFromDescriptor(CS, cs);
  c.setCpl(cpl);
  const ss = segs[SS];
  if ((ss & 0xfffc) === 0 || !c.readDescriptor(ss)) c.raise(TS, ss & 0xfffc);
  const sattr = CpuState.descAttr(c.descHi);
  if ((ss & 3) !== cpl || ((sattr >> 5) & 3) !== cpl) c.raise(TS, ss & 0xfffc);
  if ((sattr & (ATTR_S | ATTR_CODE | ATTR_RW)) !== (ATTR_S | ATTR_RW)) c.raise(TS, ss & 0xfffc);
  if ((sattr & ATTR_P) === 0) c.raise(SS_VECTOR, ss & 0xfffc);
  c.loadFromDescriptor(SS, ss);
  for (const s of [ES, DS, FS, GS]) {
    const v = segs[s];
    if ((v & 0xfffc) === 0) {
      c.setSegNull(s, v);
      continue;
    }
    if (!c.readDescriptor(v)) c.raise(TS, v & 0xfffc);
    const a = CpuState.descAttr(c.descHi);
    if ((a & ATTR_S) === 0 || (a & (ATTR_CODE | ATTR_RW)) === ATTR_CODE) c.raise(TS, v & 0xfffc);
    const dpl = (a >> 5) & 3;
    const conformingCode = (a & (ATTR_CODE | ATTR_DC)) === (ATTR_CODE | ATTR_DC);
    if (!conformingCode && ((v & 3) > dpl || cpl > dpl)) c.raise(TS, v & 0xfffc);
    if ((a & ATTR_P) === 0) c.raise(NP_VECTOR, v & 0xfffc);
    c.loadFromDescriptor(s, v);
  }
}
