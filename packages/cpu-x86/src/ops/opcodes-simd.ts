import { Feature, FeatureEcx } from '../cpuid.js';
import { ADD, DIV, MAX, MIN, MUL, SQRT, SUB } from '../simd/float.js';
import * as I from '../simd/integer.js';
import { type OpcodeEntry, type Operand, OSZAPC } from './opcode-entry.js';
import * as S from './simd.js';

// The MMX, SSE, SSE2, SSE3 and SSSE3 part of the opcode table (SDM vol. 2,
// appendix A, tables ): one entry per mandatory prefix of each
// opcode (`pfx`: 0 for none), with the set the form belongs to. These
// change no EFLAGS but (U)COMISS/(U)COMISD, and end no translation unit.

type Props = Partial<Omit<OpcodeEntry, 'op' | 'name' | 'operands' | 'handler' | 'pfx'>>;

const T: OpcodeEntry[] = [];

const MMX = Feature.MMX;
const SSE = Feature.SSE;
const SSE2 = Feature.SSE2;
const SSE3 = { feature: SSE2, featureEcx: FeatureEcx.SSE3 };

function add(
  op: number,
  pfx: 0 | 0x66 | 0xf2 | 0xf3,
  name: string,
  operands: readonly Operand[],
  handler: OpcodeEntry['handler'],
  props: Props,
): void {
  T.push({ op: 0x100 | op, pfx, name, operands, handler, ...props });
}

/** The four forms of a packed/scalar single/double operation: PS (none, SSE), PD (66, SSE2), SS (F3, SSE), SD (F2, SSE2). */
function fourForms(op: number, base: string, handler: OpcodeEntry['handler'], extra: Operand[] = []): void {
  add(op, 0, `${base}ps`, ['Vps', 'Wps', ...extra], handler, { feature: SSE });
  add(op, 0x66, `${base}pd`, ['Vpd', 'Wpd', ...extra], handler, { feature: SSE2 });
  add(op, 0xf3, `${base}ss`, ['Vss', 'Wss', ...extra], handler, { feature: SSE });
  add(op, 0xf2, `${base}sd`, ['Vsd', 'Wsd', ...extra], handler, { feature: SSE2 });
}

/** A packed single (none, SSE) and packed double (66, SSE2) pair. */
function psPd(op: number, base: string, handler: OpcodeEntry['handler']): void {
  add(op, 0, `${base}ps`, ['Vps', 'Wps'], handler, { feature: SSE });
  add(op, 0x66, `${base}pd`, ['Vpd', 'Wpd'], handler, { feature: SSE2 });
}

/**
 * An integer operation in its MMX form (no prefix; `mmx` the set that added
 * it: MMX, or SSE and SSE2 for their integer additions) and its XMM form (66, SSE2).
 */
function integer(op: number, name: string, fn: I.IntOp, mmx: number, src: Operand = 'Qq'): void {
  add(op, 0, name, ['Pq', src], S.integerMmx(fn, src === 'Qd' ? 4 : 8), { feature: mmx });
  add(op, 0x66, name, ['Vdq', 'Wdq'], S.integerXmm(fn), { feature: SSE2 });
}

// ------------------------------------------------------------ 0F 10-17

