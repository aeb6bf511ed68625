import { PCI_COMMAND_IO, PCI_COMMAND_MEMORY } from '@plugboard/core';
import type { PciConfig } from './pci-config.js';

const BAR0 = 0x10;
const ROM_BAR = 0x30;
const COMMAND = 0x04;
const INTERRUPT_LINE = 0x3c;
const INTERRUPT_PIN = 0x3d;
const HEADER_TYPE = 0x0e;
const BAR_IO = 0x01;
const BAR_MEM_64 = 0x04;
const BAR_PREFETCH = 0x08;
const ROM_ADDRESS_MASK = 0xfffff800;
/** SeaBIOS gives every memory BAR at least a page, so no two devices share one. */
const MEM_MIN = 0x1000;

/** SeaBIOS's windows on QEMU's pc machine: I/O from 0xC000, memory below the I/O APIC at 0xFEC00000. */
export const PCI_IO_START = 0xc000;
export const PCI_IO_END = 0x10000;
export const PCI_MEM_END = 0xfec00000;

type Kind = 'io' | 'mem' | 'prefmem';

interface Resource {
  fn: PciConfig;
  register: number;
  size: number;
  kind: Kind;
}

function probe(fn: PciConfig, register: number, ones: number): number {
  const old = fn.read32(register);
  fn.write32(register, ones);
  const got = fn.read32(register);
  fn.write32(register, old);
  return got;
}

function resourcesOf(fn: PciConfig): Resource[] {
  const out: Resource[] = [];
  if ((fn.read8(HEADER_TYPE) & 0x7f) !== 0) return out;
  for (let i = 0; i < 6; i++) {
    const register = BAR0 + 4 * i;
    const got = probe(fn, register, 0xffffffff);
    if (got === 0) continue;
    if (got & BAR_IO) {
      const size = (~((got & ~3) | 0xffff0000) + 1) >>> 0;
      if (size) out.push({ fn, register, size, kind: 'io' });
      continue;
    }
    const size = (~(got & ~0xf) + 1) >>> 0;
    if (size)
      out.push({ fn, register, size: Math.max(size, MEM_MIN), kind: got & BAR_PREFETCH ? 'prefmem' : 'mem' });
    if (got & BAR_MEM_64) {
      fn.write32(register + 4, 0);
      i++;
    }
  }
  const rom = probe(fn, ROM_BAR, ROM_ADDRESS_MASK) & ROM_ADDRESS_MASK;
  if (rom) out.push({ fn, register: ROM_BAR, size: Math.max((~rom + 1) >>> 0, MEM_MIN), kind: 'mem' });
  return out;
}

const bySizeDown = (a: Resource, b: Resource) => b.size - a.size;
const alignUp = (v: number, a: number) => Math.ceil(v / a) * a;
const alignDown = (v: number, a: number) => Math.floor(v / a) * a;
const total = (list: Resource[]) => list.reduce((sum, r) => alignUp(sum, r.size) + r.size, 0);

/**
 * Sizes every BAR and ROM BAR, then assigns them as SeaBIOS does on the
 * root bus: largest first; I/O upwards from 0xC000; the memory and
 * prefetchable windows packed down from 0xFEC00000, the one with the
 * smaller alignment on top (so the other stays aligned below it), memory
 * BARs at least a page. ROM BARs get an address but stay disabled.
 * Throws when they do not fit (above `memoryStart`, the top of RAM).
 */
export function assignResources(functions: readonly PciConfig[], memoryStart: number): void {
  const all = functions.flatMap(resourcesOf);
  const put = (r: Resource, address: number) => r.fn.write32(r.register, address);

  let io = PCI_IO_START;
  for (const r of all.filter((x) => x.kind === 'io').sort(bySizeDown)) {
    const at = alignUp(io, r.size);
    if (at + r.size > PCI_IO_END)
      throw new Error(`PCI I/O space is exhausted at ${r.fn.id} BAR 0x${r.register.toString(16)}`);
    put(r, at);
    io = at + r.size;
  }

  const mem = all.filter((x) => x.kind === 'mem').sort(bySizeDown);
  const pref = all.filter((x) => x.kind === 'prefmem').sort(bySizeDown);
  const alignOf = (list: Resource[]) => list[0]?.size ?? 1;
  const [top, below] = alignOf(mem) < alignOf(pref) ? [mem, pref] : [pref, mem];
  const topBase = alignDown(PCI_MEM_END - total(top), alignOf(top));
  const belowBase = alignDown(topBase - total(below), alignOf(below));
  if (belowBase < memoryStart)
    throw new Error(
      `the PCI memory BARs need 0x${(PCI_MEM_END - belowBase).toString(16)} bytes below 0xfec00000, more than the hole above RAM`,
    );
  for (const [list, base] of [
    [top, topBase],
    [below, belowBase],
  ] as const) {
    let at = base;
    for (const r of list) {
      at = alignUp(at, r.size);
      put(r, at);
      at += r.size;
    }
  }
}

/**
 * INTERRUPT_LINE from the slot's PIRQ routing, then I/O and memory decode
 * on (drivers turn on bus mastering themselves).
 */
export function enableFunctions(
  functions: readonly PciConfig[],
  irqOf: (slot: number, pin: number) => number,
): void {
  for (const fn of functions) {
    const pin = fn.read8(INTERRUPT_PIN);
    if (pin >= 1 && pin <= 4) fn.write8(INTERRUPT_LINE, irqOf(fn.slot, pin));
    fn.write16(COMMAND, fn.read16(COMMAND) | PCI_COMMAND_IO | PCI_COMMAND_MEMORY);
  }
}
