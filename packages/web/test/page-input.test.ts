import { POINTER_ABS_MAX } from '@plugboard/core';
import { describe, expect, it } from 'vitest';
import { bindInput } from '../src/page-input.js';

/** A canvas as bindInput sees it: events, focus order, and its drawn size (640x400 CSS pixels). */
function fakeCanvas() {
  const target = new EventTarget() as EventTarget & {
    tabIndex: number;
    clientWidth: number;
    clientHeight: number;
  };
  target.tabIndex = -1;
  target.clientWidth = 640;
  target.clientHeight = 400;
  return target;
}

function mouse(type: string, fields: Record<string, number>): Event {
  return Object.assign(new Event(type, { cancelable: true }), fields);
}

describe('the page with a tablet', () => {
  it("sends the pointer's place over the canvas as an absolute position with the buttons held, no capture", () => {
    const canvas = fakeCanvas();
    const sent: number[][] = [];
    const relative: number[][] = [];
    bindInput(canvas as unknown as HTMLCanvasElement, {
      key: () => true,
      mouse: (...args) => relative.push(args),
      pointer: (...args) => sent.push(args),
    });
    canvas.dispatchEvent(mouse('mousemove', { offsetX: 320, offsetY: 100 }));
    canvas.dispatchEvent(mouse('mousedown', { offsetX: 640, offsetY: 400, button: 2 }));
    canvas.dispatchEvent(mouse('wheel', { offsetX: 0, offsetY: 0, deltaY: 120 }));
    canvas.dispatchEvent(mouse('mouseup', { offsetX: 640, offsetY: 400, button: 2 }));
    canvas.dispatchEvent(mouse('mousemove', { offsetX: -5, offsetY: 0 }));
    const half = Math.floor(POINTER_ABS_MAX / 2);
    expect(sent).toEqual([
      [half, Math.floor(POINTER_ABS_MAX / 4), 0, 0],
      [POINTER_ABS_MAX, POINTER_ABS_MAX, 0, 2],
      [POINTER_ABS_MAX, POINTER_ABS_MAX, 1, 2],
      [POINTER_ABS_MAX, POINTER_ABS_MAX, 0, 0],
      [0, 0, 0, 0],
    ]);
    expect(relative).toEqual([]);
  });
});
