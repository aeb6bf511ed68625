/**
 * The host's files as a machine's builder and its devices see them: firmware,
 * option ROMs, kernels. In Node they are paths on disk (`nodeFiles`); in a
 * page they are URLs fetched from the server (@plugboard/web). Devices never
 * touch a file system themselves; they go through `DeviceContext.readFile`.
 */
export interface HostFiles {
  /** `path` resolved against the directory `base` (absolute paths and URLs stay as they are). */
  resolve(base: string, path: string): string;
  /** The directory a file lies in, for the paths inside it. */
  dirname(file: string): string;
  /** Whether a regular file is there (firmware look-up tries several directories). */
  isFile(file: string): boolean;
  /** The whole file; rejects with a message naming it. */
  read(file: string): Promise<Uint8Array>;
}
