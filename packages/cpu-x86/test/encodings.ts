import { entryHasModrm, IMM, isString } from '../src/ops/index.js';
import { Imm, type OpcodeEntry } from '../src/ops/opcode-entry.js';
import { OPCODES } from '../src/ops/opcodes.js';

/**
 * Encodings generated from the opcode table: for every entry, its opcode
 * with each ModRM form it allows (a register, and memory through several
 * addressing forms of the mode), its immediate, its mandatory prefix, and
 * prefixes (operand size where it selects no other form, address size, a
 * segment override, LOCK where allowed, REP on strings).
 * `scripts/record-disasm-fixture.ts` has objdump disassemble them; the tests
 * compare the decoder's lengths and the disassembler's text with its.
 */
export interface Encoding {
  bits: 16 | 32;
  bytes: number[];
}

/** Memory forms: ModRM mod/rm, then SIB and displacement bytes, per address size. */
const MEM32: [number, number, number[]][] = [
  [0, 0, []], // [eax]
  [0, 5, [0x78, 0x56, 0x34, 0x12]], // disp32
  [1, 4, [0x24, 0xf0]], // [esp-0x10]
  [2, 5, [0x00, 0xff, 0xff, 0xff]], // [ebp-0x100]
  [0, 4, [0x8d, 0x44, 0x33, 0x22, 0x11]], // [ecx*4+disp32]
];
const MEM16: [number, number, number[]][] = [
  [0, 0, []], // [bx+si]
  [0, 6, [0x34, 0x12]], // disp16
  [1, 6, [0x82]], // [bp-0x7e]
  [2, 7, [0x00, 0x90]], // [bx-0x7000]
];

function immBytes(kind: number, o32: boolean, a32: boolean): number[] {
  switch (kind) {
    case Imm.B:
      return [0x81];
    case Imm.W:
      return [0x81, 0x82];
    case Imm.Z:
      return o32 ? [0x81, 0x82, 0x83, 0x84] : [0x81, 0x82];
    case Imm.WB:
      return [0x81, 0x02, 0x03];
    case Imm.Far:
      return [...(o32 ? [0x81, 0x82, 0x83, 0x04] : [0x81, 0x82]), 0x34, 0x12];
    case Imm.Moffs:
      return a32 ? [0x78, 0x56, 0x34, 0x12] : [0x34, 0x12];
    default:
      return [];
  }
}

function opcodeBytes(op: number): number[] {
  if (op < 0x100) return [op];
  if (op < 0x200) return [0x0f, op & 0xff];
  return [0x0f, op < 0x300 ? 0x38 : 0x3a, op & 0xff];
}

function entryEncodings(e: OpcodeEntry, bits: 16 | 32): Encoding[] {
  const out: Encoding[] = [];
  const code32 = bits === 32;
  const modrm = entryHasModrm(e);
  const reg = e.reg ?? 2;
  const push = (prefixes: number[], tail: number[], o32: boolean, a32: boolean) => {
    const kind = IMM[(e.op << 3) | (modrm ? reg : 0)];
    // A mandatory prefix goes last, next to the opcode (objdump reads it as the SDM says, wherever it stands).
    const p = e.pfx ? [...prefixes, e.pfx] : prefixes;
    out.push({ bits, bytes: [...p, ...opcodeBytes(e.op), ...tail, ...immBytes(kind, o32, a32)] });
  };
  // An operand-size prefix would select another form of an opcode with mandatory prefixes.
  const prefixed = e.pfx !== undefined;
  const sizes: [number[], boolean][] = prefixed
    ? [[[], code32]]
    : [
        [[], code32],
        [[0x66], !code32],
      ];
  if (!modrm) {
    for (const [p, o32] of sizes) {
      push(p, [], o32, code32);
      const strings = e.operands.some(isString);
      const moffs = e.operands.some((o) => o[0] === 'O');
      if (strings || moffs) {
        push([0x67, ...p], [], o32, !code32);
        push([0x64, ...p], [], o32, code32);
      }
      if (strings) push([0xf3, ...p], [], o32, code32);
      if (strings && e.flagsWritten) push([0xf2, ...p], [], o32, code32);
    }
    return out;
  }
  if (e.mod !== 'mem') {
    const rm = e.rm ?? 1;
    for (const [p, o32] of sizes) push(p, [0xc0 | (reg << 3) | rm], o32, code32);
  }
  if (e.mod !== 'reg' && e.rm === undefined) {
    for (const [a32, table] of [
      [code32, code32 ? MEM32 : MEM16],
      [!code32, code32 ? MEM16 : MEM32],
    ] as const) {
      const forms = a32 === code32 ? table : table.slice(2, 3);
      const addr = a32 === code32 ? [] : [0x67];
      for (const [mod, rm, rest] of forms) push(addr, [(mod << 6) | (reg << 3) | rm, ...rest], code32, a32);
    }
    const [mod, rm, rest] = (code32 ? MEM32 : MEM16)[2];
    const tail = [(mod << 6) | (reg << 3) | rm, ...rest];
    if (!prefixed) push([0x66], tail, !code32, code32);
    push([0x64], tail, code32, code32);
    if (e.lock) push([0xf0], tail, code32, code32);
  }
  return out;
}

/** Every entry's encodings in both code sizes, in table order. */
export function tableEncodings(): Encoding[] {
  const out: Encoding[] = [];
  for (const bits of [32, 16] as const) for (const e of OPCODES) out.push(...entryEncodings(e, bits));
  return out;
}
