import { type DeviceContext, definePlugin } from '@plugboard/core';
import { I8042 } from './i8042.js';
import { Ps2Keyboard } from './ps2-keyboard.js';
import { Ps2Mouse } from './ps2-mouse.js';
import { KEY_CODES } from './scancodes.js';

/** The container token of the input API (`Ps2Input`) the display/VNC side uses. */
export const PS2_INPUT_TOKEN = Symbol.for('plugboard.ps2input');
/** The chipset's A20 gate (dev-piix binds it): `setSource(name, enabled)`. */
const A20_TOKEN = Symbol.for('plugboard.A20');

/** Keyboard and mouse input from the host. */
export interface Ps2Input {
  /** A key by PC set 1 make code (0xe0xx for extended keys). */
  keyCode(code: number, down: boolean): void;
  /** A key by `KeyboardEvent.code` name (`KeyA`, `Enter`, `ArrowUp`, `Pause`, ...); false when unknown. */
  key(name: string, down: boolean): boolean;
  /** Relative movement (dx right, dy down, dz wheel down) and the buttons held (bit 0 left, 1 right, 2 middle). */
  mouse(dx: number, dy: number, dz: number, buttons: number): void;
}

export interface I8042Config {
  intelliMouse: boolean;
}

export interface I8042Device extends Ps2Input {
  readonly controller: I8042;
  realize(): void;
  reset(): void;
  info(): string;
}

export const i8042Plugin = definePlugin<I8042Config, I8042Device>({
  meta: { id: 'i8042', name: 'Intel 8042 keyboard controller with PS/2 keyboard and mouse' },
  kind: 'isa',
  configSchema: {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    additionalProperties: false,
    properties: {
      intelliMouse: {
        type: 'boolean',
        default: true,
        description: 'Let the mouse become an IntelliMouse (wheel).',
      },
    },
  },
  create(ctx: DeviceContext, config) {
    let a20Gate: { setSource(name: string, enabled: boolean): void } | null = null;
    const board = {
      setA20: (enabled: boolean) =>
        a20Gate ? a20Gate.setSource(ctx.id, enabled) : ctx.memory.setA20(enabled),
      reset: (reason: string) => ctx.system.requestReset(reason),
    };
    const keyboard = new Ps2Keyboard();
    const mouse = new Ps2Mouse(config.intelliMouse);
    const kbc = new I8042(keyboard, mouse, ctx.isaIrq(1), ctx.isaIrq(12), board);
    ctx.ports.register(`${ctx.id} i8042 data`, 0x60, 1, kbc.dataPort);
    ctx.ports.register(`${ctx.id} i8042 command`, 0x64, 1, kbc.commandPort);
    const device: I8042Device = {
      controller: kbc,
      keyCode(code, down) {
        keyboard.key(code, down);
        kbc.update();
      },
      key(name, down) {
        if (name === 'Pause') {
          if (down) keyboard.pause();
          kbc.update();
          return true;
        }
        const code = KEY_CODES[name];
        if (code === undefined) return false;
        device.keyCode(code, down);
        return true;
      },
      mouse(dx, dy, dz, buttons) {
        mouse.event(dx, dy, dz, buttons);
        kbc.update();
      },
      realize() {
        if (ctx.container.isBound(A20_TOKEN)) a20Gate = ctx.container.get(A20_TOKEN);
      },
      reset: () => kbc.reset(),
      info: () => kbc.describe(),
    };
    ctx.container.bind(PS2_INPUT_TOKEN).toConstantValue(device);
    return device;
  },
});
