const NS_PER_S = 1e9;

/**
 * Edges of a `hz` clock that have occurred by virtual time `ns`: floor(ns * hz / 1e9).
 * Split at whole seconds so the products stay exact in a double for any uptime.
 */
export function ticksAt(ns: number, hz: number): number {
  const seconds = Math.floor(ns / NS_PER_S);
  const rest = ns - seconds * NS_PER_S;
  return seconds * hz + Math.floor((rest * hz) / NS_PER_S);
}

/** The earliest virtual time at which `ticksAt` reaches `ticks`. */
export function nsAtTick(ticks: number, hz: number): number {
  const seconds = Math.floor(ticks / hz);
  const rest = ticks - seconds * hz;
  return seconds * NS_PER_S + Math.ceil((rest * NS_PER_S) / hz);
}
