import { AF, CF, OF, PF, SF, ZF } from '../core/constants.js';
import { Feature, FeatureEcx } from '../cpuid.js';
import * as alu from './alu.js';
import * as control from './control.js';
import * as data from './data.js';
import * as fpu from './fpu.js';
import { type OpcodeEntry, type Operand, OSZAPC, SZAPC } from './opcode-entry.js';
import { SIMD_OPCODES } from './opcodes-simd.js';
import * as str from './string.js';
import * as sys from './system.js';

// The opcode table: one entry per opcode, or per ModRM form of an opcode
// group, of the i686 integer, system and x87 instruction set (SDM vol. 2,
// appendix A), and (`opcodes-simd.ts`) per mandatory prefix of the MMX and SSE opcodes. The decoder's ModRM and immediate tables, the LOCK check, the
// handler dispatch, the translator's unit ends and flag sets, the
// disassembler and the per-opcode tests all derive from it (`ops/index.ts`).
// Opcodes and groups without an entry raise #UD.

type Props = Partial<Omit<OpcodeEntry, 'op' | 'name' | 'operands' | 'handler'>>;

const T: OpcodeEntry[] = [];

function add(
  op: number,
  name: OpcodeEntry['name'],
  operands: readonly Operand[],
  handler: OpcodeEntry['handler'],
  props: Props = {},
): void {
  T.push({ op, name, operands, handler, ...props });
}

/** Condition codes 0-F as Jcc/SETcc/CMOVcc spell them, and the flags each tests. */
const CC = ['o', 'no', 'b', 'ae', 'e', 'ne', 'be', 'a', 's', 'ns', 'p', 'np', 'l', 'ge', 'le', 'g'];
const CC_FLAGS = [
  OF,
  OF,
  CF,
  CF,
  ZF,
  ZF,
  CF | ZF,
  CF | ZF,
  SF,
  SF,
  PF,
  PF,
  SF | OF,
  SF | OF,
  ZF | SF | OF,
  ZF | SF | OF,
];

// ------------------------------------------------------------ 00-3F: ALU rows

const ALU = ['add', 'or', 'adc', 'sbb', 'and', 'sub', 'xor', 'cmp'];
/** What each ALU operation does to the flags: [read, written, undefined]. */
const ALU_FLAGS: [number, number, number][] = [
  [0, OSZAPC, 0],
  [0, OSZAPC, AF],
  [CF, OSZAPC, 0],
  [CF, OSZAPC, 0],
  [0, OSZAPC, AF],
  [0, OSZAPC, 0],
  [0, OSZAPC, AF],
  [0, OSZAPC, 0],
];
function aluFlags(n: number): Props {
  const [flagsRead, flagsWritten, flagsUndefined] = ALU_FLAGS[n];
  return { flagsRead, flagsWritten, flagsUndefined };
}

for (let n = 0; n < 8; n++) {
  const row = n << 3;
  const f = aluFlags(n);
  const lock = n !== 7;
  add(row, ALU[n], ['Eb', 'Gb'], alu.aluForm, { ...f, lock });
  add(row + 1, ALU[n], ['Ev', 'Gv'], alu.aluForm, { ...f, lock });
  add(row + 2, ALU[n], ['Gb', 'Eb'], alu.aluForm, f);
  add(row + 3, ALU[n], ['Gv', 'Ev'], alu.aluForm, f);
  add(row + 4, ALU[n], ['AL', 'Ib'], alu.aluForm, f);
  add(row + 5, ALU[n], ['eAX', 'Iz'], alu.aluForm, f);
}
add(0x06, 'push', ['ES'], data.pushSeg);
add(0x07, 'pop', ['ES'], data.popSeg, { ends: 'segment' });
add(0x0e, 'push', ['CS'], data.pushSeg);
add(0x16, 'push', ['SS'], data.pushSeg);
add(0x17, 'pop', ['SS'], data.popSeg, { ends: 'segment' });
add(0x1e, 'push', ['DS'], data.pushSeg);
add(0x1f, 'pop', ['DS'], data.popSeg, { ends: 'segment' });
add(0x27, 'daa', [], alu.daa, { flagsRead: AF | CF, flagsWritten: OSZAPC, flagsUndefined: OF });
add(0x2f, 'das', [], alu.das, { flagsRead: AF | CF, flagsWritten: OSZAPC, flagsUndefined: OF });
add(0x37, 'aaa', [], alu.aaa, { flagsRead: AF, flagsWritten: OSZAPC, flagsUndefined: OF | SF | ZF | PF });
add(0x3f, 'aas', [], alu.aas, { flagsRead: AF, flagsWritten: OSZAPC, flagsUndefined: OF | SF | ZF | PF });

