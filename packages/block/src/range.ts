import { BlockError } from '@plugboard/core';

/** Throws a `range` BlockError unless `bytes` is whole sectors lying inside the backend. */
export function checkRange(
  backend: { sectorSize: number; sectorCount: number },
  sector: number,
  bytes: number,
): void {
  const count = bytes / backend.sectorSize;
  if (
    !Number.isInteger(count) ||
    !Number.isInteger(sector) ||
    sector < 0 ||
    sector + count > backend.sectorCount
  ) {
    throw new BlockError(
      `sector range ${sector}+${bytes}/${backend.sectorSize} is outside the image (${backend.sectorCount} sectors) or not whole sectors`,
      'range',
    );
  }
}
