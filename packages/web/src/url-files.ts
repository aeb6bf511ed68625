import { type HostFiles, UserError } from '@plugboard/core';

/**
 * HostFiles over HTTP: paths are URLs, resolved as a browser resolves links.
 * `isFile` must answer at once (firmware look-up tries several folders), so
 * it consults the listings the page fetched first (`firmware/index.json`,
 * written by the build); any other URL is taken to exist and a miss shows
 * when it is read. Reads are cached, so a machine rebuilt reads nothing twice.
 */
export class UrlFiles implements HostFiles {
  private readonly cache = new Map<string, Promise<Uint8Array>>();
  /** Files known to exist under listed folders (folder URL with a trailing slash -> names). */
  private readonly listings = new Map<string, Set<string>>();
  /** Files the user picked (`picked:NAME`), kept in memory. */
  private readonly pickedFiles = new Map<string, Uint8Array>();

  /** Fetches `DIR/index.json` (an array of file names) so firmware look-ups in DIR answer at once. */
  async list(dir: string): Promise<void> {
    const base = dir.endsWith('/') ? dir : `${dir}/`;
    const response = await fetch(new URL('index.json', base));
    if (!response.ok) throw new Error(`${base}index.json: HTTP ${response.status}`);
    this.listings.set(base, new Set((await response.json()) as string[]));
  }

  /** A file the user picked; profiles name it `picked:NAME`. */
  addPicked(name: string, data: Uint8Array): string {
    this.pickedFiles.set(name, data);
    return `picked:${name}`;
  }

  /** The bytes of a picked file (`picked:NAME`), or undefined. */
  picked(file: string): Uint8Array | undefined {
    return file.startsWith('picked:') ? this.pickedFiles.get(file.slice(7)) : undefined;
  }

  resolve(base: string, path: string): string {
    if (path.startsWith('picked:')) return path;
    return new URL(path, base.endsWith('/') ? base : `${base}/`).href;
  }

  dirname(file: string): string {
    return new URL('.', file).href;
  }

  isFile(file: string): boolean {
    if (file.startsWith('picked:')) return this.pickedFiles.has(file.slice(7));
    const slash = file.lastIndexOf('/') + 1;
    const listing = this.listings.get(file.slice(0, slash));
    return listing ? listing.has(file.slice(slash)) : true;
  }

  async read(file: string, what: string, maxBytes: number): Promise<Uint8Array> {
    const data = await this.fetchWhole(file, what);
    if (data.length > maxBytes)
      throw new UserError(`${file}: ${data.length} bytes is too large for ${what} (limit ${maxBytes} bytes)`);
    return data;
  }

  private fetchWhole(file: string, what: string): Promise<Uint8Array> {
    if (file.startsWith('picked:')) {
      const data = this.pickedFiles.get(file.slice(7));
      return data
        ? Promise.resolve(data)
        : Promise.reject(new UserError(`${file}: cannot read ${what} (not picked)`));
    }
    let pending = this.cache.get(file);
    if (!pending) {
      pending = fetch(file).then(async (response) => {
        if (!response.ok) throw new UserError(`${file}: cannot read ${what} (HTTP ${response.status})`);
        return new Uint8Array(await response.arrayBuffer());
      });
      pending.catch(() => this.cache.delete(file));
      this.cache.set(file, pending);
    }
    return pending;
  }
}
