import type { CpuRegisters } from '@plugboard/core';

const SEGMENTS = [
  ['ES', 'ES '],
  ['CS', 'CS '],
  ['SS', 'SS '],
  ['DS', 'DS '],
  ['FS', 'FS '],
  ['GS', 'GS '],
  ['LDTR', 'LDT'],
  ['TR', 'TR '],
] as const;

/** EFLAGS bits QEMU shows in brackets, in its order. */
const FLAG_LETTERS: [number, string][] = [
  [0x400, 'D'],
  [0x800, 'O'],
  [0x80, 'S'],
  [0x40, 'Z'],
  [0x10, 'A'],
  [0x4, 'P'],
  [0x1, 'C'],
];

/**
 * The x86 register state in the layout of QEMU's `info registers` for a
 * 32-bit guest, so that people and scripts used to it read it the same way.
 */
export function formatX86Registers(r: CpuRegisters): string {
  const h = (name: string, width = 8) => (r[name] ?? 0).toString(16).padStart(width, '0');
  const flags = FLAG_LETTERS.map(([bit, c]) => (r.EFLAGS & bit ? c : '-')).join('');
  return [
    `EAX=${h('EAX')} EBX=${h('EBX')} ECX=${h('ECX')} EDX=${h('EDX')}`,
    `ESI=${h('ESI')} EDI=${h('EDI')} EBP=${h('EBP')} ESP=${h('ESP')}`,
    `EIP=${h('EIP')} EFL=${h('EFLAGS')} [${flags}] CPL=${r.CPL} HLT=${r.HLT}`,
    ...SEGMENTS.map(
      ([name, label]) =>
        `${label}=${h(name, 4)} ${h(`${name}.base`)} ${h(`${name}.limit`)} ${h(`${name}.flags`)}`,
    ),
    `GDT=     ${h('GDTR.base')} ${h('GDTR.limit')}`,
    `IDT=     ${h('IDTR.base')} ${h('IDTR.limit')}`,
    `CR0=${h('CR0')} CR2=${h('CR2')} CR3=${h('CR3')} CR4=${h('CR4')}`,
    `DR0=${h('DR0')} DR1=${h('DR1')} DR2=${h('DR2')} DR3=${h('DR3')}`,
    `DR6=${h('DR6')} DR7=${h('DR7')}`,
  ].join('\n');
}