// ------------------------------------------------------------ 40-6F

const INC_DEC = { flagsWritten: OF | SF | ZF | AF | PF };
for (let r = 0; r < 8; r++) {
  add(0x40 + r, 'inc', ['Zv'], alu.incReg, INC_DEC);
  add(0x48 + r, 'dec', ['Zv'], alu.incReg, INC_DEC);
  add(0x50 + r, 'push', ['Zv'], data.pushReg);
  add(0x58 + r, 'pop', ['Zv'], data.popReg);
}
// Where the mnemonic follows the operand size, these are the SDM's names (objdump suffixes only the non-default size).
add(0x60, ['pusha', 'pushad'], [], data.pusha);
add(0x61, ['popa', 'popad'], [], data.popa);
add(0x62, 'bound', ['Gv', 'Ma'], data.bound, { mod: 'mem' });
add(0x63, 'arpl', ['Ew', 'Gw'], sys.arpl, { flagsWritten: ZF });
add(0x68, 'push', ['Iz'], data.pushImm);
add(0x69, 'imul', ['Gv', 'Ev', 'Iz'], alu.imul69, { flagsWritten: OSZAPC, flagsUndefined: SZAPC & ~CF });
add(0x6a, 'push', ['Ibs'], data.pushImm);
add(0x6b, 'imul', ['Gv', 'Ev', 'Ibs'], alu.imul6b, { flagsWritten: OSZAPC, flagsUndefined: SZAPC & ~CF });
add(0x6c, 'ins', ['Yb', 'DX'], str.stringOp, { ends: 'port' });
add(0x6d, 'ins', ['Yv', 'DX'], str.stringOp, { ends: 'port' });
add(0x6e, 'outs', ['DX', 'Xb'], str.stringOp, { ends: 'port' });
add(0x6f, 'outs', ['DX', 'Xv'], str.stringOp, { ends: 'port' });

// ------------------------------------------------------------ 70-7F, 0F 80-9F, 0F 40-4F: by condition

for (let cc = 0; cc < 16; cc++) {
  const flagsRead = CC_FLAGS[cc];
  add(0x70 + cc, `j${CC[cc]}`, ['Jb'], control.jccShort, { ends: 'branch', flagsRead });
  add(0x180 + cc, `j${CC[cc]}`, ['Jz'], control.jccNear, { ends: 'branch', flagsRead });
  add(0x190 + cc, `set${CC[cc]}`, ['Eb'], data.setcc, { flagsRead });
  add(0x140 + cc, `cmov${CC[cc]}`, ['Gv', 'Ev'], data.cmov, { flagsRead, feature: Feature.CMOV });
}

// ------------------------------------------------------------ 80-8F

for (let n = 0; n < 8; n++) {
  const f = aluFlags(n);
  const lock = n !== 7;
  add(0x80, ALU[n], ['Eb', 'Ib'], alu.group1, { reg: n, ...f, lock });
  add(0x81, ALU[n], ['Ev', 'Iz'], alu.group1, { reg: n, ...f, lock });
  add(0x82, ALU[n], ['Eb', 'Ib'], alu.group1, { reg: n, ...f, lock, undocumented: true });
  add(0x83, ALU[n], ['Ev', 'Ibs'], alu.group1, { reg: n, ...f, lock });
}
add(0x84, 'test', ['Eb', 'Gb'], alu.test, aluFlags(4));
add(0x85, 'test', ['Ev', 'Gv'], alu.test, aluFlags(4));
add(0x86, 'xchg', ['Eb', 'Gb'], data.xchgE, { lock: true });
add(0x87, 'xchg', ['Ev', 'Gv'], data.xchgE, { lock: true });
add(0x88, 'mov', ['Eb', 'Gb'], data.movEG);
add(0x89, 'mov', ['Ev', 'Gv'], data.movEG);
add(0x8a, 'mov', ['Gb', 'Eb'], data.movGE);
add(0x8b, 'mov', ['Gv', 'Ev'], data.movGE);
for (let s = 0; s < 6; s++) {
  add(0x8c, 'mov', ['MwRv', 'Sw'], data.movFromSeg, { reg: s });
  // MOV CS is #UD.
  if (s !== 1) add(0x8e, 'mov', ['Sw', 'MwRv'], data.movToSeg, { reg: s, ends: 'segment' });
}
add(0x8d, 'lea', ['Gv', 'M'], data.lea, { mod: 'mem' });
add(0x8f, 'pop', ['Ev'], data.popE, { reg: 0 });

// ------------------------------------------------------------ 90-9F

