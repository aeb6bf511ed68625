import type { DisplaySource } from '@plugboard/core';

/**
 * The graphics card's picture on a canvas: once per animation frame, when the
 * card's generation moved, the frame is rendered and only its damaged
 * rectangles are copied (the Cirrus renderer reports the lines it redrew).
 */
export class CanvasScreen {
  private readonly context: CanvasRenderingContext2D;
  private generation = -1;
  private frameId = 0;
  /** Frames drawn, for scripts and tests. */
  frames = 0;

  constructor(
    readonly canvas: HTMLCanvasElement,
    private readonly source: DisplaySource,
    private readonly onFrame: (width: number, height: number) => void = () => {},
  ) {
    this.context = canvas.getContext('2d')!;
  }

  start(): void {
    const tick = () => {
      this.draw();
      this.frameId = requestAnimationFrame(tick);
    };
    this.frameId = requestAnimationFrame(tick);
  }

  stop(): void {
    cancelAnimationFrame(this.frameId);
  }

  /** Copies what changed since the last draw. */
  draw(): void {
    if (this.source.generation === this.generation) return;
    this.generation = this.source.generation;
    const frame = this.source.render();
    const { width, height } = frame;
    if (width === 0 || height === 0) return;
    const resized = this.canvas.width !== width || this.canvas.height !== height;
    if (resized) {
      this.canvas.width = width;
      this.canvas.height = height;
    }
    const pixels = new Uint8ClampedArray(
      frame.rgba.buffer as ArrayBuffer,
      frame.rgba.byteOffset,
      width * height * 4,
    );
    const image = new ImageData(pixels, width, height);
    const rects = resized || !frame.damage ? [{ x: 0, y: 0, w: width, h: height }] : frame.damage;
    for (const r of rects) this.context.putImageData(image, 0, 0, r.x, r.y, r.w, r.h);
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
