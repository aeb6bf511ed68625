/**
 * A guest exception on its way to the IDT. One instance is thrown and caught
 * per fault; it carries no stack trace worth keeping, so it is not an Error.
 */
export class GuestFault {
  vector = 0;
  /** -1 when the exception pushes no error code. */
  errorCode = -1;
}