add(0x90, 'nop', [], data.nopOrPause);
for (let r = 1; r < 8; r++) add(0x90 + r, 'xchg', ['Zv', 'eAX'], data.xchgReg);
add(0x98, ['cbw', 'cwde'], [], data.cbw);
add(0x99, ['cwd', 'cdq'], [], data.cwd);
add(0x9a, 'call', ['Ap'], control.callFarImm, { ends: 'branch' });
add(0x9b, 'fwait', [], fpu.fwait);
add(0x9c, ['pushf', 'pushfd'], [], sys.pushf, { flagsRead: OSZAPC });
add(0x9d, ['popf', 'popfd'], [], sys.popf, { flagsWritten: OSZAPC, ends: 'flags' });
add(0x9e, 'sahf', [], data.sahf, { flagsWritten: SZAPC });
add(0x9f, 'lahf', [], data.lahf, { flagsRead: SZAPC });

// ------------------------------------------------------------ A0-BF

add(0xa0, 'mov', ['AL', 'Ob'], data.movMoffs);
add(0xa1, 'mov', ['eAX', 'Ov'], data.movMoffs);
add(0xa2, 'mov', ['Ob', 'AL'], data.movMoffs);
add(0xa3, 'mov', ['Ov', 'eAX'], data.movMoffs);
add(0xa4, 'movs', ['Yb', 'Xb'], str.stringOp);
add(0xa5, 'movs', ['Yv', 'Xv'], str.stringOp);
add(0xa6, 'cmps', ['Xb', 'Yb'], str.stringOp, aluFlags(7));
add(0xa7, 'cmps', ['Xv', 'Yv'], str.stringOp, aluFlags(7));
add(0xa8, 'test', ['AL', 'Ib'], alu.testImm, aluFlags(4));
add(0xa9, 'test', ['eAX', 'Iz'], alu.testImm, aluFlags(4));
add(0xaa, 'stos', ['Yb', 'AL'], str.stringOp);
add(0xab, 'stos', ['Yv', 'eAX'], str.stringOp);
add(0xac, 'lods', ['AL', 'Xb'], str.stringOp);
add(0xad, 'lods', ['eAX', 'Xv'], str.stringOp);
add(0xae, 'scas', ['AL', 'Yb'], str.stringOp, aluFlags(7));
add(0xaf, 'scas', ['eAX', 'Yv'], str.stringOp, aluFlags(7));
for (let r = 0; r < 8; r++) {
  add(0xb0 + r, 'mov', ['Zb', 'Ib'], data.movRegImm);
  add(0xb8 + r, 'mov', ['Zv', 'Iz'], data.movRegImm);
}

// ------------------------------------------------------------ C0-CF

const SHIFT = ['rol', 'ror', 'rcl', 'rcr', 'shl', 'shr', 'shl', 'sar'];
/**
 * Shift and rotate flags. A count of 0 changes nothing, so with a count
 * from CL or an immediate the flags it writes are read as well (they may
 * come out unchanged); a count of 1 (D0, D1) always writes them.
 */
function shiftFlags(n: number, countOne: boolean): Props {
  const rotate = n < 4;
  const written = rotate ? OF | CF : OSZAPC;
  const carryIn = n === 2 || n === 3 ? CF : 0;
  return {
    flagsRead: carryIn | (countOne ? 0 : written),
    flagsWritten: written,
    flagsUndefined: (rotate ? 0 : AF) | (countOne ? 0 : OF),
  };
}
for (let n = 0; n < 8; n++) {
  // /6 is an undocumented twin of /4 (SHL, alias SAL).
  const undocumented = n === 6;
  add(0xc0, SHIFT[n], ['Eb', 'Ib'], alu.shiftImm, { reg: n, ...shiftFlags(n, false), undocumented });
  add(0xc1, SHIFT[n], ['Ev', 'Ib'], alu.shiftImm, { reg: n, ...shiftFlags(n, false), undocumented });
  add(0xd0, SHIFT[n], ['Eb', '1'], alu.shift1, { reg: n, ...shiftFlags(n, true), undocumented });
  add(0xd1, SHIFT[n], ['Ev', '1'], alu.shift1, { reg: n, ...shiftFlags(n, true), undocumented });
  add(0xd2, SHIFT[n], ['Eb', 'CL'], alu.shiftCL, { reg: n, ...shiftFlags(n, false), undocumented });
  add(0xd3, SHIFT[n], ['Ev', 'CL'], alu.shiftCL, { reg: n, ...shiftFlags(n, false), undocumented });
}
add(0xc2, 'ret', ['Iw'], control.retNear, { ends: 'branch' });
add(0xc3, 'ret', [], control.retNear, { ends: 'branch' });
add(0xc4, 'les', ['Gv', 'Mp'], data.les, { mod: 'mem', ends: 'segment' });
add(0xc5, 'lds', ['Gv', 'Mp'], data.lds, { mod: 'mem', ends: 'segment' });
add(0xc6, 'mov', ['Eb', 'Ib'], data.movEI, { reg: 0 });
add(0xc7, 'mov', ['Ev', 'Iz'], data.movEI, { reg: 0 });
add(0xc8, 'enter', ['Iw', 'Ib'], control.enter);
add(0xc9, 'leave', [], control.leave);
add(0xca, 'retf', ['Iw'], control.retFarImm, { ends: 'branch' });
add(0xcb, 'retf', [], control.retFarPlain, { ends: 'branch' });
add(0xcc, 'int3', [], control.int3, { ends: 'interrupt' });
add(0xcd, 'int', ['Ib'], control.intImm, { ends: 'interrupt' });
add(0xce, 'into', [], control.into, { ends: 'interrupt', flagsRead: OF });
add(0xcf, ['iret', 'iretd'], [], sys.iretNmi, { ends: 'branch', flagsWritten: OSZAPC });

