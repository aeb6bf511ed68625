import { describe, expect, it } from 'vitest';
import { AF, CF, OF, PF, SF, ZF } from '../src/core/constants.js';
import { decode, Instr } from '../src/core/instr.js';
import { CPUID_MODELS } from '../src/cpuid.js';
import { Model } from '../src/model.js';
import { handlerFor } from '../src/ops/forms.js';
import {
  entryAvailable,
  entryHasModrm,
  FLAGS_READ,
  FLAGS_UNDEFINED,
  FLAGS_WRITTEN,
  IMM,
  LOCK,
  MODRM,
  OPCODE_SPACE,
  opcodeInfo,
  PREFIXED,
  unitEnd,
} from '../src/ops/index.js';
import { Imm, type OpcodeEntry, OSZAPC } from '../src/ops/opcode-entry.js';
import { OPCODES } from '../src/ops/opcodes.js';
import { probeAll } from './probe.js';

/**
 * The opcode table against the CPU: probes generated from the table run in
 * real mode on the bare machine (test/probe.ts), each reporting the
 * exception it raised.
 */

const UD = 6;
/** Prefix bytes and the 0F escape: the decoder never leaves them as an opcode. */
const PREFIXES = new Set([0x0f, 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x66, 0x67, 0xf0, 0xf2, 0xf3]);

function opcodeBytes(op: number): number[] {
  if (op < 0x100) return [op];
  if (op < 0x200) return [0x0f, op & 0xff];
  return [0x0f, op < 0x300 ? 0x38 : 0x3a, op & 0xff];
}

/** Decodes `bytes` as 16-bit code. */
function decoded(bytes: number[], code32 = false): Instr {
  const buf = new Uint8Array(32);
  buf.set(bytes);
  const i = new Instr();
  const src = {
    codeBuf: buf,
    codeWindow: () => 0,
    fetch8: (p: number) => buf[p],
    tooLong: (): never => {
      throw new Error('too long');
    },
  };
  decode(src, 0, code32, i);
  return i;
}

/** The mandatory prefix of an opcode's forms: the entry's, or none. */
const MANDATORY = [0, 0x66, 0xf3, 0xf2];

/** Immediate bytes of kind `kind` in 16-bit code (zeros: the probes only look at #UD). */
function immBytes(kind: number): number[] {
  return new Array([0, 1, 2, 2, 3, 4, 2][kind]).fill(0);
}

/** A 16-bit encoding of `op` (after mandatory prefix `pfx`) with ModRM reg `reg` in its memory ([bx+si]) or register form. */
function encoding(op: number, reg: number, mem: boolean, pfx = 0): number[] {
  const tail = MODRM[op] !== 0 ? [(mem ? 0x00 : 0xc0) | (reg << 3)] : [];
  return [
    ...(pfx ? [pfx] : []),
    ...opcodeBytes(op),
    ...tail,
    ...immBytes(IMM[(op << 3) | (MODRM[op] ? reg : 0)]),
  ];
}

function forms(e: OpcodeEntry): [number, boolean][] {
  if (!entryHasModrm(e)) return [[0, false]];
  const regs = e.reg === undefined ? [0, 1, 2, 3, 4, 5, 6, 7] : [e.reg];
  const out: [number, boolean][] = [];
  for (const reg of regs) {
    if (e.mod !== 'reg') out.push([reg, true]);
    if (e.mod !== 'mem' && e.rm === undefined) out.push([reg, false]);
  }
  return out;
}

