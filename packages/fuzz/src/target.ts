/**
 * One attack surface. `run` feeds it one input and returns; anything it
 * throws (or a promise it rejects with) is a finding. A target whose surface
 * may refuse input cleanly (a user's file or option: `UserError`) catches that
 * itself. Other engineers' targets have this same shape in their own files
 * under `targets/`.
 */
export interface FuzzTarget {
  name: string;
  /** Valid inputs to start mutating from. */
  seeds(): Uint8Array[];
  run(input: Uint8Array): void | Promise<void>;
}
