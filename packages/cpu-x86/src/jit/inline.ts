import { NOREG } from '../core/constants.js';
import { LAZY_ADD, LAZY_SUB } from '../core/cpu.js';
import type { Instr } from '../core/instr.js';

// Tier 2: JavaScript for the frequent 32-bit forms, computing exactly what
// their handlers compute (ops/forms.ts, ops/alu.ts, ops/control.ts), lazy
// flag fields included. `r` is `c.regs`; `alu` is ops/alu.ts' `alu`.

/** What the emitter needs to know of an inlined form. */
export interface Inline {
  /** The statement(s). */
  code: string;
  /** It reaches memory (through the CPU's checked paths): may fault, may touch a device. */
  memory: boolean;
  /** It sets `c.eip` itself (a transfer); `fault` is where a #GP would need the instruction's state. */
  transfer: boolean;
}

/** The memory operand's offset, as `CpuState.ea` computes it. */
function ea(i: Instr): string {
  const terms: string[] = [];
  if (i.base !== NOREG) terms.push(`r[${i.base}]`);
  if (i.index !== NOREG) terms.push(i.scale === 0 ? `r[${i.index}]` : `(r[${i.index}] << ${i.scale})`);
  terms.push(String(i.disp));
  const sum = terms.join(' + ');
  return i.a32 ? `((${sum}) | 0)` : `((${sum}) & 0xffff)`;
}

/** `alu(c, op, a, b, 31)` written out for the ops that need no carry in; null for ADC/SBB. */
function aluOp(op: number, dst: string, src: string): string {
  const head = `{ const a = ${dst}, b = ${src}; `;
  switch (op) {
    case 0:
      return `${head}const x = a + b; c.lazy(${LAZY_ADD}, a, b, x, 31); ${dst} = x; }`;
    case 1:
      return `${head}const x = a | b; c.logicFlags(x, 31); ${dst} = x; }`;
    case 4:
      return `${head}const x = a & b; c.logicFlags(x, 31); ${dst} = x; }`;
    case 5:
      return `${head}const x = a - b; c.lazy(${LAZY_SUB}, a, b, x, 31); ${dst} = x; }`;
    case 6:
      return `${head}const x = a ^ b; c.logicFlags(x, 31); ${dst} = x; }`;
    case 7:
      return `${head}c.lazy(${LAZY_SUB}, a, b, a - b, 31); }`;
    default:
      return `${dst} = alu(c, ${op}, ${dst}, ${src}, 31);`;
  }
}

const quietForm = (code: string): Inline => ({ code, memory: false, transfer: false });

/**
 * A JavaScript form of `i` when it is one of the frequent 32-bit forms,
 * else null (the unit calls its handler). `next` is the offset after it from
 * the unit's entry `e`; `fault` is the statement that sets the instruction's
 * state before a #GP from a near jump past the CS limit.
 */
export function inline(i: Instr, next: number, fault: string): Inline | null {
  const op = i.op;
  if (i.lock) return null;
  if (op >= 0x70 && op < 0x80)
    return jump(i, `c.cond(${op & 0xf})`, next + ((i.imm << 24) >> 24), next, fault);
  if (op >= 0x180 && op < 0x190) return jump(i, `c.cond(${op & 0xf})`, next + i.imm, next, fault);
  if (op === 0xeb) return jump(i, null, next + ((i.imm << 24) >> 24), next, fault);
  if (op === 0xe9) return jump(i, null, next + i.imm, next, fault);
  if (!i.o32) return null;
  const reg = i.mod === 3;
  if (op < 0x40) {
    const form = op & 7;
    const aop = (op >> 3) & 7;
    if (form === 1 && reg) return quietForm(aluOp(aop, `r[${i.rm}]`, `r[${i.reg}]`));
    if (form === 3 && reg) return quietForm(aluOp(aop, `r[${i.reg}]`, `r[${i.rm}]`));
    if (form === 5) return quietForm(aluOp(aop, 'r[0]', String(i.imm)));
    return null;
  }
  if (op >= 0x40 && op < 0x50) {
    const x = op & 7;
    const dec = op >= 0x48;
    return quietForm(
      `{ const a = r[${x}], x = a ${dec ? '-' : '+'} 1; c.lazyKeepCF(${dec ? LAZY_SUB : LAZY_ADD}, a, x, 31); r[${x}] = x; }`,
    );
  }
  if (op >= 0xb8 && op < 0xc0) return quietForm(`r[${op & 7}] = ${i.imm};`);
  switch (op) {
    case 0x81:
      return reg ? quietForm(aluOp(i.reg, `r[${i.rm}]`, String(i.imm))) : null;
    case 0x83:
      return reg ? quietForm(aluOp(i.reg, `r[${i.rm}]`, String((i.imm << 24) >> 24))) : null;
    case 0x85:
      return reg ? quietForm(`c.logicFlags(r[${i.rm}] & r[${i.reg}], 31);`) : null;
    case 0xa9:
      return quietForm(`c.logicFlags(r[0] & ${i.imm}, 31);`);
    case 0x89:
      if (reg) return quietForm(`r[${i.rm}] = r[${i.reg}];`);
      return {
        code: `c.write32(c.segWrite(${i.seg}, ${ea(i)}, 4), r[${i.reg}]);`,
        memory: true,
        transfer: false,
      };
    case 0x8b:
      if (reg) return quietForm(`r[${i.reg}] = r[${i.rm}];`);
      return {
        code: `r[${i.reg}] = c.read32(c.segRead(${i.seg}, ${ea(i)}, 4));`,
        memory: true,
        transfer: false,
      };
    case 0x8d:
      return reg ? null : quietForm(`r[${i.reg}] = ${ea(i)};`);
    default:
      return null;
  }
}

/** Jcc/JMP: the target wraps to the operand size and must lie within the CS limit (`jumpTo`). */
function jump(i: Instr, cond: string | null, target: number, next: number, fault: string): Inline {
  const wrap = i.o32 ? '>>> 0' : '& 0xffff';
  const taken = `{ const t = (e + ${target}) ${wrap}; if (t > c.segLimit[1]) { ${fault} c.gp(0); } c.eip = t; }`;
  const code = cond === null ? taken : `if (${cond}) ${taken} else c.eip = e + ${next};`;
  return { code, memory: false, transfer: true };
}