describe('opcode table', () => {
  it('raises #UD for every opcode form without an entry, mandatory prefixes included', () => {
    const probes: { name: string; bytes: number[] }[] = [];
    for (let op = 0; op < OPCODE_SPACE; op++) {
      if (PREFIXES.has(op) || op === 0x138 || op === 0x13a) continue;
      if (op >= 0xd8 && op <= 0xdf) continue; // the next test's
      for (const pfx of PREFIXED[op] ? MANDATORY : [0]) {
        const pre = pfx ? [pfx] : [];
        if (MODRM[op] === 0) {
          const bytes = [...pre, ...opcodeBytes(op)];
          if (!opcodeInfo(decoded(bytes))) probes.push({ name: op.toString(16), bytes });
          continue;
        }
        for (let reg = 0; reg < 8; reg++) {
          // MOV to and from CR and DR (MODRM 2) read every ModRM byte as registers.
          for (const mem of MODRM[op] === 2 ? [false] : [true, false]) {
            const bytes = encoding(op, reg, mem, pfx);
            if (opcodeInfo(decoded(bytes))) continue;
            probes.push({
              name: `${pfx.toString(16)} ${op.toString(16)} /${reg} ${mem ? 'mem' : 'reg'}`,
              bytes,
            });
          }
        }
      }
    }
    expect(probes.length).toBeGreaterThan(300);
    const vectors = probeAll(
      probes.map((p) => p.bytes),
      'core2duo',
    );
    const wrong = probes.flatMap((p, k) => (vectors[k] === UD ? [] : [`${p.name}: ${vectors[k]}`]));
    expect(wrong).toEqual([]);
  });

  it('runs every form of the opcodes with mandatory prefixes on a model with every set (no #UD)', () => {
    const named: { name: string; bytes: number[] }[] = [];
    for (const e of OPCODES) {
      if (e.pfx === undefined) continue;
      for (const [reg, mem] of forms(e))
        named.push({
          name: `${e.name} /${reg} ${mem ? 'mem' : 'reg'}`,
          bytes: encoding(e.op, reg, mem, e.pfx),
        });
    }
    expect(named.length).toBeGreaterThan(900);
    const ran = probeAll(
      named.map((p) => p.bytes),
      'core2duo',
    );
    expect(named.filter((_, k) => ran[k] === UD).map((p) => `${p.name}`)).toEqual([]);
  });

  it('gates each entry on its CPUID features: #UD exactly where the model lacks one', () => {
    const gated = OPCODES.flatMap((e, k) => (e.feature || e.featureEcx ? [k] : []));
    // Control transfers and mode changes (SYSENTER, SYSEXIT, WRMSR) are covered by their own tests.
    const runnable = gated.filter((k) => !OPCODES[k].ends);
    expect(runnable.length).toBeGreaterThan(300);
    const missing: string[] = [];
    for (const name of CPUID_MODELS) {
      const model = new Model(name, 0, null);
      const probes = runnable.map((k) => {
        const e = OPCODES[k];
        if (e.rm !== undefined) return [e.op, 0xc0 | ((e.reg ?? 0) << 3) | e.rm];
        const [reg, mem] = forms(e)[0];
        return encoding(e.op, reg, mem, e.pfx);
      });
      const vectors = probeAll(probes, name);
      runnable.forEach((k, n) => {
        const e = OPCODES[k];
        const expected = entryAvailable(k, model) ? 'runs' : 'ud';
        if ((vectors[n] === UD ? 'ud' : 'runs') !== expected)
          missing.push(`${name} ${e.name}: ${vectors[n]}`);
      });
    }
    expect(missing).toEqual([]);
    // The models differ where they should: CMOV not on the Pentium, SSE from the Pentium III, SSSE3 on the Core 2 only.
    const runs = (name: (typeof CPUID_MODELS)[number], bytes: number[]) =>
      handlerFor(decoded(bytes), new Model(name, 0, null)) !==
      handlerFor(decoded([0x0f, 0x04]), new Model(name, 0, null)); // 0F 04: no entry
    expect(runs('pentium', [0x0f, 0x40, 0xc0])).toBe(false); // cmovo
    expect(runs('pentium2', [0x0f, 0x40, 0xc0])).toBe(true);
    expect(runs('pentium2', [0x0f, 0x58, 0xc0])).toBe(false); // addps
    expect(runs('pentium3', [0x0f, 0x58, 0xc0])).toBe(true);
    expect(runs('pentium3', [0x66, 0x0f, 0x58, 0xc0])).toBe(false); // addpd
    expect(runs('qemu32', [0x66, 0x0f, 0x38, 0x00, 0xc0])).toBe(false); // pshufb
    expect(runs('core2duo', [0x66, 0x0f, 0x38, 0x00, 0xc0])).toBe(true);
  });

  it('raises #UD for the x87 encodings the table leaves out, as the x87 unit checks them', () => {
    const probes: { name: string; bytes: number[] }[] = [];
    for (let op = 0xd8; op <= 0xdf; op++) {
      for (let modrm = 0; modrm < 0x100; modrm++) {
        const mem = modrm < 0xc0;
        if (mem && (modrm & 0xc7) !== 0) continue;
        const reg = (modrm >> 3) & 7;
        const claimed = OPCODES.some(
          (e) =>
            e.op === op &&
            e.reg === reg &&
            (mem ? e.mod !== 'reg' : e.mod !== 'mem' && (e.rm === undefined || e.rm === (modrm & 7))),
        );
        if (!claimed) probes.push({ name: `${op.toString(16)} ${modrm.toString(16)}`, bytes: [op, modrm] });
      }
    }
    const vectors = probeAll(
      probes.map((p) => p.bytes),
      'core2duo',
    );
    const wrong = probes.filter((_, k) => vectors[k] !== UD).map((p) => p.name);
    expect(wrong).toEqual([]);
    // And every x87 form the table names runs (no #UD).
    const named: { name: string; bytes: number[] }[] = [];
    for (const e of OPCODES) {
      if (e.op < 0xd8 || e.op > 0xdf) continue;
      for (const [reg, mem] of forms(e))
        named.push({ name: `${e.name} ${reg}`, bytes: encoding(e.op, reg, mem) });
      if (e.rm !== undefined)
        named.push({ name: String(e.name), bytes: [e.op, 0xc0 | ((e.reg ?? 0) << 3) | e.rm] });
    }
    const ran = probeAll(
      named.map((p) => p.bytes),
      'core2duo',
    );
    expect(named.filter((_, k) => ran[k] === UD).map((p) => p.name)).toEqual([]);
  });

  it('raises #UD for LOCK wherever the table does not allow it, and only there', () => {
    const probes: { name: string; bytes: number[]; allowed: boolean }[] = [];
    for (const e of OPCODES) {
      if (e.op >= 0xd8 && e.op <= 0xdf) continue;
      for (const [reg, mem] of forms(e)) {
        probes.push({
          name: `lock ${e.name} (${e.op.toString(16)} /${reg} ${mem ? 'mem' : 'reg'})`,
          bytes: [0xf0, ...encoding(e.op, reg, mem, e.pfx)],
          allowed: mem && LOCK[(e.op << 3) | reg] === 1,
        });
      }
    }
    const allowed = probes.filter((p) => p.allowed);
    expect(allowed.length).toBeGreaterThan(40);
    // Only the lockable forms run: the others may be jumps, HLT, port I/O.
    const lockable = probeAll(
      allowed.map((p) => p.bytes),
      'core2duo',
    );
    expect(allowed.filter((_, k) => lockable[k] === UD).map((p) => p.name)).toEqual([]);
    const others = probes.filter((p) => !p.allowed);
    const vectors = probeAll(
      others.map((p) => p.bytes),
      'core2duo',
    );
    expect(others.filter((_, k) => vectors[k] !== UD).map((p) => p.name)).toEqual([]);
  });

  it('finds each form its one entry, and derives consistent tables', () => {
    for (const e of OPCODES) {
      for (const [reg, mem] of forms(e)) {
        const bytes = [...encoding(e.op, reg, mem, e.pfx)];
        if (e.rm !== undefined) bytes[bytes.length - 1] = 0xc0 | (reg << 3) | e.rm;
        expect(opcodeInfo(decoded(bytes))).toBe(e);
      }
      for (const [reg] of forms(e)) {
        const slot = (e.op << 3) | reg;
        expect(FLAGS_WRITTEN[slot] & (e.flagsWritten ?? 0)).toBe(e.flagsWritten ?? 0);
        expect(FLAGS_READ[slot] & (e.flagsRead ?? 0)).toBe(e.flagsRead ?? 0);
      }
      expect((e.flagsUndefined ?? 0) & ~(e.flagsWritten ?? 0)).toBe(0);
      if (e.lock) expect(e.mod).not.toBe('reg');
    }
    // Decoder lengths of the immediates (the objdump comparison checks them too).
    expect(IMM[0xf6 << 3]).toBe(Imm.B);
    expect(IMM[(0xf6 << 3) | 2]).toBe(Imm.None);
    expect(IMM[0xc8 << 3]).toBe(Imm.WB);
  });

  it('tells a translator which instructions end a unit and which flags they read and write', () => {
    const at = (...bytes: number[]): Instr => decoded(bytes, true);
    expect(unitEnd(at(0x89, 0xc8))).toBeUndefined(); // mov eax,ecx
    expect(unitEnd(at(0x74, 0x00))).toBe('branch'); // je
    expect(unitEnd(at(0xff, 0xe0))).toBe('branch'); // jmp eax
    expect(unitEnd(at(0xff, 0xc0))).toBeUndefined(); // inc eax
    expect(unitEnd(at(0xa4))).toBeUndefined(); // movsb
    expect(unitEnd(at(0xf3, 0xa4))).toBe('branch'); // rep movsb loops on itself
    expect(unitEnd(at(0xf3, 0xd7))).toBeUndefined(); // REP does not repeat XLAT
    expect(unitEnd(at(0xec))).toBe('port'); // in al,dx
    expect(unitEnd(at(0x8e, 0xd0))).toBe('segment'); // mov ss,eax
    expect(unitEnd(at(0x0f, 0x22, 0xd8))).toBe('system'); // mov cr3,eax
    expect(unitEnd(at(0xfb))).toBe('flags'); // sti
    expect(unitEnd(at(0xf4))).toBe('halt');
    const slot = (i: Instr) => (i.op << 3) | i.reg;
    const adc = at(0x11, 0xc8);
    expect(FLAGS_READ[slot(adc)]).toBe(CF);
    expect(FLAGS_WRITTEN[slot(adc)]).toBe(OF | SF | ZF | AF | PF | CF);
    const mul = at(0xf7, 0xe1);
    expect(FLAGS_UNDEFINED[slot(mul)]).toBe(SF | ZF | AF | PF);
    const inc = at(0x40);
    expect(FLAGS_WRITTEN[slot(inc)] & CF).toBe(0);
    expect(FLAGS_READ[slot(at(0x0f, 0x4f, 0xc1))]).toBe(ZF | SF | OF); // cmovg
    // A shift by CL may leave the flags as they were (count 0): it reads what it writes.
    const shl = at(0xd3, 0xe0);
    expect(FLAGS_READ[slot(shl)]).toBe(FLAGS_WRITTEN[slot(shl)]);
    expect(opcodeInfo(at(0xd9, 0xe8))?.name).toBe('fld1');
    expect(opcodeInfo(at(0xc6, 0xc8, 0))).toBeUndefined(); // C6 /1
    // SIMD: (U)COMISS and (U)COMISD write the flags, nothing else does; none ends a unit.
    expect(FLAGS_WRITTEN[slot(at(0x0f, 0x2f, 0xc1))]).toBe(OSZAPC); // comiss
    expect(FLAGS_WRITTEN[slot(at(0x66, 0x0f, 0x2e, 0xc1))]).toBe(OSZAPC); // ucomisd
    expect(FLAGS_WRITTEN[slot(at(0x0f, 0x58, 0xc1))]).toBe(0); // addps
    expect(unitEnd(at(0xf3, 0x0f, 0x10, 0xc1))).toBeUndefined(); // movss
    expect(opcodeInfo(at(0xf3, 0x0f, 0x10, 0xc1))?.name).toBe('movss');
    expect(opcodeInfo(at(0x66, 0x0f, 0x10, 0xc1))?.name).toBe('movupd');
    expect(opcodeInfo(at(0xf3, 0x0f, 0x14, 0xc1))).toBeUndefined(); // no F3 form of UNPCKLPS
  });
});
