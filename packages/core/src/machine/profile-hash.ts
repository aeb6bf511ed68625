import { createHash } from 'node:crypto';
import type { ResolvedProfile } from './profile.js';

/**
 * What makes two machines the same machine: memory, clock, and every entry's
 * section, id, type, config, PCI address and IRQs. Where the profile file
 * lives and its prose do not count.
 */
export function profileHash(profile: ResolvedProfile): string {
  const essence = {
    memoryBytes: profile.memoryBytes,
    clock: profile.clock,
    entries: profile.entries.map((e) => ({
      section: e.section,
      id: e.id,
      type: e.type,
      config: e.config,
      pci: e.pci,
      irq: e.irq,
    })),
  };
  return createHash('sha256').update(canonical(essence)).digest('hex');
}

/** JSON with sorted keys at every level, so equal data gives equal text whatever order its files wrote it in. */
export function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object')
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v) ?? 'null';
}