// ------------------------------------------------------------ D0-DF (D8-DF: x87, below)

add(0xd4, 'aam', ['Ib'], alu.aam, { flagsWritten: OSZAPC, flagsUndefined: OF | AF | CF });
add(0xd5, 'aad', ['Ib'], alu.aad, { flagsWritten: OSZAPC, flagsUndefined: OF | AF | CF });
add(0xd6, 'salc', [], alu.salc, { flagsRead: CF, undocumented: true });
add(0xd7, 'xlat', ['XL'], data.xlat);

// ------------------------------------------------------------ E0-FF

add(0xe0, 'loopne', ['Jb'], control.loop, { ends: 'branch', flagsRead: ZF });
add(0xe1, 'loope', ['Jb'], control.loop, { ends: 'branch', flagsRead: ZF });
add(0xe2, 'loop', ['Jb'], control.loop, { ends: 'branch' });
add(0xe3, ['jcxz', 'jecxz'], ['Jb'], control.loop, { ends: 'branch' });
add(0xe4, 'in', ['AL', 'Ib'], sys.inImm, { ends: 'port' });
add(0xe5, 'in', ['eAX', 'Ib'], sys.inImm, { ends: 'port' });
add(0xe6, 'out', ['Ib', 'AL'], sys.outImm, { ends: 'port' });
add(0xe7, 'out', ['Ib', 'eAX'], sys.outImm, { ends: 'port' });
add(0xe8, 'call', ['Jz'], control.callNear, { ends: 'branch' });
add(0xe9, 'jmp', ['Jz'], control.jmpNear, { ends: 'branch' });
add(0xea, 'jmp', ['Ap'], control.jmpFarImm, { ends: 'branch' });
add(0xeb, 'jmp', ['Jb'], control.jmpShort, { ends: 'branch' });
add(0xec, 'in', ['AL', 'DX'], sys.inDx, { ends: 'port' });
add(0xed, 'in', ['eAX', 'DX'], sys.inDx, { ends: 'port' });
add(0xee, 'out', ['DX', 'AL'], sys.outDx, { ends: 'port' });
add(0xef, 'out', ['DX', 'eAX'], sys.outDx, { ends: 'port' });
add(0xf1, 'int1', [], control.int1, { ends: 'interrupt', undocumented: true });
add(0xf4, 'hlt', [], sys.hlt, { ends: 'halt' });
add(0xf5, 'cmc', [], sys.cmc, { flagsRead: CF, flagsWritten: CF });
const MUL_FLAGS = { flagsWritten: OSZAPC, flagsUndefined: SZAPC & ~CF };
const DIV_FLAGS = { flagsWritten: OSZAPC, flagsUndefined: OSZAPC };
const GROUP3: [string, Operand[], Props][] = [
  ['test', ['Ib'], aluFlags(4)],
  ['test', ['Ib'], { ...aluFlags(4), undocumented: true }],
  ['not', [], { lock: true }],
  ['neg', [], { ...aluFlags(5), lock: true }],
  ['mul', [], MUL_FLAGS],
  ['imul', [], MUL_FLAGS],
  ['div', [], DIV_FLAGS],
  ['idiv', [], DIV_FLAGS],
];
for (let n = 0; n < 8; n++) {
  const [name, imm, props] = GROUP3[n];
  add(0xf6, name, ['Eb', ...imm], alu.group3, { reg: n, ...props });
  add(0xf7, name, ['Ev', ...(imm.length ? (['Iz'] as Operand[]) : [])], alu.group3, { reg: n, ...props });
}
add(0xf8, 'clc', [], sys.clc, { flagsWritten: CF });
add(0xf9, 'stc', [], sys.stc, { flagsWritten: CF });
add(0xfa, 'cli', [], sys.cli, { ends: 'flags' });
add(0xfb, 'sti', [], sys.sti, { ends: 'flags' });
add(0xfc, 'cld', [], sys.cld);
add(0xfd, 'std', [], sys.std);
add(0xfe, 'inc', ['Eb'], control.group4, { reg: 0, ...INC_DEC, lock: true });
add(0xfe, 'dec', ['Eb'], control.group4, { reg: 1, ...INC_DEC, lock: true });
add(0xff, 'inc', ['Ev'], control.group5, { reg: 0, ...INC_DEC, lock: true });
add(0xff, 'dec', ['Ev'], control.group5, { reg: 1, ...INC_DEC, lock: true });
add(0xff, 'call', ['Ev'], control.group5, { reg: 2, ends: 'branch' });
add(0xff, 'call', ['Mp'], control.group5, { reg: 3, mod: 'mem', ends: 'branch' });
add(0xff, 'jmp', ['Ev'], control.group5, { reg: 4, ends: 'branch' });
add(0xff, 'jmp', ['Mp'], control.group5, { reg: 5, mod: 'mem', ends: 'branch' });
add(0xff, 'push', ['Ev'], control.group5, { reg: 6 });

