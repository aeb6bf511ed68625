/**
 * The PS/2 input service the i8042 plugin binds under `PS2_INPUT_TOKEN`,
 * declared here as the VNC server uses it (display never imports device packages).
 */
export interface Ps2Input {
  /** A key by PC set 1 make code (0xe0xx for extended keys). */
  keyCode(code: number, down: boolean): void;
  /** A key by `KeyboardEvent.code` name; false when unknown. */
  key(name: string, down: boolean): boolean;
  /** Relative movement (dx right, dy down, dz wheel down) and buttons (bit 0 left, 1 right, 2 middle). */
  mouse(dx: number, dy: number, dz: number, buttons: number): void;
}

export const PS2_INPUT_TOKEN = Symbol.for('plugboard.ps2input');
