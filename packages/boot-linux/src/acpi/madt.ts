import type { AcpiPlatform } from './platform.js';
import { table } from './table.js';

const PCAT_COMPAT = 1;
const LOCAL_APIC = 0;
const IO_APIC = 1;
const INTERRUPT_SOURCE_OVERRIDE = 2;
const LOCAL_APIC_NMI = 4;
/** MPS INTI flags: active high (01) and level triggered (11 << 2). */
const LEVEL_ACTIVE_HIGH = 0x000d;
const CONFORMING = 0x0000;
/** The PIT's IRQ0 reaches I/O APIC input 2 on PC boards. */
const PIT_IRQ = 0;
const PIT_GSI = 2;

/**
 * The Multiple APIC Description Table: the boot processor's local APIC, the
 * I/O APIC, IRQ0 -> GSI 2, and the level-triggered, active-high lines (the
 * SCI and the IRQs the PIRQs are routed to), as QEMU's pc machine lists them.
 * Without an I/O APIC only the local APIC is listed.
 */
export function buildMadt(p: AcpiPlatform): Uint8Array {
  const entries: number[] = [];
  const u16 = (v: number) => [v & 0xff, v >>> 8];
  const u32 = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24];
  entries.push(LOCAL_APIC, 8, 0, 0, ...u32(1)); // processor 0, APIC ID 0, enabled
  if (p.ioapic) {
    entries.push(IO_APIC, 12, p.ioapic.id, 0, ...u32(p.ioapic.address), ...u32(0));
    entries.push(INTERRUPT_SOURCE_OVERRIDE, 10, 0, PIT_IRQ, ...u32(PIT_GSI), ...u16(CONFORMING));
    const levelIrqs = [...new Set([p.sciIrq, ...p.pirqIrqs])].sort((a, b) => a - b);
    for (const irq of levelIrqs)
      entries.push(INTERRUPT_SOURCE_OVERRIDE, 10, 0, irq, ...u32(irq), ...u16(LEVEL_ACTIVE_HIGH));
  }
  entries.push(LOCAL_APIC_NMI, 6, 0xff, ...u16(CONFORMING), 1); // all processors, LINT1
  const body = new Uint8Array(8 + entries.length);
  const view = new DataView(body.buffer);
  view.setUint32(0, p.localApicAddress, true);
  view.setUint32(4, PCAT_COMPAT, true);
  body.set(entries, 8);
  return table('APIC', 1, body);
}