// ------------------------------------------------------------ 0F 00-3F: system

const GROUP6: [string, Props][] = [
  ['sldt', {}],
  ['str', {}],
  ['lldt', { ends: 'system' }],
  ['ltr', { ends: 'system' }],
  ['verr', { flagsWritten: ZF }],
  ['verw', { flagsWritten: ZF }],
];
GROUP6.forEach(([name, props], n) => {
  add(0x100, name, [n < 2 ? 'MwRv' : 'Ew'], sys.group6, { reg: n, ...props });
});
add(0x101, ['sgdtw', 'sgdtd'], ['M'], sys.group7, { reg: 0, mod: 'mem' });
add(0x101, ['sidtw', 'sidtd'], ['M'], sys.group7, { reg: 1, mod: 'mem' });
add(0x101, ['lgdtw', 'lgdtd'], ['M'], sys.group7, { reg: 2, mod: 'mem', ends: 'system' });
add(0x101, ['lidtw', 'lidtd'], ['M'], sys.group7, { reg: 3, mod: 'mem', ends: 'system' });
add(0x101, 'smsw', ['MwRv'], sys.group7, { reg: 4 });
add(0x101, 'lmsw', ['Ew'], sys.group7, { reg: 6, ends: 'system' });
add(0x101, 'invlpg', ['Mb'], sys.group7, { reg: 7, mod: 'mem', ends: 'system' });
add(0x102, 'lar', ['Gv', 'MwRv'], sys.lar, { flagsWritten: ZF });
add(0x103, 'lsl', ['Gv', 'MwRv'], sys.lsl, { flagsWritten: ZF });
add(0x106, 'clts', [], sys.clts, { ends: 'system' });
add(0x108, 'invd', [], sys.invd);
add(0x109, 'wbinvd', [], sys.invd);
add(0x10b, 'ud2', [], sys.ud2);
// 0F 0D and 0F 18-1F: hint NOPs (prefetches on later models), any ModRM.
add(0x10d, 'prefetch', ['Mb'], data.hintNop, { reg: 0, mod: 'mem' });
add(0x10d, 'prefetchw', ['Mb'], data.hintNop, { reg: 1, mod: 'mem' });
add(0x10d, 'prefetchwt1', ['Mb'], data.hintNop, { reg: 2, mod: 'mem' });
for (let n = 3; n < 8; n++) add(0x10d, 'prefetch', ['Mb'], data.hintNop, { reg: n, mod: 'mem' });
add(0x10d, 'nop', ['Ev'], data.hintNop, { mod: 'reg', undocumented: true });
const PREFETCH = ['prefetchnta', 'prefetcht0', 'prefetcht1', 'prefetcht2'];
for (let n = 0; n < 8; n++) {
  add(0x118, n < 4 ? PREFETCH[n] : 'nop', [n < 4 ? 'Mb' : 'Ev'], data.hintNop, { reg: n, mod: 'mem' });
}
add(0x118, 'nop', ['Ev'], data.hintNop, { mod: 'reg' });
for (let op = 0x119; op < 0x120; op++) add(op, 'nop', ['Ev'], data.hintNop);
// MOV to and from CR and DR: the ModRM byte always names registers, whatever its mod.
add(0x120, 'mov', ['Rd', 'Cd'], sys.movFromCr, { mod: 'reg' });
add(0x121, 'mov', ['Rd', 'Dd'], sys.movFromDr, { mod: 'reg' });
add(0x122, 'mov', ['Cd', 'Rd'], sys.movToCr, { mod: 'reg', ends: 'system' });
add(0x123, 'mov', ['Dd', 'Rd'], sys.movToDr, { mod: 'reg', ends: 'system' });
add(0x130, 'wrmsr', [], sys.wrmsr, { ends: 'system', feature: Feature.MSR });
add(0x131, 'rdtsc', [], sys.rdtsc, { feature: Feature.TSC });
add(0x132, 'rdmsr', [], sys.rdmsr, { feature: Feature.MSR });
add(0x133, 'rdpmc', [], sys.rdpmc);
add(0x134, 'sysenter', [], sys.sysenter, { ends: 'branch', feature: Feature.SEP });
add(0x135, 'sysexit', [], sys.sysexit, { ends: 'branch', feature: Feature.SEP });

