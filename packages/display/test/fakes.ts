import type { AbsolutePointerService, DisplaySource, Frame, Ps2InputService, Rect } from '@plugboard/core';

/**
 * A screen the test paints: a gradient by default, changed with `fill` (which
 * the next frame reports as its damage) or `replace` (which it does not).
 */
export class FakeDisplay implements DisplaySource {
  generation = 1;
  renders = 0;
  frame: Frame;
  /** What changed since the last render; null when unknown. */
  private damage: Rect[] | null = [];

  constructor(width = 320, height = 200) {
    this.frame = FakeDisplay.gradient(width, height);
  }

  static gradient(width: number, height: number): Frame {
    const rgba = new Uint8Array(width * height * 4);
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) {
        const i = (y * width + x) * 4;
        rgba[i] = (x * 255) / (width - 1);
        rgba[i + 1] = (y * 255) / (height - 1);
        rgba[i + 2] = (x + y) & 0xff;
        rgba[i + 3] = 255;
      }
    return { width, height, rgba };
  }

  render(): Frame {
    this.renders++;
    const damage = this.damage ?? undefined;
    this.damage = [];
    return { ...this.frame, serial: this.renders, damage };
  }

  /** Fills a rectangle with one colour. */
  fill(x: number, y: number, w: number, h: number, [r, g, b]: [number, number, number]): void {
    const { width, rgba } = this.frame;
    for (let row = y; row < y + h; row++)
      for (let col = x; col < x + w; col++) rgba.set([r, g, b, 255], (row * width + col) * 4);
    this.damage?.push({ x, y, w, h });
    this.generation++;
  }

  replace(frame: Frame): void {
    this.frame = frame;
    this.damage = null;
    this.generation++;
  }

  pixel(x: number, y: number): [number, number, number] {
    const i = (y * this.frame.width + x) * 4;
    const p = this.frame.rgba;
    return [p[i], p[i + 1], p[i + 2]];
  }
}

export type InputEvent =
  | { kind: 'key'; name: string; down: boolean }
  | { kind: 'code'; code: number; down: boolean }
  | { kind: 'mouse'; dx: number; dy: number; dz: number; buttons: number }
  | { kind: 'pointer'; x: number; y: number; dz: number; buttons: number };

/** Records what reaches the PS/2 devices (and an absolute pointer, when a test attaches it as one). */
export class FakeInput implements Ps2InputService, AbsolutePointerService {
  readonly events: InputEvent[] = [];
  private waiter: (() => void) | null = null;

  keyCode(code: number, down: boolean): void {
    this.push({ kind: 'code', code, down });
  }

  key(name: string, down: boolean): boolean {
    this.push({ kind: 'key', name, down });
    return true;
  }

  mouse(dx: number, dy: number, dz: number, buttons: number): void {
    this.push({ kind: 'mouse', dx, dy, dz, buttons });
  }

  pointer(x: number, y: number, dz: number, buttons: number): void {
    this.push({ kind: 'pointer', x, y, dz, buttons });
  }

  private push(e: InputEvent): void {
    this.events.push(e);
    this.waiter?.();
  }

  /** Waits until `n` events have arrived. */
  waitFor(n: number): Promise<InputEvent[]> {
    return this.waitUntil((events) => events.length >= n);
  }

  /** Waits until the events so far satisfy `done`. */
  async waitUntil(done: (events: InputEvent[]) => boolean): Promise<InputEvent[]> {
    while (!done(this.events)) {
      await new Promise<void>((r) => {
        this.waiter = r;
      });
    }
    return this.events;
  }
}
