/**
 * Where a `url` drive's written sectors persist: one record per sector,
 * keyed by the image (`overlayKey`), so the same image in a later
 * page load starts from the same changed disk. The drive's in-memory overlay
 * stays what the guest reads (sectors are read synchronously); the store
 * only follows it, a batch at a time, between run slices.
 */
export interface OverlayStore {
  /** The image's key (`overlayKey`). */
  readonly key: string;
  /** Every sector written to this image so far. */
  load(): Promise<Map<number, Uint8Array>>;
  /** Writes these sectors' bytes, in one transaction. */
  save(sectors: [number, Uint8Array][]): Promise<void>;
  /** Forgets every written sector of this image. */
  clear(): Promise<void>;
}

const DB_NAME = 'plugboard-overlays';
const STORE = 'sectors';

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
  });
}

let opened: Promise<IDBDatabase> | null = null;

function database(): Promise<IDBDatabase> {
  opened ??= new Promise((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  return opened;
}

/** The IndexedDB store of image `key` (its URL and sector size): records [key, sector] -> bytes. */
export class IndexedDbOverlayStore implements OverlayStore {
  constructor(readonly key: string) {}

  private range(): IDBKeyRange {
    return IDBKeyRange.bound([this.key, 0], [this.key, Number.MAX_SAFE_INTEGER]);
  }

  async load(): Promise<Map<number, Uint8Array>> {
    const db = await database();
    const tx = db.transaction(STORE, 'readonly');
    const store = tx.objectStore(STORE);
    const [keys, values] = await Promise.all([
      request(store.getAllKeys(this.range())),
      request(store.getAll(this.range())),
    ]);
    const sectors = new Map<number, Uint8Array>();
    keys.forEach((key, i) => {
      sectors.set((key as [string, number])[1], new Uint8Array(values[i] as ArrayBuffer));
    });
    return sectors;
  }

  async save(sectors: [number, Uint8Array][]): Promise<void> {
    const db = await database();
    const tx = db.transaction(STORE, 'readwrite');
    const store = tx.objectStore(STORE);
    for (const [sector, bytes] of sectors) store.put(bytes.slice().buffer, [this.key, sector]);
    await done(tx);
  }

  async clear(): Promise<void> {
    const db = await database();
    const tx = db.transaction(STORE, 'readwrite');
    tx.objectStore(STORE).delete(this.range());
    await done(tx);
  }
}

/**
 * The store key of an image: its URL, size and sector size (the same URL
 * serving an image of another size, or read with other sectors, is another
 * disk; an image replaced by one of the same size is not told apart).
 */
export function overlayKey(url: string, size: number, sectorSize: number): string {
  return `${sectorSize}:${size}:${url}`;
}