// ------------------------------------------------------------ 0F A0-CF

add(0x1a0, 'push', ['FS'], data.pushSeg);
add(0x1a1, 'pop', ['FS'], data.popSeg, { ends: 'segment' });
add(0x1a2, 'cpuid', [], sys.cpuid);
add(0x1a3, 'bt', ['Ev', 'Gv'], alu.bt, { flagsWritten: OSZAPC & ~ZF, flagsUndefined: OF | SF | AF | PF });
add(0x1a4, 'shld', ['Ev', 'Gv', 'Ib'], alu.doubleShiftImm, shiftFlags(4, false));
add(0x1a5, 'shld', ['Ev', 'Gv', 'CL'], alu.doubleShiftCL, shiftFlags(4, false));
add(0x1a8, 'push', ['GS'], data.pushSeg);
add(0x1a9, 'pop', ['GS'], data.popSeg, { ends: 'segment' });
const BT_FLAGS = { flagsWritten: OSZAPC & ~ZF, flagsUndefined: OF | SF | AF | PF };
add(0x1ab, 'bts', ['Ev', 'Gv'], alu.bts, { ...BT_FLAGS, lock: true });
add(0x1ac, 'shrd', ['Ev', 'Gv', 'Ib'], alu.doubleShiftImm, shiftFlags(5, false));
add(0x1ad, 'shrd', ['Ev', 'Gv', 'CL'], alu.doubleShiftCL, shiftFlags(5, false));
// Group 15 (0F AE) reads its prefixes, as the rest of it is SSE's (`opcodes-simd.ts`).
add(0x1ae, 'fxsave', ['Menv'], fpu.fxsaveFxrstor, { reg: 0, mod: 'mem', pfx: 0, feature: Feature.FXSR });
add(0x1ae, 'fxrstor', ['Menv'], fpu.fxsaveFxrstor, { reg: 1, mod: 'mem', pfx: 0, feature: Feature.FXSR });
add(0x1af, 'imul', ['Gv', 'Ev'], alu.imulAF, MUL_FLAGS);
add(0x1b0, 'cmpxchg', ['Eb', 'Gb'], data.cmpxchg, { ...aluFlags(7), lock: true });
add(0x1b1, 'cmpxchg', ['Ev', 'Gv'], data.cmpxchg, { ...aluFlags(7), lock: true });
add(0x1b2, 'lss', ['Gv', 'Mp'], data.lss, { mod: 'mem', ends: 'segment' });
add(0x1b3, 'btr', ['Ev', 'Gv'], alu.btr, { ...BT_FLAGS, lock: true });
add(0x1b4, 'lfs', ['Gv', 'Mp'], data.lfs, { mod: 'mem', ends: 'segment' });
add(0x1b5, 'lgs', ['Gv', 'Mp'], data.lgs, { mod: 'mem', ends: 'segment' });
add(0x1b6, 'movzx', ['Gv', 'Eb'], data.movzx);
add(0x1b7, 'movzx', ['Gv', 'Ew'], data.movzx);
['bt', 'bts', 'btr', 'btc'].forEach((name, n) => {
  add(0x1ba, name, ['Ev', 'Ib'], alu.group8, { reg: 4 + n, ...BT_FLAGS, lock: n > 0 });
});
// UD1 (0F B9): undefined on purpose, with a ModRM byte.
add(0x1b9, 'ud1', ['Gv', 'Ev'], sys.ud2);
add(0x1bb, 'btc', ['Ev', 'Gv'], alu.btc, { ...BT_FLAGS, lock: true });
const BS_FLAGS = { flagsWritten: OSZAPC, flagsUndefined: OSZAPC & ~ZF };
add(0x1bc, 'bsf', ['Gv', 'Ev'], alu.bsf, BS_FLAGS);
add(0x1bd, 'bsr', ['Gv', 'Ev'], alu.bsr, BS_FLAGS);
add(0x1be, 'movsx', ['Gv', 'Eb'], data.movsx);
add(0x1bf, 'movsx', ['Gv', 'Ew'], data.movsx);
add(0x1c0, 'xadd', ['Eb', 'Gb'], data.xadd, { ...aluFlags(0), lock: true });
add(0x1c1, 'xadd', ['Ev', 'Gv'], data.xadd, { ...aluFlags(0), lock: true });
add(0x1c7, 'cmpxchg8b', ['Mq'], data.cmpxchg8b, {
  reg: 1,
  mod: 'mem',
  flagsWritten: ZF,
  lock: true,
  feature: Feature.CX8,
});
for (let r = 0; r < 8; r++) add(0x1c8 + r, 'bswap', ['Zv'], data.bswap);

