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
  /**
   * The whole file, which the user named as `what` (a firmware image, a
   * kernel): it must be a regular file of at most `maxBytes` (/dev/zero or a
   * FIFO would read forever). Rejects with a `UserError` naming the file.
   */
  read(file: string, what: string, maxBytes: number): Promise<Uint8Array>;
}

/** Largest firmware image or option ROM read (a BIOS flash is at most 16 MiB). */
export const MAX_FIRMWARE_BYTES = 16 * 1024 * 1024;
/** Largest kernel read: distribution bzImages are a few MiB. */
export const MAX_KERNEL_BYTES = 256 * 1024 * 1024;
/** Largest initrd read: it must fit below 4 GiB in a 32-bit guest's RAM besides the kernel. */
export const MAX_INITRD_BYTES = 1024 * 1024 * 1024;
