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