// ------------------------------------------------------------ D8-DF: x87 (executed by fpu/, named here)

const X87 = Feature.FPU;
function x87(op: number, reg: number, name: string, operands: Operand[], props: Props = {}): void {
  add(op, name, operands, fpu.fpuEscape, { reg, feature: X87, ...props });
}
/** The memory forms of one escape byte, by ModRM reg; '' for none. FISTTP (/1 of DB, DD, DF) is SSE3's. */
function x87Mem(op: number, forms: [string, Operand][]): void {
  forms.forEach(([name, m], reg) => {
    const sse3 = name === 'fisttp' ? { featureEcx: FeatureEcx.SSE3 } : {};
    if (name) x87(op, reg, name, [m], { mod: 'mem', ...sse3 });
  });
}
const ARITH = ['fadd', 'fmul', 'fcom', 'fcomp', 'fsub', 'fsubr', 'fdiv', 'fdivr'];
const IARITH = ['fiadd', 'fimul', 'ficom', 'ficomp', 'fisub', 'fisubr', 'fidiv', 'fidivr'];
x87Mem(
  0xd8,
  ARITH.map((n) => [n, 'Mfs']),
);
x87Mem(0xd9, [
  ['fld', 'Mfs'],
  ['', 'Mfs'],
  ['fst', 'Mfs'],
  ['fstp', 'Mfs'],
  ['fldenv', 'Menv'],
  ['fldcw', 'Mw'],
  ['fnstenv', 'Menv'],
  ['fnstcw', 'Mw'],
]);
x87Mem(
  0xda,
  IARITH.map((n) => [n, 'Mi32']),
);
x87Mem(0xdb, [
  ['fild', 'Mi32'],
  ['fisttp', 'Mi32'],
  ['fist', 'Mi32'],
  ['fistp', 'Mi32'],
  ['', 'Mi32'],
  ['fld', 'Mft'],
  ['', 'Mi32'],
  ['fstp', 'Mft'],
]);
x87Mem(
  0xdc,
  ARITH.map((n) => [n, 'Mfd']),
);
x87Mem(0xdd, [
  ['fld', 'Mfd'],
  ['fisttp', 'Mi64'],
  ['fst', 'Mfd'],
  ['fstp', 'Mfd'],
  ['frstor', 'Menv'],
  ['', 'Mfd'],
  ['fnsave', 'Menv'],
  ['fnstsw', 'Mw'],
]);
x87Mem(
  0xde,
  IARITH.map((n) => [n, 'Mi16']),
);
x87Mem(0xdf, [
  ['fild', 'Mi16'],
  ['fisttp', 'Mi16'],
  ['fist', 'Mi16'],
  ['fistp', 'Mi16'],
  ['fbld', 'Mbcd'],
  ['fild', 'Mi64'],
  ['fbstp', 'Mbcd'],
  ['fistp', 'Mi64'],
]);
// Register forms.
ARITH.forEach((name, reg) => {
  x87(0xd8, reg, name, reg === 2 || reg === 3 ? ['STi'] : ['ST', 'STi'], { mod: 'reg' });
});
x87(0xd9, 0, 'fld', ['STi'], { mod: 'reg' });
x87(0xd9, 1, 'fxch', ['STi'], { mod: 'reg' });
x87(0xd9, 2, 'fnop', [], { mod: 'reg', rm: 0 });
const D9_CONST: [number, number, string][] = [
  [4, 0, 'fchs'],
  [4, 1, 'fabs'],
  [4, 4, 'ftst'],
  [4, 5, 'fxam'],
  [5, 0, 'fld1'],
  [5, 1, 'fldl2t'],
  [5, 2, 'fldl2e'],
  [5, 3, 'fldpi'],
  [5, 4, 'fldlg2'],
  [5, 5, 'fldln2'],
  [5, 6, 'fldz'],
];
for (const [reg, rm, name] of D9_CONST) x87(0xd9, reg, name, [], { mod: 'reg', rm });
['f2xm1', 'fyl2x', 'fptan', 'fpatan', 'fxtract', 'fprem1', 'fdecstp', 'fincstp'].forEach((name, rm) => {
  x87(0xd9, 6, name, [], { mod: 'reg', rm });
});
['fprem', 'fyl2xp1', 'fsqrt', 'fsincos', 'frndint', 'fscale', 'fsin', 'fcos'].forEach((name, rm) => {
  x87(0xd9, 7, name, [], { mod: 'reg', rm });
});
const FCMOV = { feature: X87 | Feature.CMOV };
['fcmovb', 'fcmove', 'fcmovbe', 'fcmovu'].forEach((name, reg) => {
  x87(0xda, reg, name, ['ST', 'STi'], { mod: 'reg', flagsRead: CC_FLAGS[[2, 4, 6, 10][reg]], ...FCMOV });
});
x87(0xda, 5, 'fucompp', [], { mod: 'reg', rm: 1 });
['fcmovnb', 'fcmovne', 'fcmovnbe', 'fcmovnu'].forEach((name, reg) => {
  x87(0xdb, reg, name, ['ST', 'STi'], { mod: 'reg', flagsRead: CC_FLAGS[[2, 4, 6, 10][reg]], ...FCMOV });
});
x87(0xdb, 4, 'fnclex', [], { mod: 'reg', rm: 2 });
x87(0xdb, 4, 'fninit', [], { mod: 'reg', rm: 3 });
/** FCOMI and friends set ZF, PF and CF from the comparison and clear OF, SF and AF. */
const FCOMI = { flagsWritten: OSZAPC, ...FCMOV };
x87(0xdb, 5, 'fucomi', ['ST', 'STi'], { mod: 'reg', ...FCOMI });
x87(0xdb, 6, 'fcomi', ['ST', 'STi'], { mod: 'reg', ...FCOMI });
// DC and DE register forms swap the SDM's SUB/SUBR and DIV/DIVR against D8 (ST(i) is the destination).
['fadd', 'fmul', '', '', 'fsubr', 'fsub', 'fdivr', 'fdiv'].forEach((name, reg) => {
  if (name) x87(0xdc, reg, name, ['STi', 'ST'], { mod: 'reg' });
});
x87(0xdd, 0, 'ffree', ['STi'], { mod: 'reg' });
x87(0xdd, 2, 'fst', ['STi'], { mod: 'reg' });
x87(0xdd, 3, 'fstp', ['STi'], { mod: 'reg' });
x87(0xdd, 4, 'fucom', ['STi'], { mod: 'reg' });
x87(0xdd, 5, 'fucomp', ['STi'], { mod: 'reg' });
['faddp', 'fmulp', '', '', 'fsubrp', 'fsubp', 'fdivrp', 'fdivp'].forEach((name, reg) => {
  if (name) x87(0xde, reg, name, ['STi', 'ST'], { mod: 'reg' });
});
x87(0xde, 3, 'fcompp', [], { mod: 'reg', rm: 1 });
// Aliases the x87 unit executes (undocumented on the P6, and (bad) to objdump but FFREEP).
const ALIAS = { mod: 'reg', undocumented: true } as const;
x87(0xd9, 3, 'fstp', ['STi'], ALIAS);
x87(0xdb, 4, 'fneni', [], { ...ALIAS, rm: 0 });
x87(0xdb, 4, 'fndisi', [], { ...ALIAS, rm: 1 });
x87(0xdb, 4, 'fnsetpm', [], { ...ALIAS, rm: 4 });
x87(0xdc, 2, 'fcom', ['STi'], ALIAS);
x87(0xdc, 3, 'fcomp', ['STi'], ALIAS);
x87(0xdd, 1, 'fxch', ['STi'], ALIAS);
x87(0xde, 2, 'fcomp', ['STi'], ALIAS);
x87(0xdf, 0, 'ffreep', ['STi'], ALIAS);
x87(0xdf, 1, 'fxch', ['STi'], ALIAS);
x87(0xdf, 2, 'fstp', ['STi'], ALIAS);
x87(0xdf, 3, 'fstp', ['STi'], ALIAS);
x87(0xdf, 4, 'fnstsw', ['AX'], { mod: 'reg', rm: 0 });
x87(0xdf, 5, 'fucomip', ['ST', 'STi'], { mod: 'reg', ...FCOMI });
x87(0xdf, 6, 'fcomip', ['ST', 'STi'], { mod: 'reg', ...FCOMI });

export const OPCODES: readonly OpcodeEntry[] = [...T, ...SIMD_OPCODES];
