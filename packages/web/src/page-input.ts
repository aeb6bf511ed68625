import { type AbsolutePointerService, POINTER_ABS_MAX, type Ps2InputService } from '@plugboard/core';

/**
 * Where the page's keys and mouse go, through the machine's worker: the
 * i8042, and a tablet's absolute pointer when the machine has one (else null).
 */
export type PageInput = Pick<Ps2InputService, 'key' | 'mouse'> & {
  pointer: AbsolutePointerService['pointer'] | null;
};

/**
 * Keyboard and mouse of the page: keys by `KeyboardEvent.code` while the
 * canvas has focus; with a tablet, the pointer's place over the canvas as
 * an absolute position (no capture, no drift, as QEMU's usb-tablet gives a
 * VNC client); without one, relative mouse movement under pointer lock (a
 * click on the canvas takes the pointer; Escape gives it back).
 */
export function bindInput(canvas: HTMLCanvasElement, input: PageInput): () => void {
  canvas.tabIndex = 0;
  let buttons = 0;
  const key = (down: boolean) => (e: KeyboardEvent) => {
    if (input.key(e.code, down)) e.preventDefault();
  };
  const keydown = key(true);
  const keyup = key(false);
  const absolute = input.pointer;
  const locked = () => document.pointerLockElement === canvas;
  // A canvas scaled by CSS: its drawn size spans the whole axis, as a VNC screen's does.
  const axis = (v: number, size: number) =>
    Math.max(0, Math.min(POINTER_ABS_MAX, Math.floor((v * POINTER_ABS_MAX) / Math.max(1, size))));
  let x = 0;
  let y = 0;
  const point = (dz: number) => absolute?.(x, y, dz, buttons);
  const place = (e: MouseEvent) => {
    x = axis(e.offsetX, canvas.clientWidth);
    y = axis(e.offsetY, canvas.clientHeight);
  };
  const mousedown = (e: MouseEvent) => {
    if (absolute) {
      place(e);
      buttons |= BUTTON_BITS[e.button] ?? 0;
      point(0);
      return;
    }
    if (!locked()) {
      canvas.requestPointerLock();
      return;
    }
    buttons |= BUTTON_BITS[e.button] ?? 0;
    input.mouse(0, 0, 0, buttons);
  };
  const mouseup = (e: MouseEvent) => {
    buttons &= ~(BUTTON_BITS[e.button] ?? 0);
    if (absolute) point(0);
    else if (locked()) input.mouse(0, 0, 0, buttons);
  };
  const mousemove = (e: MouseEvent) => {
    if (absolute) {
      place(e);
      point(0);
    } else if (locked()) input.mouse(e.movementX, e.movementY, 0, buttons);
  };
  const wheel = (e: WheelEvent) => {
    if (!absolute && !locked()) return;
    e.preventDefault();
    if (absolute) point(Math.sign(e.deltaY));
    else input.mouse(0, 0, Math.sign(e.deltaY), buttons);
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
