/** One picture of the screen: RGBA, row by row, no padding. */
export interface Frame {
  width: number;
  height: number;
  rgba: Uint8Array;
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
