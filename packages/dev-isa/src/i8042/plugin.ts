import {
  type A20GateService,
  type DeviceContext,
  type DeviceState,
  definePlugin,
  gateService,
  hostInputsOf,
  objectState,
  type Ps2InputService,
  Tokens,
} from '@plugboard/core';
import { I8042 } from './i8042.js';
import { Ps2Keyboard } from './ps2-keyboard.js';
import { Ps2Mouse } from './ps2-mouse.js';
import { KEY_CODES } from './scancodes.js';

export interface I8042Config {
  intelliMouse: boolean;
}

export interface I8042Device extends Ps2InputService {
  readonly controller: I8042;
  realize(): void;
  reset(): void;
  info(): string;
  readonly vmstate: DeviceState;
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
    let a20Gate: A20GateService | null = null;
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
        if (ctx.container.isBound(Tokens.A20)) a20Gate = ctx.container.get<A20GateService>(Tokens.A20);
      },
      reset: () => kbc.reset(),
      info: () => kbc.describe(),
      vmstate: objectState({ kbc }, { version: 1, skip: ['board'] }),
    };
    // Displays and the monitor reach the keyboard and mouse through the record/replay gate.
    ctx.container
      .bind(Tokens.Ps2Input)
      .toConstantValue(
        gateService(hostInputsOf(ctx.container), `ps2:${ctx.id}`, device as Ps2InputService, [
          'keyCode',
          'key',
          'mouse',
        ]),
      );
    return device;
  },
});
