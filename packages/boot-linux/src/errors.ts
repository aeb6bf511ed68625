/** A kernel, initrd or command line the built-in loader cannot use; the message names the file and offset. */
export class LinuxBootError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LinuxBootError';
  }
}
