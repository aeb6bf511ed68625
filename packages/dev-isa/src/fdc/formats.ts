/** Drive types, as the CMOS 0x10 nibble numbers them (0 is no drive). */
export type FloppyDriveType = '120' | '144' | '288';
export const CMOS_DRIVE_TYPE: Record<FloppyDriveType, number> = { '120': 2, '144': 4, '288': 5 };

/** Data rates as DSR/CCR bits 1-0 select them. */
export const RATE_500K = 0;
export const RATE_300K = 1;
export const RATE_250K = 2;
export const RATE_1M = 3;

export interface FloppyFormat {
  drive: FloppyDriveType;
  /** Sectors per track (the last sector number). */
  sectors: number;
  tracks: number;
  heads: 1 | 2;
  rate: number;
}

const f = (drive: FloppyDriveType, sectors: number, tracks: number, heads: 1 | 2, rate: number) => ({
  drive,
  sectors,
  tracks,
  heads,
  rate,
});

/**
 * The media QEMU's controller recognises, in its order of preference (the
 * first of a drive type is that type's default): the image size picks one.
 */
export const FLOPPY_FORMATS: readonly FloppyFormat[] = [
  // 3.5" 1.44 MB and its extended formats
  f('144', 18, 80, 2, RATE_500K),
  f('144', 18, 81, 2, RATE_500K),
  f('144', 20, 80, 2, RATE_500K),
  f('144', 21, 80, 2, RATE_500K),
  f('144', 21, 82, 2, RATE_500K),
  f('144', 21, 83, 2, RATE_500K),
  f('144', 22, 80, 2, RATE_500K),
  f('144', 23, 80, 2, RATE_500K),
  f('144', 24, 80, 2, RATE_500K),
  // 3.5" 2.88 MB
  f('288', 36, 80, 2, RATE_1M),
  f('288', 39, 80, 2, RATE_1M),
  f('288', 40, 80, 2, RATE_1M),
  f('288', 44, 80, 2, RATE_1M),
  f('288', 48, 80, 2, RATE_1M),
  // 3.5" 720 KB
  f('144', 9, 80, 2, RATE_250K),
  f('144', 10, 80, 2, RATE_250K),
  f('144', 10, 82, 2, RATE_250K),
  f('144', 10, 83, 2, RATE_250K),
  f('144', 13, 80, 2, RATE_250K),
  f('144', 14, 80, 2, RATE_250K),
  // 5.25" 1.2 MB
  f('120', 15, 80, 2, RATE_500K),
  f('120', 18, 80, 2, RATE_500K),
  f('120', 18, 82, 2, RATE_500K),
  f('120', 18, 83, 2, RATE_500K),
  f('120', 20, 80, 2, RATE_500K),
  // 5.25" 720 KB
  f('120', 9, 80, 2, RATE_250K),
  f('120', 11, 80, 2, RATE_250K),
  // 5.25" 360 KB and 180 KB
  f('120', 9, 40, 2, RATE_300K),
  f('120', 9, 40, 1, RATE_300K),
  f('120', 10, 41, 2, RATE_300K),
  f('120', 10, 42, 2, RATE_300K),
  // 5.25" 320 KB and 160 KB
  f('120', 8, 40, 2, RATE_250K),
  f('120', 8, 40, 1, RATE_250K),
  // 3.5" single-sided 360 KB, after the 5.25" one of the same size
  f('144', 9, 80, 1, RATE_250K),
];

const physicalSize = (t: FloppyDriveType) => (t === '120' ? 5.25 : 3.5);

/**
 * The format of an image of `sectors` 512-byte sectors in a drive of `type`,
 * QEMU's way: the same size on that drive type; else the same size on a
 * drive of the same physical size; else the same size on any drive; else
 * the drive type's default (2.88 MB for `auto`), sectors past the image's
 * end then read as missing.
 */
export function pickFormat(
  sectors: number,
  type: FloppyDriveType | 'auto',
): { format: FloppyFormat; exact: boolean } {
  const size = (x: FloppyFormat) => x.sectors * x.tracks * x.heads;
  const same = FLOPPY_FORMATS.filter((x) => size(x) === sectors);
  const exact =
    same.find((x) => type === 'auto' || x.drive === type) ??
    same.find((x) => type !== 'auto' && physicalSize(x.drive) === physicalSize(type)) ??
    same[0];
  if (exact) return { format: exact, exact: true };
  const fallback = type === 'auto' ? '288' : type;
  return { format: FLOPPY_FORMATS.find((x) => x.drive === fallback)!, exact: false };
}
