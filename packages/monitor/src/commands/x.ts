import type { Machine } from '@plugboard/core';
import { MonitorError } from '../command.js';

/**
 * `x /FMT ADDR`, QEMU's memory dump, for the one format that needs the CPU
 * model: `/Ni` disassembles N instructions (default 1). ADDR is a number
 * (C syntax: 0x hex, else decimal) or a register: `$pc` is CS base + EIP (a
 * linear address, as QEMU's `$pc`), `$eip` EIP alone.
 */
export function examine(machine: Machine, args: readonly string[]): string {
  const [fmt, addr] = args;
  const m = /^\/(\d*)i$/.exec(fmt ?? '');
  if (!m || addr === undefined)
    throw new MonitorError('x: expected /Ni ADDR (only the i format is supported)');
  const cpu = machine.cpu;
  if (!cpu?.disassemble) throw new MonitorError('x: the CPU has no disassembler');
  const count = m[1] ? Number(m[1]) : 1;
  if (count < 1 || count > 1000) throw new MonitorError('x: count must be 1-1000');
  return cpu.disassemble(address(machine, addr), count);
}

function address(machine: Machine, text: string): number {
  const regs = machine.cpu?.registers() ?? {};
  if (text === '$pc') return ((regs['CS.base'] ?? 0) + (regs.EIP ?? 0)) >>> 0;
  if (text.startsWith('$')) {
    const value = regs[text.slice(1).toUpperCase()];
    if (value === undefined) throw new MonitorError(`x: unknown register '${text}'`);
    return value >>> 0;
  }
  const n = /^0x[0-9a-f]+$/i.test(text)
    ? Number.parseInt(text, 16)
    : /^\d+$/.test(text)
      ? Number(text)
      : Number.NaN;
  if (!Number.isFinite(n) || n > 0xffffffff) throw new MonitorError(`x: bad address '${text}'`);
  return n;
}