add(0x10, 0, 'movups', ['Vps', 'Wps'], S.movups(false), { feature: SSE });
add(0x10, 0x66, 'movupd', ['Vpd', 'Wpd'], S.movups(false), { feature: SSE2 });
add(0x10, 0xf3, 'movss', ['Vss', 'Wss'], S.movups(false), { feature: SSE });
add(0x10, 0xf2, 'movsd', ['Vsd', 'Wsd'], S.movups(false), { feature: SSE2 });
add(0x11, 0, 'movups', ['Wps', 'Vps'], S.movups(true), { feature: SSE });
add(0x11, 0x66, 'movupd', ['Wpd', 'Vpd'], S.movups(true), { feature: SSE2 });
add(0x11, 0xf3, 'movss', ['Wss', 'Vss'], S.movups(true), { feature: SSE });
add(0x11, 0xf2, 'movsd', ['Wsd', 'Vsd'], S.movups(true), { feature: SSE2 });
for (const [op, high] of [
  [0x12, false],
  [0x16, true],
] as const) {
  const h = high ? 'h' : 'l';
  add(op, 0, `mov${h}ps`, ['Vq', 'Mq'], S.movlps(false, high), { mod: 'mem', feature: SSE });
  add(op, 0, high ? 'movlhps' : 'movhlps', ['Vq', 'Uq'], S.movlps(false, high), { mod: 'reg', feature: SSE });
  add(op, 0x66, `mov${h}pd`, ['Vq', 'Mq'], S.movlps(false, high), { mod: 'mem', feature: SSE2 });
  add(op, 0xf3, high ? 'movshdup' : 'movsldup', ['Vps', 'Wps'], S.movsldup(high), SSE3);
  add(op + 1, 0, `mov${h}ps`, ['Mq', 'Vq'], S.movlps(true, high), { mod: 'mem', feature: SSE });
  add(op + 1, 0x66, `mov${h}pd`, ['Mq', 'Vq'], S.movlps(true, high), { mod: 'mem', feature: SSE2 });
}
add(0x12, 0xf2, 'movddup', ['Vpd', 'Wsd'], S.movddup, SSE3);
psPd(0x14, 'unpckl', S.unpckps(false));
psPd(0x15, 'unpckh', S.unpckps(true));

// ------------------------------------------------------------ 0F 28-2F

psPd(0x28, 'mova', S.movaps(false));
add(0x29, 0, 'movaps', ['Wps', 'Vps'], S.movaps(true), { feature: SSE });
add(0x29, 0x66, 'movapd', ['Wpd', 'Vpd'], S.movaps(true), { feature: SSE2 });
add(0x2a, 0, 'cvtpi2ps', ['Vps', 'Qq'], S.cvt2a, { feature: SSE });
add(0x2a, 0x66, 'cvtpi2pd', ['Vpd', 'Qq'], S.cvt2a, { feature: SSE2 });
add(0x2a, 0xf3, 'cvtsi2ss', ['Vss', 'Ed'], S.cvt2a, { feature: SSE });
add(0x2a, 0xf2, 'cvtsi2sd', ['Vsd', 'Ed'], S.cvt2a, { feature: SSE2 });
add(0x2b, 0, 'movntps', ['Mps', 'Vps'], S.movaps(true), { mod: 'mem', feature: SSE });
add(0x2b, 0x66, 'movntpd', ['Mpd', 'Vpd'], S.movaps(true), { mod: 'mem', feature: SSE2 });
for (const [op, t] of [
  [0x2c, 't'],
  [0x2d, ''],
] as const) {
  const h = S.cvtToInt(t === 't');
  add(op, 0, `cvt${t}ps2pi`, ['Pq', 'Wq'], h, { feature: SSE });
  add(op, 0x66, `cvt${t}pd2pi`, ['Pq', 'Wpd'], h, { feature: SSE2 });
  add(op, 0xf3, `cvt${t}ss2si`, ['Gd', 'Wss'], h, { feature: SSE });
  add(op, 0xf2, `cvt${t}sd2si`, ['Gd', 'Wsd'], h, { feature: SSE2 });
}
/** (U)COMIS*: ZF, PF and CF from the comparison, OF, SF and AF cleared. */
const COMIS = { flagsWritten: OSZAPC };
add(0x2e, 0, 'ucomiss', ['Vss', 'Wss'], S.comis(false), { feature: SSE, ...COMIS });
add(0x2e, 0x66, 'ucomisd', ['Vsd', 'Wsd'], S.comis(false), { feature: SSE2, ...COMIS });
add(0x2f, 0, 'comiss', ['Vss', 'Wss'], S.comis(true), { feature: SSE, ...COMIS });
add(0x2f, 0x66, 'comisd', ['Vsd', 'Wsd'], S.comis(true), { feature: SSE2, ...COMIS });

// ------------------------------------------------------------ 0F 50-5F

