import { type CodeSource, decode, Instr } from './core/instr.js';
import { isString, opcodeInfo } from './ops/index.js';
import type { Operand } from './ops/opcode-entry.js';

// A disassembler driven by the opcode table: Intel syntax, spelled as
// `objdump -M intel` spells it (test/disasm.test.ts compares the two).

const REG8 = ['al', 'cl', 'dl', 'bl', 'ah', 'ch', 'dh', 'bh'];
const REG16 = ['ax', 'cx', 'dx', 'bx', 'sp', 'bp', 'si', 'di'];
const REG32 = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'];
const SEG = ['es', 'cs', 'ss', 'ds', 'fs', 'gs'];
/** CMPPS/CMPPD/CMPSS/CMPSD predicates 0-7. */
const CMP_PREDICATES = ['eq', 'lt', 'le', 'unord', 'neq', 'nlt', 'nle', 'ord'];
/** 16-bit ModRM bases by r/m. */
const BASE16 = ['bx+si', 'bx+di', 'bp+si', 'bp+di', 'si', 'di', 'bp', 'bx'];

/** The `PTR` size of each memory operand; `v`, `p` and `a` follow the operand size (16-bit, 32-bit). */
const MEM_SIZE: Partial<Record<Operand, string | [string, string]>> = {
  Eb: 'BYTE',
  Mb: 'BYTE',
  Ew: 'WORD',
  Mw: 'WORD',
  MwRv: 'WORD',
  Ed: 'DWORD',
  Ev: ['WORD', 'DWORD'],
  Mv: ['WORD', 'DWORD'],
  Mp: ['DWORD', 'FWORD'],
  Ma: ['DWORD', 'QWORD'],
  Mq: 'QWORD',
  Mfs: 'DWORD',
  Mfd: 'QWORD',
  Mft: 'TBYTE',
  Mi16: 'WORD',
  Mi32: 'DWORD',
  Mi64: 'QWORD',
  Mbcd: 'TBYTE',
  Wps: 'XMMWORD',
  Wpd: 'XMMWORD',
  Wdq: 'XMMWORD',
  Mps: 'XMMWORD',
  Mpd: 'XMMWORD',
  Mdq: 'XMMWORD',
  Wsd: 'QWORD',
  Wq: 'QWORD',
  Qq: 'QWORD',
  Wss: 'DWORD',
  Qd: 'DWORD',
  Md: 'DWORD',
  RdMw: 'WORD',
};

function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

function signed(n: number): string {
  return n < 0 ? `-${hex(-n)}` : `+${hex(n)}`;
}

/** Code bytes from a plain buffer; bytes past its end read as zero and make the instruction `(bad)`. */
class BufferSource implements CodeSource {
  readonly codeBuf = new Uint8Array(32);
  constructor(bytes: Uint8Array) {
    this.codeBuf.set(bytes.subarray(0, 16));
  }
  fetch8(eip: number): number {
    return this.codeBuf[eip];
  }
  tooLong(): never {
    throw new RangeError('instruction longer than 15 bytes');
  }
  codeWindow(): number {
    return 0;
  }
}

export interface Disassembled {
  /** Bytes the instruction takes (1 for an undefined one). */
  len: number;
  /** Intel syntax, one space between mnemonic and operands; `(bad)` where the table has no entry. */
  text: string;
}

/**
 * Disassembles the instruction at the start of `bytes` (at most 15 are
 * read; fewer mean the instruction may be cut short). `address` is where it
 * sits (the offset that relative branch targets are computed from); `code32`
 * is the code segment's default size.
 */
export function disassemble(bytes: Uint8Array, address: number, code32: boolean): Disassembled {
  const i = new Instr();
  try {
    decode(new BufferSource(bytes), 0, code32, i);
  } catch {
    return { len: 1, text: '(bad)' };
  }
  if (i.len > bytes.length) return { len: 1, text: '(bad)' };
  const e = opcodeInfo(i);
  if (e === undefined || (i.lock && (i.mod === 3 || !e.lock))) return { len: 1, text: '(bad)' };
  const o32 = i.o32;
  let name = typeof e.name === 'string' ? e.name : e.name[o32 ? 1 : 0];
  // JECXZ/JCXZ test ECX or CX by the address size, not the operand size.
  if (i.op === 0xe3) name = i.a32 ? 'jecxz' : 'jcxz';
  const ops = e.operands.map((o) => operand(o, i, (address + i.len) | 0));
  // CMPPS and its kin with predicates 0-7 are spelled by the predicate (CMPLTPS), without the immediate.
  if (i.op === 0x1c2 && (i.imm & 0xff) < 8) {
    name = `cmp${CMP_PREDICATES[i.imm & 7]}${name.slice(3)}`;
    ops.pop();
  }
  let prefix = i.lock ? 'lock ' : '';
  if (i.rep !== 0 && e.operands.some(isString)) {
    // CMPS and SCAS (the string operations that set flags) spell F3 as REPZ.
    const compares = e.flagsWritten !== undefined;
    prefix += i.rep === 0xf2 ? 'repnz ' : compares ? 'repz ' : 'rep ';
  }
  return { len: i.len, text: `${prefix}${name}${ops.length ? ` ${ops.join(',')}` : ''}` };
}

function reg(n: number, size: 1 | 2 | 4): string {
  return size === 1 ? REG8[n] : size === 2 ? REG16[n] : REG32[n];
}

function sized(s: string | [string, string] | undefined, o32: boolean): string {
  if (s === undefined) return '';
  return `${typeof s === 'string' ? s : s[o32 ? 1 : 0]} PTR `;
}

