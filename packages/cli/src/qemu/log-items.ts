import { QemuOptionError } from './options.js';

/**
 * QEMU's `-d` log items that have a counterpart here, and what each logs.
 * The others (exec, cpu, mmu, pcall, unimp...) are refused.
 */
export const LOG_ITEMS = {
  int: "interrupt lines: each ISA IRQ going up or down (the CPU's own exceptions are not logged)",
  cpu_reset: 'the CPU state after each system reset',
  in_asm:
    'each guest instruction as it runs, address and Intel-syntax text (QEMU prints each translated block once; the translator stays off meanwhile)',
  guest_errors:
    "the devices' log lines (what plugboard run --verbose prints), where they report what the guest did wrong",
} as const;

export type LogItem = keyof typeof LOG_ITEMS;

/** What QEMU prints for `-d help` (and, before the error, for an unknown item). */
export function logItemsText(): string {
  return `Log items (comma separated):\n${Object.entries(LOG_ITEMS)
    .map(([name, help]) => `${name.padEnd(15)} ${help}`)
    .join('\n')}\n`;
}

/** `-d item1,item2`. */
export function parseLogItems(value: string): LogItem[] {
  const items = value.split(',').filter(Boolean);
  const unknown = items.filter((i) => !Object.hasOwn(LOG_ITEMS, i));
  if (unknown.length || !items.length)
    throw new QemuOptionError(
      `-d ${value}: unknown log item ${unknown.join(', ') || '(none given)'}\n${logItemsText()}`,
    );
  return items as LogItem[];
}