add(0x50, 0, 'movmskps', ['Gd', 'Ups'], S.movmskps, { mod: 'reg', feature: SSE });
add(0x50, 0x66, 'movmskpd', ['Gd', 'Upd'], S.movmskps, { mod: 'reg', feature: SSE2 });
fourForms(0x51, 'sqrt', S.arith(SQRT));
for (const [op, name, sqrt] of [
  [0x52, 'rsqrt', true],
  [0x53, 'rcp', false],
] as const) {
  add(op, 0, `${name}ps`, ['Vps', 'Wps'], S.approx(sqrt), { feature: SSE });
  add(op, 0xf3, `${name}ss`, ['Vss', 'Wss'], S.approx(sqrt), { feature: SSE });
}
psPd(0x54, 'and', S.logic(I.pand));
psPd(0x55, 'andn', S.logic(I.pandn));
psPd(0x56, 'or', S.logic(I.por));
psPd(0x57, 'xor', S.logic(I.pxor));
fourForms(0x58, 'add', S.arith(ADD));
fourForms(0x59, 'mul', S.arith(MUL));
// 0F 5A: every form is SSE2's, CVTPS2PD and CVTSS2SD included.
add(0x5a, 0, 'cvtps2pd', ['Vpd', 'Wq'], S.cvt5a, { feature: SSE2 });
add(0x5a, 0x66, 'cvtpd2ps', ['Vps', 'Wpd'], S.cvt5a, { feature: SSE2 });
add(0x5a, 0xf3, 'cvtss2sd', ['Vsd', 'Wss'], S.cvt5a, { feature: SSE2 });
add(0x5a, 0xf2, 'cvtsd2ss', ['Vss', 'Wsd'], S.cvt5a, { feature: SSE2 });
add(0x5b, 0, 'cvtdq2ps', ['Vps', 'Wdq'], S.cvt5b, { feature: SSE2 });
add(0x5b, 0x66, 'cvtps2dq', ['Vdq', 'Wps'], S.cvt5b, { feature: SSE2 });
add(0x5b, 0xf3, 'cvttps2dq', ['Vdq', 'Wps'], S.cvt5b, { feature: SSE2 });
fourForms(0x5c, 'sub', S.arith(SUB));
fourForms(0x5d, 'min', S.arith(MIN));
fourForms(0x5e, 'div', S.arith(DIV));
fourForms(0x5f, 'max', S.arith(MAX));

// ------------------------------------------------------------ 0F 60-7F

