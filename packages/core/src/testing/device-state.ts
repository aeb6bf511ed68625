import type { Device } from '../plugin/manifest.js';
import { encodeState } from '../state/state-codec.js';

/** A device's whole saved state as text (`Device.vmstate`): equal texts, equal devices. */
export function stateText(device: Device): string {
  if (!device.vmstate) throw new Error('the device keeps no state');
  return encodeState(device.vmstate.save());
}

/** A seeded xorshift32: the same random register writes on every run, numbers in [0, 2^32). */
export function seededRandom(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}
