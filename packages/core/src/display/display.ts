/** A rectangle of a frame, in pixels. */
export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** One picture of the screen: RGBA, row by row, no padding. */
export interface Frame {
  width: number;
  height: number;
  rgba: Uint8Array;
  /** Counts the source's renders: 1 for the first frame, one more for each after. */
  serial?: number;
  /**
   * Where this frame differs from the source's frame `serial - 1` (same size);
   * absent when the source does not know, and then any of it may have changed.
   */
  damage?: readonly Rect[];
}

/**
 * What a graphics card offers the displays (screenshots, VNC): the current
 * picture, and a counter that changes whenever the picture may have.
 */
export interface DisplaySource {
  /** Bumped by anything that can change the picture; equal counters mean an equal picture. */
  readonly generation: number;
  render(): Frame;
}