// The low unpacks read a doubleword of memory in their MMX form.
integer(0x60, 'punpcklbw', I.punpcklbw, MMX, 'Qd');
integer(0x61, 'punpcklwd', I.punpcklwd, MMX, 'Qd');
integer(0x62, 'punpckldq', I.punpckldq, MMX, 'Qd');
integer(0x63, 'packsswb', I.packsswb, MMX);
integer(0x64, 'pcmpgtb', I.pcmpgtb, MMX);
integer(0x65, 'pcmpgtw', I.pcmpgtw, MMX);
integer(0x66, 'pcmpgtd', I.pcmpgtd, MMX);
integer(0x67, 'packuswb', I.packuswb, MMX);
integer(0x68, 'punpckhbw', I.punpckhbw, MMX);
integer(0x69, 'punpckhwd', I.punpckhwd, MMX);
integer(0x6a, 'punpckhdq', I.punpckhdq, MMX);
integer(0x6b, 'packssdw', I.packssdw, MMX);
add(0x6c, 0x66, 'punpcklqdq', ['Vdq', 'Wdq'], S.integerXmm(I.punpcklqdq), { feature: SSE2 });
add(0x6d, 0x66, 'punpckhqdq', ['Vdq', 'Wdq'], S.integerXmm(I.punpckhqdq), { feature: SSE2 });
add(0x6e, 0, 'movd', ['Pq', 'Ed'], S.movdMmx, { feature: MMX });
add(0x6e, 0x66, 'movd', ['Vdq', 'Ed'], S.movdXmm, { feature: SSE2 });
add(0x6f, 0, 'movq', ['Pq', 'Qq'], S.movqMmxLoad, { feature: MMX });
add(0x6f, 0x66, 'movdqa', ['Vdq', 'Wdq'], S.movdqaLoad, { feature: SSE2 });
add(0x6f, 0xf3, 'movdqu', ['Vdq', 'Wdq'], S.movdqaLoad, { feature: SSE2 });
add(0x70, 0, 'pshufw', ['Pq', 'Qq', 'Ib'], S.pshufw, { feature: SSE });
add(0x70, 0x66, 'pshufd', ['Vdq', 'Wdq', 'Ib'], S.pshufXmm, { feature: SSE2 });
add(0x70, 0xf3, 'pshufhw', ['Vdq', 'Wdq', 'Ib'], S.pshufXmm, { feature: SSE2 });
add(0x70, 0xf2, 'pshuflw', ['Vdq', 'Wdq', 'Ib'], S.pshufXmm, { feature: SSE2 });
/** Groups 12-14 (0F 71-73, register forms): /2 shift right, /4 arithmetic right, /6 left, by imm8. */
const SHIFT_GROUPS: [number, string, number, [number, string, number][]][] = [
  [
    0x71,
    'w',
    2,
    [
      [2, 'psrl', I.SHIFT_RIGHT],
      [4, 'psra', I.SHIFT_ARITH],
      [6, 'psll', I.SHIFT_LEFT],
    ],
  ],
  [
    0x72,
    'd',
    4,
    [
      [2, 'psrl', I.SHIFT_RIGHT],
      [4, 'psra', I.SHIFT_ARITH],
      [6, 'psll', I.SHIFT_LEFT],
    ],
  ],
  [
    0x73,
    'q',
    8,
    [
      [2, 'psrl', I.SHIFT_RIGHT],
      [6, 'psll', I.SHIFT_LEFT],
    ],
  ],
];
for (const [op, suffix, w, forms] of SHIFT_GROUPS) {
  for (const [reg, name, kind] of forms) {
    const props = { reg, mod: 'reg' } as const;
    add(op, 0, name + suffix, ['Nq', 'Ib'], S.shiftImmMmx(w, kind), { ...props, feature: MMX });
    add(op, 0x66, name + suffix, ['Udq', 'Ib'], S.shiftImmXmm(w, kind), { ...props, feature: SSE2 });
  }
}
add(0x73, 0x66, 'psrldq', ['Udq', 'Ib'], S.shiftBytes, { reg: 3, mod: 'reg', feature: SSE2 });
add(0x73, 0x66, 'pslldq', ['Udq', 'Ib'], S.shiftBytes, { reg: 7, mod: 'reg', feature: SSE2 });
integer(0x74, 'pcmpeqb', I.pcmpeqb, MMX);
integer(0x75, 'pcmpeqw', I.pcmpeqw, MMX);
integer(0x76, 'pcmpeqd', I.pcmpeqd, MMX);
add(0x77, 0, 'emms', [], S.emms, { feature: MMX });
add(0x7c, 0x66, 'haddpd', ['Vpd', 'Wpd'], S.horizontal(ADD), SSE3);
add(0x7c, 0xf2, 'haddps', ['Vps', 'Wps'], S.horizontal(ADD), SSE3);
add(0x7d, 0x66, 'hsubpd', ['Vpd', 'Wpd'], S.horizontal(SUB), SSE3);
add(0x7d, 0xf2, 'hsubps', ['Vps', 'Wps'], S.horizontal(SUB), SSE3);
add(0x7e, 0, 'movd', ['Ed', 'Pq'], S.movdStore, { feature: MMX });
add(0x7e, 0x66, 'movd', ['Ed', 'Vdq'], S.movdStore, { feature: SSE2 });
add(0x7e, 0xf3, 'movq', ['Vq', 'Wq'], S.movqXmmLoad, { feature: SSE2 });
add(0x7f, 0, 'movq', ['Qq', 'Pq'], S.movqMmxStore, { feature: MMX });
add(0x7f, 0x66, 'movdqa', ['Wdq', 'Vdq'], S.movdqaStore, { feature: SSE2 });
add(0x7f, 0xf3, 'movdqu', ['Wdq', 'Vdq'], S.movdqaStore, { feature: SSE2 });

// ------------------------------------------------------------ 0F AE, C2-C7

