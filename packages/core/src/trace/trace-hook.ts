import { SyncHook } from 'tapable';

/**
 * An opt-in trace point. Untapped it costs one property read at the call
 * site (`if (hook.active) hook.call(...)`), which is the whole price a hot
 * path pays for being traceable.
 */
export class TraceHook<T> extends SyncHook<[T]> {
  active = false;

  constructor(name: string) {
    super(['event'], name);
    this.intercept({
      register: (tap) => {
        this.active = true;
        return tap;
      },
    });
  }
}

/** A device register access, named as the datasheet names it, for driver developers. */
export interface RegisterTraceEvent {
  /** The device's profile id. */
  device: string;
  write: boolean;
  register: string;
  size: 1 | 2 | 4;
  value: number;
  /** Decoded bits or fields, e.g. `size=60 OWN`. */
  detail: string;
}

/** `nic W TSD0 <- 0x0000003c size=60`. */
export function formatRegisterEvent(e: RegisterTraceEvent): string {
  const hex = (e.value >>> 0).toString(16).padStart(e.size * 2, '0');
  return `${e.device} ${e.write ? 'W' : 'R'} ${e.register} ${e.write ? '<-' : '->'} 0x${hex}${e.detail ? ` ${e.detail}` : ''}`;
}
