import type { DisplaySource, Frame, Rect } from '@plugboard/core';

/** What a machine without a display, or a mode without pixels, shows: black. */
const NO_SIGNAL = { width: 640, height: 480 };

/** Told what a newly rendered frame changed: rectangles, or null for all of it. */
export type DamageWatcher = (damage: readonly Rect[] | null) => void;

/**
 * Renders the display for every client at once: a frame is rendered only
 * when the source's generation moved since the last one. Each new frame's
 * damage goes to every watcher (one per client): the frame's own when it
 * follows the frame rendered before it, all of it otherwise (another caller
 * such as a screenshot rendered in between, the size changed, or the source
 * does not say).
 */
export class FrameSource {
  private frame: Frame | null = null;
  private renderedGeneration = -1;
  private readonly watchers = new Set<DamageWatcher>();

  constructor(private source: DisplaySource | null) {}

  attach(source: DisplaySource | null): void {
    this.source = source;
    this.frame = null;
  }

  watch(watcher: DamageWatcher): void {
    this.watchers.add(watcher);
  }

  unwatch(watcher: DamageWatcher): void {
    this.watchers.delete(watcher);
  }

  /** A counter that changes whenever `current()` may return a different picture. */
  get generation(): number {
    return this.source ? this.source.generation : 0;
  }

  /** The current picture; stays valid (unchanged) until the next call. */
  current(): Frame {
    const source = this.source;
    const previous = this.frame;
    if (previous && (!source || source.generation === this.renderedGeneration)) return previous;
    let frame: Frame | null = null;
    if (source) {
      this.renderedGeneration = source.generation;
      frame = source.render();
    }
    if (
      !frame ||
      frame.width === 0 ||
      frame.height === 0 ||
      frame.rgba.length < frame.width * frame.height * 4
    ) {
      const { width, height } = NO_SIGNAL;
      frame = { width, height, rgba: new Uint8Array(width * height * 4) };
    }
    const follows =
      previous?.serial !== undefined &&
      frame.serial === previous.serial + 1 &&
      frame.width === previous.width &&
      frame.height === previous.height;
    const damage = follows && frame.damage ? frame.damage : null;
    for (const watcher of this.watchers) watcher(damage);
    this.frame = frame;
    return frame;
  }
}

/** `frame` cut or padded (black) to `width` x `height`, for a client that cannot resize. */
export function fitFrame(frame: Frame, width: number, height: number): Frame {
  const rgba = new Uint8Array(width * height * 4);
  const w = Math.min(width, frame.width);
  for (let y = 0; y < Math.min(height, frame.height); y++)
    rgba.set(frame.rgba.subarray(y * frame.width * 4, (y * frame.width + w) * 4), y * width * 4);
  return { width, height, rgba };
}
