/** A kernel, initrd or command line the built-in loader cannot use; the message names the file and offset. */
import { UserError } from '@plugboard/core';

export class LinuxBootError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'LinuxBootError';
  }
}