add(0xae, 0, 'ldmxcsr', ['Md'], S.ldmxcsr, { reg: 2, mod: 'mem', feature: SSE });
add(0xae, 0, 'stmxcsr', ['Md'], S.stmxcsr, { reg: 3, mod: 'mem', feature: SSE });
add(0xae, 0, 'lfence', [], S.fence, { reg: 5, mod: 'reg', feature: SSE2 });
add(0xae, 0, 'mfence', [], S.fence, { reg: 6, mod: 'reg', feature: SSE2 });
add(0xae, 0, 'sfence', [], S.fence, { reg: 7, mod: 'reg', feature: SSE });
add(0xae, 0, 'clflush', ['Mb'], S.clflush, { reg: 7, mod: 'mem', feature: Feature.CLFSH });
fourForms(0xc2, 'cmp', S.cmp, ['Ib']);
add(0xc3, 0, 'movnti', ['Md', 'Gd'], S.movnti, { mod: 'mem', feature: SSE2 });
add(0xc4, 0, 'pinsrw', ['Pq', 'RdMw', 'Ib'], S.pinsrwMmx, { feature: SSE });
add(0xc4, 0x66, 'pinsrw', ['Vdq', 'RdMw', 'Ib'], S.pinsrwXmm, { feature: SSE2 });
add(0xc5, 0, 'pextrw', ['Gd', 'Nq', 'Ib'], S.pextrw, { mod: 'reg', feature: SSE });
add(0xc5, 0x66, 'pextrw', ['Gd', 'Udq', 'Ib'], S.pextrw, { mod: 'reg', feature: SSE2 });
add(0xc6, 0, 'shufps', ['Vps', 'Wps', 'Ib'], S.shufps, { feature: SSE });
add(0xc6, 0x66, 'shufpd', ['Vpd', 'Wpd', 'Ib'], S.shufps, { feature: SSE2 });

// ------------------------------------------------------------ 0F D0-FF

add(0xd0, 0x66, 'addsubpd', ['Vpd', 'Wpd'], S.addsub, SSE3);
add(0xd0, 0xf2, 'addsubps', ['Vps', 'Wps'], S.addsub, SSE3);
/** Shifts by a register or memory count: 0F D1-D3 right, E1-E2 arithmetic right, F1-F3 left. */
for (const [op, name, w, kind] of [
  [0xd1, 'psrlw', 2, I.SHIFT_RIGHT],
  [0xd2, 'psrld', 4, I.SHIFT_RIGHT],
  [0xd3, 'psrlq', 8, I.SHIFT_RIGHT],
  [0xe1, 'psraw', 2, I.SHIFT_ARITH],
  [0xe2, 'psrad', 4, I.SHIFT_ARITH],
  [0xf1, 'psllw', 2, I.SHIFT_LEFT],
  [0xf2, 'pslld', 4, I.SHIFT_LEFT],
  [0xf3, 'psllq', 8, I.SHIFT_LEFT],
] as const) {
  add(op, 0, name, ['Pq', 'Qq'], S.shiftRegMmx(w, kind), { feature: MMX });
  add(op, 0x66, name, ['Vdq', 'Wdq'], S.shiftRegXmm(w, kind), { feature: SSE2 });
}
add(0xd6, 0x66, 'movq', ['Wq', 'Vq'], S.movqXmmStore, { feature: SSE2 });
add(0xd6, 0xf3, 'movq2dq', ['Vdq', 'Nq'], S.movq2dq, { mod: 'reg', feature: SSE2 });
add(0xd6, 0xf2, 'movdq2q', ['Pq', 'Uq'], S.movdq2q, { mod: 'reg', feature: SSE2 });
add(0xd7, 0, 'pmovmskb', ['Gd', 'Nq'], S.pmovmskb, { mod: 'reg', feature: SSE });
add(0xd7, 0x66, 'pmovmskb', ['Gd', 'Udq'], S.pmovmskb, { mod: 'reg', feature: SSE2 });
const LANES: [number, string, I.IntOp, number][] = [
  [0xd4, 'paddq', I.paddq, SSE2],
  [0xd5, 'pmullw', I.pmullw, MMX],
  [0xd8, 'psubusb', I.psubusb, MMX],
  [0xd9, 'psubusw', I.psubusw, MMX],
  [0xda, 'pminub', I.pminub, SSE],
  [0xdb, 'pand', I.pand, MMX],
  [0xdc, 'paddusb', I.paddusb, MMX],
  [0xdd, 'paddusw', I.paddusw, MMX],
  [0xde, 'pmaxub', I.pmaxub, SSE],
  [0xdf, 'pandn', I.pandn, MMX],
  [0xe0, 'pavgb', I.pavgb, SSE],
  [0xe3, 'pavgw', I.pavgw, SSE],
  [0xe4, 'pmulhuw', I.pmulhuw, SSE],
  [0xe5, 'pmulhw', I.pmulhw, MMX],
  [0xe8, 'psubsb', I.psubsb, MMX],
  [0xe9, 'psubsw', I.psubsw, MMX],
  [0xea, 'pminsw', I.pminsw, SSE],
  [0xeb, 'por', I.por, MMX],
  [0xec, 'paddsb', I.paddsb, MMX],
  [0xed, 'paddsw', I.paddsw, MMX],
  [0xee, 'pmaxsw', I.pmaxsw, SSE],
  [0xef, 'pxor', I.pxor, MMX],
  [0xf4, 'pmuludq', I.pmuludq, SSE2],
  [0xf5, 'pmaddwd', I.pmaddwd, MMX],
  [0xf6, 'psadbw', I.psadbw, SSE],
  [0xf8, 'psubb', I.psubb, MMX],
  [0xf9, 'psubw', I.psubw, MMX],
  [0xfa, 'psubd', I.psubd, MMX],
  [0xfb, 'psubq', I.psubq, SSE2],
  [0xfc, 'paddb', I.paddb, MMX],
  [0xfd, 'paddw', I.paddw, MMX],
  [0xfe, 'paddd', I.paddd, MMX],
];
for (const [op, name, fn, mmx] of LANES) integer(op, name, fn, mmx);
add(0xe6, 0x66, 'cvttpd2dq', ['Vdq', 'Wpd'], S.cvte6, { feature: SSE2 });
add(0xe6, 0xf3, 'cvtdq2pd', ['Vpd', 'Wq'], S.cvte6, { feature: SSE2 });
add(0xe6, 0xf2, 'cvtpd2dq', ['Vdq', 'Wpd'], S.cvte6, { feature: SSE2 });
add(0xe7, 0, 'movntq', ['Mq', 'Pq'], S.movntq, { mod: 'mem', feature: SSE });
add(0xe7, 0x66, 'movntdq', ['Mdq', 'Vdq'], S.movntdq, { mod: 'mem', feature: SSE2 });
add(0xf0, 0xf2, 'lddqu', ['Vdq', 'M'], S.lddqu, { mod: 'mem', ...SSE3 });
add(0xf7, 0, 'maskmovq', ['Pq', 'Nq'], S.maskmov, { mod: 'reg', feature: SSE });
add(0xf7, 0x66, 'maskmovdqu', ['Vdq', 'Udq'], S.maskmov, { mod: 'reg', feature: SSE2 });

