/** Fills `dest` with the parent disk's content from `diskSector` on (zeros when there is no parent). */
export type ParentReader = (diskSector: number, dest: Uint8Array) => void;

/**
 * One extent of a disk: a run of the disk's sectors stored one way. Sectors
 * are extent-relative; `diskSector` is where the extent's sector 0 sits on the
 * disk, for reading through to a parent.
 */
export interface Extent {
  readonly kind: 'sparse' | 'flat' | 'zero';
  readonly path: string | null;
  readonly sectors: number;
  readonly writable: boolean;
  read(sector: number, dest: Uint8Array, parent: ParentReader | null, diskSector: number): void;
  write(sector: number, src: Uint8Array, parent: ParentReader | null, diskSector: number): void;
  flush(): void;
  close(): void;
}
