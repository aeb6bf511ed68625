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

  it('keeps the mandatory prefix of SSE opcodes and decodes the 0F 38 and 0F 3A maps', () => {
    const [a, b, c, d, e, f, g, h] = decodeAll(
      `addps xmm1, [eax]
       addpd xmm2, xmm3
       addss xmm1, [ecx + 4]
       db 0x66, 0xf2, 0x0f, 0x58, 0xc1
       pshufb xmm1, [esi + 0x10]
       palignr mm0, [edi], 3
       pinsrw xmm7, eax, 9
       emms`,
      32,
    );
    expect(a).toMatchObject({ op: 0x158, pfx: 0, reg: 1, base: 0, len: 3 });
    expect(b).toMatchObject({ op: 0x158, pfx: 0x66, mod: 3, reg: 2, rm: 3, len: 4 });
    expect(c).toMatchObject({ op: 0x158, pfx: 0xf3, base: 1, disp: 4, len: 5 });
    // F2 outranks 66 as the mandatory prefix (addsd), whatever their order.
    expect(d).toMatchObject({ op: 0x158, pfx: 0xf2, len: 5 });
    expect(e).toMatchObject({ op: 0x200, pfx: 0x66, reg: 1, base: 6, disp: 0x10, len: 6 });
    expect(f).toMatchObject({ op: 0x30f, pfx: 0, reg: 0, base: 7, imm: 3, len: 5 });
    expect(g).toMatchObject({ op: 0x1c4, pfx: 0x66, mod: 3, reg: 7, rm: 0, imm: 9, len: 5 });
    expect(h).toMatchObject({ op: 0x177, len: 2 });
  });
});
