/** Resource descriptors (ACPI 6.5 section 6.4) for _CRS/_PRS buffers. */

const EXTENDED_INTERRUPT = 0x89;
const END_TAG = 0x79;

export interface InterruptResource {
  irqs: readonly number[];
  level: boolean;
  activeHigh: boolean;
  shared: boolean;
}

/** An Extended Interrupt descriptor (ASL `Interrupt(ResourceConsumer, ...)`). */
export function interrupt(r: InterruptResource): number[] {
  const flags = 0x01 | (r.level ? 0 : 0x02) | (r.activeHigh ? 0 : 0x04) | (r.shared ? 0x08 : 0);
  const length = 2 + 4 * r.irqs.length;
  const out = [EXTENDED_INTERRUPT, length & 0xff, length >>> 8, flags, r.irqs.length];
  for (const irq of r.irqs) out.push(irq & 0xff, (irq >>> 8) & 0xff, (irq >>> 16) & 0xff, irq >>> 24);
  return out;
}

const IO_PORT = 0x47;
const WORD_ADDRESS = 0x88;
const DWORD_ADDRESS = 0x87;
const SPACE = { memory: 0, io: 1, bus: 2 } as const;
/** General flags: a producer (a bridge's window), fixed minimum and maximum, positive decode. */
const PRODUCER_FIXED = 0x0c;
/** I/O type flags: both ISA and non-ISA ranges. */
const IO_ENTIRE_RANGE = 0x03;
/** Memory type flags: read-write, and cacheable or not. */
const MEMORY_CACHEABLE_RW = 0x03;
const MEMORY_UNCACHED_RW = 0x01;

const le = (value: number, bytes: number) =>
  Array.from({ length: bytes }, (_, i) => Math.floor(value / 2 ** (8 * i)) & 0xff);

/** An I/O Port descriptor (ASL `IO(Decode16, min, max, align, length)`). */
export function ioPort(min: number, max: number, align: number, length: number): number[] {
  return [IO_PORT, 0x01, ...le(min, 2), ...le(max, 2), align, length];
}

function addressSpace(space: number, typeFlags: number, min: number, max: number, width: 2 | 4): number[] {
  const fields = [0, min, max, 0, max - min + 1].flatMap((v) => le(v, width));
  const body = [space, PRODUCER_FIXED, typeFlags, ...fields];
  return [width === 2 ? WORD_ADDRESS : DWORD_ADDRESS, ...le(body.length, 2), ...body];
}

export const busNumbers = (min: number, max: number) => addressSpace(SPACE.bus, 0, min, max, 2);
export const ioWindow = (min: number, max: number) => addressSpace(SPACE.io, IO_ENTIRE_RANGE, min, max, 2);
export const memoryWindow = (min: number, max: number, cacheable: boolean) =>
  addressSpace(SPACE.memory, cacheable ? MEMORY_CACHEABLE_RW : MEMORY_UNCACHED_RW, min, max, 4);

/** A resource template: descriptors, then the end tag with checksum 0 ("treated as valid"). */
export function template(...descriptors: number[][]): number[] {
  return [...descriptors.flat(), END_TAG, 0x00];
}
