import type { Ps2InputService } from '@plugboard/core';

/** Where the page's keys and mouse go: the machine's i8042, through its worker. */
export type PageInput = Pick<Ps2InputService, 'key' | 'mouse'>;

/**
 * Keyboard and mouse of the page to the i8042: keys by `KeyboardEvent.code`
 * while the canvas has focus, and relative mouse movement under pointer lock
 * (a click on the canvas takes the pointer; Escape gives it back).
 */
export function bindInput(canvas: HTMLCanvasElement, input: PageInput): () => void {
  canvas.tabIndex = 0;
  let buttons = 0;
  const key = (down: boolean) => (e: KeyboardEvent) => {
    if (input.key(e.code, down)) e.preventDefault();
  };
  const keydown = key(true);
  const keyup = key(false);
  const locked = () => document.pointerLockElement === canvas;
  const mousedown = (e: MouseEvent) => {
    if (!locked()) {
      canvas.requestPointerLock();
      return;
    }
    buttons |= BUTTON_BITS[e.button] ?? 0;
    input.mouse(0, 0, 0, buttons);
  };
  const mouseup = (e: MouseEvent) => {
    buttons &= ~(BUTTON_BITS[e.button] ?? 0);
    if (locked()) input.mouse(0, 0, 0, buttons);
  };
  const mousemove = (e: MouseEvent) => {
    if (locked()) input.mouse(e.movementX, e.movementY, 0, buttons);
  };
  const wheel = (e: WheelEvent) => {
    if (!locked()) return;
    e.preventDefault();
    input.mouse(0, 0, Math.sign(e.deltaY), buttons);
  };
  canvas.addEventListener('keydown', keydown);
  canvas.addEventListener('keyup', keyup);
  canvas.addEventListener('mousedown', mousedown);
  canvas.addEventListener('mouseup', mouseup);
  canvas.addEventListener('mousemove', mousemove);
  canvas.addEventListener('wheel', wheel, { passive: false });
  return () => {
    canvas.removeEventListener('keydown', keydown);
    canvas.removeEventListener('keyup', keyup);
    canvas.removeEventListener('mousedown', mousedown);
    canvas.removeEventListener('mouseup', mouseup);
    canvas.removeEventListener('mousemove', mousemove);
    canvas.removeEventListener('wheel', wheel);
  };
}

/** MouseEvent.button (0 left, 1 middle, 2 right) to the PS/2 button bits (0 left, 1 right, 2 middle). */
const BUTTON_BITS: Record<number, number> = { 0: 1, 1: 4, 2: 2 };
