import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decode, Instr } from '../src/core/instr.js';
import { disassemble } from '../src/disasm.js';
import { opcodeInfo } from '../src/ops/index.js';
import { tableEncodings } from './encodings.js';

/**
 * The encodings generated from the opcode table (test/encodings.ts), as
 * objdump 2.40 disassembled them (fixtures/disasm.txt, recorded by
 * scripts/record-disasm-fixture.ts): the decoder must find objdump's length
 * and the disassembler objdump's text.
 */
interface Recorded {
  bits: 16 | 32;
  address: number;
  bytes: Uint8Array;
  text: string;
}

function fixture(): Recorded[] {
  const text = readFileSync(new URL('./fixtures/disasm.txt', import.meta.url), 'utf8');
  return text
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const [bits, address, hex, asm] = l.split('\t');
      return {
        bits: Number(bits) as 16 | 32,
        address: Number.parseInt(address, 16),
        bytes: Uint8Array.from(hex.match(/../g) ?? [], (h) => Number.parseInt(h, 16)),
        text: asm,
      };
    });
}

/**
 * Differences of taste, not of meaning, removed before comparing:
 * - objdump names prefixes the instruction does not use (`data16`,
 *   `addr32`, a segment before INS, STOS or SCAS, whose ES cannot be
 *   overridden) and spells 66 90 `xchg ax,ax` (still a NOP); it suffixes PUSH and POP of a segment
 *   register or an immediate,  PUSHA/POPA/PUSHF/POPF/IRET and the descriptor-
 *   table instructions with their operand size when it is not the mode's
 *   default (`pushaw`, `iretd`), as it does near branches, ENTER, LEAVE and
 *   the x87 environment instructions; the table follows the SDM's names, so both
 *   sides lose those suffixes;
 * - objdump notes `(8087 only)` after FNENI, FNDISI and FNSETPM;
 * - objdump writes an absolute address through a SIB byte without base or
 *   index as `[eiz*1+0x...]`; we write `ds:0x...` as for the ModRM form.
 */
function normalise(s: string): string {
  return s
    .replace(/\b(?:data16|data32|addr16|addr32) /g, '')
    .replace(/\(\d+ only\)$/, '')
    .replace(/^(?:es|cs|ss|ds|fs|gs) (?=(?:rep |repz |repnz )?(?:ins|stos|scas) )/, '')
    .replace(/^xchg (e?ax),\1$/, 'nop')
    .replace(
      /\b(pusha|popa|pushf|popf|iret|sgdt|sidt|lgdt|lidt|push|pop|call|jmp|ret|retf|enter|leave|fldenv|fnstenv|frstor|fnsave)[wd]?\b/,
      '$1',
    )
    .replace(
      /(\w+:)?\[eiz\*\d\+(0x[0-9a-f]+)\]/,
      (_, seg: string | undefined, d: string) => `${seg ?? 'ds:'}${d}`,
    )
    .trim();
}

const recorded = fixture();

function undocumented(r: Recorded): boolean {
  const bytes = new Uint8Array(16);
  bytes.set(r.bytes);
  const src = {
    codeBuf: bytes,
    codeWindow: () => 0,
    fetch8: (p: number) => bytes[p],
    tooLong: (): never => {
      throw new Error('too long');
    },
  };
  const i = new Instr();
  decode(src, 0, r.bits === 32, i);
  return opcodeInfo(i)?.undocumented === true;
}

describe('disassembler against objdump', () => {
  it('the fixture holds every generated encoding', () => {
    const generated = tableEncodings();
    expect(recorded.length).toBe(generated.length);
    recorded.forEach((r, k) => {
      const g = generated[k];
      expect(r.bits).toBe(g.bits);
      expect([...r.bytes.subarray(0, Math.min(r.bytes.length, g.bytes.length))]).toEqual(
        g.bytes.slice(0, Math.min(r.bytes.length, g.bytes.length)),
      );
    });
  });

  it("decodes objdump's length and prints objdump's text", () => {
    const wrong: string[] = [];
    for (const r of recorded) {
      const hex = [...r.bytes].map((b) => b.toString(16).padStart(2, '0')).join(' ');
      if (r.text === '(bad)' || r.text.endsWith('(bad)')) continue;
      // objdump decodes the hint-NOP space 0F 1A/1B as MPX (BNDLDX...), which came long after the i686.
      if (/^(?:\w+ )*bnd/.test(r.text)) continue;
      const d = disassemble(r.bytes, r.address, r.bits === 32);
      if (d.len !== r.bytes.length || normalise(d.text) !== normalise(r.text)) {
        wrong.push(`${r.bits} ${hex}: objdump "${r.text}" (${r.bytes.length}), we "${d.text}" (${d.len})`);
      }
    }
    expect(`${wrong.length} differ\n${wrong.slice(0, 40).join('\n')}`).toBe('0 differ\n');
    expect(wrong.slice(0, 40).join('\n')).toBe('');
  });

  it('spells the CMPPS family by predicate below 8, as objdump does', () => {
    // objdump 2.40 on these bytes.
    const cases: [number[], string][] = [
      [[0x0f, 0xc2, 0xc1, 0x01], 'cmpltps xmm0,xmm1'],
      [[0xf2, 0x0f, 0xc2, 0x00, 0x07], 'cmpordsd xmm0,QWORD PTR [eax]'],
      [[0x66, 0x0f, 0xc2, 0xc1, 0x08], 'cmppd xmm0,xmm1,0x8'],
    ];
    for (const [bytes, text] of cases) expect(disassemble(Uint8Array.from(bytes), 0, true).text).toBe(text);
  });

  it('prints (bad) where objdump does, but for what objdump does not know a P6 runs', () => {
    const wrong: string[] = [];
    for (const r of recorded) {
      if (!r.text.includes('(bad)')) continue;
      const d = disassemble(r.bytes, r.address, r.bits === 32);
      const hex = [...r.bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
      // Entries marked undocumented (SALC, the x87 aliases, 0F 0D with a
      // register); WBINVD with 66 (objdump reserves 66/F3 0F 09 for later
      // instructions); MPX's bnd* in the hint-NOP space.
      const known = undocumented(r) || /bnd/.test(r.text) || /^660f09/.test(hex);
      if (d.text !== '(bad)' && !known) wrong.push(`${r.bits} ${hex}: objdump "${r.text}", we "${d.text}"`);
    }
    expect(wrong).toEqual([]);
  });
});