// ------------------------------------------------------------ 0F 38, 0F 3A: SSSE3

const SSSE3: [number, string, I.IntOp][] = [
  [0x00, 'pshufb', I.pshufb],
  [0x01, 'phaddw', I.phaddw],
  [0x02, 'phaddd', I.phaddd],
  [0x03, 'phaddsw', I.phaddsw],
  [0x04, 'pmaddubsw', I.pmaddubsw],
  [0x05, 'phsubw', I.phsubw],
  [0x06, 'phsubd', I.phsubd],
  [0x07, 'phsubsw', I.phsubsw],
  [0x08, 'psignb', I.psignb],
  [0x09, 'psignw', I.psignw],
  [0x0a, 'psignd', I.psignd],
  [0x0b, 'pmulhrsw', I.pmulhrsw],
  [0x1c, 'pabsb', I.pabsb],
  [0x1d, 'pabsw', I.pabsw],
  [0x1e, 'pabsd', I.pabsd],
];
const SSSE3_MMX = { feature: MMX, featureEcx: FeatureEcx.SSSE3 };
const SSSE3_XMM = { feature: SSE2, featureEcx: FeatureEcx.SSSE3 };
for (const [op, name, fn] of SSSE3) {
  T.push({ op: 0x200 | op, pfx: 0, name, operands: ['Pq', 'Qq'], handler: S.integerMmx(fn), ...SSSE3_MMX });
  T.push({
    op: 0x200 | op,
    pfx: 0x66,
    name,
    operands: ['Vdq', 'Wdq'],
    handler: S.integerXmm(fn),
    ...SSSE3_XMM,
  });
}
T.push({
  op: 0x30f,
  pfx: 0,
  name: 'palignr',
  operands: ['Pq', 'Qq', 'Ib'],
  handler: S.palignrMmx,
  ...SSSE3_MMX,
});
T.push({
  op: 0x30f,
  pfx: 0x66,
  name: 'palignr',
  operands: ['Vdq', 'Wdq', 'Ib'],
  handler: S.palignrXmm,
  ...SSSE3_XMM,
});

export const SIMD_OPCODES: readonly OpcodeEntry[] = T;
