import type { FrameRect } from './worker-protocol.js';

/**
 * The graphics card's picture on a canvas, drawn from the frames the
 * machine's worker sends: once per animation frame the screen asks for the
 * next one (one in flight at a time, so a busy worker is never flooded),
 * and copies only its damaged rectangles.
 */
export class CanvasScreen {
  private readonly context: CanvasRenderingContext2D;
  private frameId = 0;
  private waiting = false;
  /** Frames drawn, for scripts and tests. */
  frames = 0;

  constructor(
    readonly canvas: HTMLCanvasElement,
    private readonly requestFrame: () => void,
    private readonly onFrame: (width: number, height: number) => void = () => {},
  ) {
    this.context = canvas.getContext('2d')!;
  }

  start(): void {
    const tick = () => {
      if (!this.waiting) {
        this.waiting = true;
        this.requestFrame();
      }
      this.frameId = requestAnimationFrame(tick);
    };
    this.frameId = requestAnimationFrame(tick);
  }

  stop(): void {
    cancelAnimationFrame(this.frameId);
  }

  /** Draws a frame's damaged rectangles (none: the picture did not change). */
  show(frame: { width: number; height: number; rects: FrameRect[] }): void {
    this.waiting = false;
    const { width, height, rects } = frame;
    if (rects.length === 0 || width === 0 || height === 0) return;
    if (this.canvas.width !== width || this.canvas.height !== height) {
      this.canvas.width = width;
      this.canvas.height = height;
    }
    for (const r of rects)
      this.context.putImageData(new ImageData(new Uint8ClampedArray(r.pixels), r.w, r.h), r.x, r.y);
    this.frames++;
    this.onFrame(width, height);
  }

  /** Whether any pixel of the canvas is not black: a test's sign that the card drew something. */
  nonBlank(): boolean {
    const { width, height } = this.canvas;
    if (!width || !height) return false;
    const data = this.context.getImageData(0, 0, width, height).data;
    for (let i = 0; i < data.length; i += 4) if (data[i]! | data[i + 1]! | data[i + 2]!) return true;
    return false;
  }
}