/** The ModRM memory operand: `[base+index*scale+disp]`, or `ds:disp` without registers. */
function memory(i: Instr): string {
  const seg = i.segOverride >= 0 ? `${SEG[i.segOverride]}:` : '';
  if (!i.a32) {
    if (i.mod === 0 && i.rm === 6) return `${seg || 'ds:'}${hex(i.disp & 0xffff)}`;
    const disp = i.mod === 0 ? '' : signed(i.mod === 1 ? i.disp : (i.disp << 16) >> 16);
    return `${seg}[${BASE16[i.rm]}${disp}]`;
  }
  const parts: string[] = [];
  if (i.base !== 8) parts.push(REG32[i.base]);
  if (i.index !== 8) parts.push(`${REG32[i.index]}*${1 << i.scale}`);
  if (parts.length === 0) return `${seg || 'ds:'}${hex(i.disp >>> 0)}`;
  const disp = i.mod === 0 && i.base !== 8 ? '' : signed(i.base === 8 ? i.disp >>> 0 : i.disp | 0);
  return `${seg}[${parts.join('+')}${disp}]`;
}

function operand(o: Operand, i: Instr, next: number): string {
  const o32 = i.o32;
  const v: 2 | 4 = o32 ? 4 : 2;
  const mem = i.mod !== 3;
  switch (o) {
    case 'Eb':
    case 'Ew':
    case 'Ed':
    case 'Ev':
    case 'MwRv':
      if (!mem) return reg(i.rm, o === 'Eb' ? 1 : o === 'Ew' ? 2 : o === 'Ed' ? 4 : v);
      return sized(MEM_SIZE[o], o32) + memory(i);
    case 'Rd':
      return REG32[i.rm];
    case 'Rv':
    case 'Rw':
      return reg(i.rm, o === 'Rw' ? 2 : v);
    case 'Gb':
      return REG8[i.reg];
    case 'Gw':
      return REG16[i.reg];
    case 'Gv':
      return reg(i.reg, v);
    case 'Sw':
      return SEG[i.reg];
    case 'Cd':
      return `cr${i.reg}`;
    case 'Dd':
      return `dr${i.reg}`;
    case 'Ib':
      // ENTER's second immediate (the nesting level) is the only Ib after another immediate.
      return hex((i.op === 0xc8 ? i.imm2 : i.imm) & 0xff);
    case 'Ibs':
      return hex(o32 ? ((i.imm << 24) >> 24) >>> 0 : ((i.imm << 24) >> 24) & 0xffff);
    case 'Iw':
      return hex(i.imm & 0xffff);
    case 'Iz':
      return hex(o32 ? i.imm >>> 0 : i.imm & 0xffff);
    case 'Jb':
    case 'Jz': {
      const rel = o === 'Jb' ? (i.imm << 24) >> 24 : o32 ? i.imm | 0 : (i.imm << 16) >> 16;
      const target = next + rel;
      return hex(o32 ? target >>> 0 : target & 0xffff);
    }
    case 'Ap':
      return `${hex(i.imm2 & 0xffff)}:${hex(o32 ? i.imm >>> 0 : i.imm & 0xffff)}`;
    case 'Ob':
    case 'Ov': {
      const seg = i.segOverride >= 0 ? SEG[i.segOverride] : 'ds';
      return `${seg}:${hex(i.a32 ? i.disp >>> 0 : i.disp & 0xffff)}`;
    }
    case 'Xb':
    case 'Xv':
    case 'XL': {
      const seg = i.segOverride >= 0 ? SEG[i.segOverride] : 'ds';
      const r = o === 'XL' ? (i.a32 ? 'ebx' : 'bx') : i.a32 ? 'esi' : 'si';
      return `${o === 'Xv' ? sized(MEM_SIZE.Ev, o32) : 'BYTE PTR '}${seg}:[${r}]`;
    }
    case 'Yb':
    case 'Yv':
      return `${o === 'Yv' ? sized(MEM_SIZE.Ev, o32) : 'BYTE PTR '}es:[${i.a32 ? 'edi' : 'di'}]`;
    case 'Zb':
      return REG8[i.op & 7];
    case 'Zv':
      return reg(i.op & 7, v);
    case 'AL':
      return 'al';
    case 'AX':
      return 'ax';
    case 'eAX':
      return o32 ? 'eax' : 'ax';
    case 'CL':
      return 'cl';
    case 'DX':
      return 'dx';
    case '1':
      return '1';
    case 'ES':
    case 'CS':
    case 'SS':
    case 'DS':
    case 'FS':
    case 'GS':
      return o.toLowerCase();
    case 'Gd':
      return REG32[i.reg];
    case 'RdMw':
      return mem ? sized(MEM_SIZE[o], o32) + memory(i) : REG32[i.rm];
    case 'Vps':
    case 'Vpd':
    case 'Vss':
    case 'Vsd':
    case 'Vdq':
    case 'Vq':
      return `xmm${i.reg}`;
    case 'Ups':
    case 'Upd':
    case 'Udq':
    case 'Uq':
      return `xmm${i.rm}`;
    case 'Wps':
    case 'Wpd':
    case 'Wss':
    case 'Wsd':
    case 'Wdq':
    case 'Wq':
      return mem ? sized(MEM_SIZE[o], o32) + memory(i) : `xmm${i.rm}`;
    case 'Pq':
      return `mm${i.reg}`;
    case 'Nq':
      return `mm${i.rm}`;
    case 'Qq':
    case 'Qd':
      return mem ? sized(MEM_SIZE[o], o32) + memory(i) : `mm${i.rm}`;
    case 'ST':
      return 'st';
    case 'STi':
      return `st(${i.rm})`;
    default:
      // M, Mb, Mw, Mv, Mp, Ma, Mq, the SSE and the x87 memory forms.
      return sized(MEM_SIZE[o], o32) + memory(i);
  }
}
