import { describe, expect, it } from 'vitest';
import { type CodeSource, decode, Instr } from '../src/index.js';
import { assemble } from './harness.js';

/** Code bytes in a plain buffer: decoding needs no CPU. */
function source(bytes: Uint8Array): CodeSource {
  return {
    fetch8: (eip) => {
      if (eip >= bytes.length) throw new Error('fetch past the end');
      return bytes[eip];
    },
    tooLong: () => {
      throw new Error('too long');
    },
    codeWindow: (eip) => (eip + 16 <= bytes.length ? eip : -1),
    codeBuf: bytes,
  };
}

function decodeAll(asm: string, bits: 16 | 32): Instr[] {
  const bytes = assemble(`bits ${bits}\n${asm}\n`);
  const src = source(bytes);
  const out: Instr[] = [];
  for (let eip = 0; eip < bytes.length; ) {
    const i = new Instr();
    decode(src, eip, bits === 32, i);
    out.push(i);
    eip += i.len;
  }
  return out;
}

describe('decoder', () => {
  it('decodes lengths, prefixes, ModRM/SIB parts and immediates without executing', () => {
    const [a, b, c, d, e, f] = decodeAll(
      `mov dword [fs:eax + ecx * 4 + 0x12345678], 0xdeadbeef
       o16 add word [ebp - 8], 0x1234
       rep movsb
       jmp 0x0010:0x00401000
       shld eax, ebx, 5
       lock cmpxchg8b [esi]`,
      32,
    );
    expect(a).toMatchObject({ op: 0xc7, len: 12, base: 0, index: 1, scale: 2, disp: 0x12345678, seg: 4 });
    expect(a.imm >>> 0).toBe(0xdeadbeef);
    expect(b).toMatchObject({ op: 0x81, o32: false, base: 5, disp: -8, imm: 0x1234, seg: 2, reg: 0 });
    expect(c).toMatchObject({ op: 0xa4, rep: 0xf3, len: 2 });
    expect(d).toMatchObject({ op: 0xea, imm: 0x401000, imm2: 0x10, len: 7 });
    expect(e).toMatchObject({ op: 0x1a4, mod: 3, rm: 0, reg: 3, imm: 5, len: 4 });
    expect(f).toMatchObject({ op: 0x1c7, lock: true, reg: 1, base: 6 });
  });

  it('uses the 16-bit ModRM table and defaults to SS for BP', () => {
    const [a, b] = decodeAll('mov ax, [bp + di + 3]\nmov bx, [0x1234]', 16);
    expect(a).toMatchObject({ op: 0x8b, base: 5, index: 7, disp: 3, seg: 2, len: 3 });
    expect(b).toMatchObject({ op: 0x8b, base: 8, index: 8, disp: 0x1234, seg: 3, reg: 3, len: 4 });
  });
});
