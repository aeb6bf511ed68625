import type { Machine } from '@plugboard/core';
import { MonitorError } from '../command.js';

/** QEMU's unit sizes: byte, halfword, word, giant. */
const SIZES: Record<string, number> = { b: 1, h: 2, w: 4, g: 8 };
/** The most bytes one command dumps. */
const MAX_BYTES = 0x10000;

interface Format {
  count: number;
  format: string;
  size: number;
}

/** `/[COUNT][FORMAT][SIZE]`: format x d u o c i (default x), size b h w g (default w; c is bytes). */
function parseFormat(command: string, text: string | undefined): Format {
  const m = /^\/(\d*)([xduoci]?)([bhwg]?)$/.exec(text ?? '');
  if (!m) throw new MonitorError(`${command}: expected /[COUNT][x|d|u|o|c|i][b|h|w|g] ADDR`);
  const count = m[1] ? Number(m[1]) : 1;
  const format = m[2] || 'x';
  const size = m[3] ? SIZES[m[3]] : format === 'c' ? 1 : 4;
  if (count < 1 || count * size > MAX_BYTES)
    throw new MonitorError(`${command}: count must be 1 or more, at most ${MAX_BYTES} bytes in all`);
  return { count, format, size };
}

/**
 * `x /FMT ADDR` (linear addresses, through the CPU's paging without side
 * effects) and `xp /FMT ADDR` (physical): QEMU's memory dump, laid out as
 * QEMU lays it out (8 values of a byte or 16 bytes a line, the address first:
 * 8 hex digits for `x`, 16 for `xp`). `/Ni` disassembles N instructions with
 * the CPU model (`x` only). ADDR is a number (C syntax: 0x hex, else decimal)
 * or a register: `$pc` is CS base + EIP (a linear address, as QEMU's `$pc`).
 * RAM and ROM only: MMIO or an unmapped page ends the dump with QEMU's
 * ` Cannot access memory` on that line, since a read could disturb a device.
 */
export function examine(machine: Machine, args: readonly string[], physical = false): string {
  const command = physical ? 'xp' : 'x';
  // The format may be left out: one word in hex.
  const [fmtText, addrText] = args.length === 1 && !args[0].startsWith('/') ? ['/', args[0]] : args;
  if (addrText === undefined) throw new MonitorError(`${command}: expected [/FMT] ADDR`);
  const fmt = parseFormat(command, fmtText);
  const start = address(machine, addrText, command);
  const cpu = machine.cpu;
  if (fmt.format === 'i') {
    if (physical) throw new MonitorError('xp: the i format needs a linear address: use x');
    if (!cpu?.disassemble) throw new MonitorError('x: the CPU has no disassembler');
    if (fmt.count > 1000) throw new MonitorError('x: count must be 1-1000');
    return cpu.disassemble(start, fmt.count);
  }
  const translate = physical ? (a: number) => a : cpu?.debug?.translate;
  if (!translate) throw new MonitorError('x: the CPU offers no page walk: use xp');
  const byteAt = (linear: number): number => {
    const phys = translate(linear >>> 0);
    if (phys < 0) return -1;
    const page = phys >>> 12;
    const buf = machine.memory.readBuf[page];
    return buf ? buf[machine.memory.readOff[page] + (phys & 0xfff)] : -1;
  };
  const lineSize = fmt.size === 1 ? 8 : 16;
  const lines: string[] = [];
  let line = '';
  for (let i = 0; i < fmt.count; i++) {
    const at = start + i * fmt.size;
    if ((i * fmt.size) % lineSize === 0) {
      if (line) lines.push(line);
      line = `${physical ? hex(at, 16) : hex(at >>> 0, 8)}:`;
    }
    let value = 0n;
    for (let b = fmt.size - 1; b >= 0; b--) {
      const byte = byteAt(at + b);
      if (byte < 0) {
        lines.push(`${line} Cannot access memory`);
        return lines.join('\n');
      }
      value = (value << 8n) | BigInt(byte);
    }
    line += ` ${formatValue(value, fmt)}`;
  }
  lines.push(line);
  return lines.join('\n');
}

function hex(n: number, digits: number): string {
  return n.toString(16).padStart(digits, '0');
}

/** One value as QEMU's memory_dump prints it, right-aligned to the widest value of its size. */
function formatValue(value: bigint, { format, size }: Format): string {
  const bits = BigInt(size * 8);
  switch (format) {
    case 'x':
      return `0x${value.toString(16).padStart(size * 2, '0')}`;
    case 'o':
      return `0${value.toString(8)}`.padStart(Math.floor((size * 8 + 2) / 3), ' ');
    case 'u':
      return value.toString().padStart(Math.floor((size * 8 * 10 + 32) / 33), ' ');
    case 'd':
      // Signed at every size, as QEMU's documentation says; QEMU itself zero-extends bytes and halfwords.
      return BigInt.asIntN(Number(bits), value)
        .toString()
        .padStart(Math.floor((size * 8 * 10 + 32) / 33), ' ');
    default:
      return printable(Number(value & 0xffn));
  }
}

/** QEMU's `monitor_printc`: a character in quotes, escaped when not printable. */
function printable(c: number): string {
  const escapes: Record<number, string> = { 39: "\\'", 92: '\\\\', 10: '\\n', 13: '\\r' };
  const body = escapes[c] ?? (c >= 32 && c <= 126 ? String.fromCharCode(c) : `\\x${hex(c, 2)}`);
  return `'${body}'`;
}

function address(machine: Machine, text: string, command: string): number {
  const regs = machine.cpu?.registers() ?? {};
  if (text === '$pc') return ((regs['CS.base'] ?? 0) + (regs.EIP ?? 0)) >>> 0;
  if (text.startsWith('$')) {
    const value = regs[text.slice(1).toUpperCase()];
    if (value === undefined) throw new MonitorError(`${command}: unknown register '${text}'`);
    return value >>> 0;
  }
  const n = /^0x[0-9a-f]+$/i.test(text)
    ? Number.parseInt(text, 16)
    : /^\d+$/.test(text)
      ? Number(text)
      : Number.NaN;
  if (!Number.isFinite(n) || n > 0xffffffff) throw new MonitorError(`${command}: bad address '${text}'`);
  return n;
}
