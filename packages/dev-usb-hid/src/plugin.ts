import {
  type AbsolutePointerService,
  type Device,
  definePlugin,
  gateService,
  hostInputsOf,
  objectState,
  Tokens,
  UserError,
} from '@plugboard/core';
import { type UsbBusService, UsbTokens } from '@plugboard/usb';
import { UsbTablet } from './tablet.js';

export interface UsbTabletDevice extends Device {
  readonly tablet: UsbTablet;
}

export const usbTabletPlugin = definePlugin<Record<string, never>, UsbTabletDevice>({
  meta: { id: 'usb-tablet', name: "QEMU's USB tablet (absolute pointer, 3 buttons, wheel)" },
  kind: 'usb',
  configSchema: {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    additionalProperties: false,
    properties: {},
    default: {},
  },
  create(ctx) {
    const tablet = new UsbTablet(ctx.clock);
    // Displays (VNC) and the monitor reach the tablet through the record/replay gate, as the PS/2 mouse.
    const pointer: AbsolutePointerService = {
      pointer: (x, y, dz, buttons) => tablet.pointer(x, y, dz, buttons),
    };
    if (ctx.container.isBound(Tokens.AbsolutePointer))
      ctx.log(`${ctx.id}: another absolute pointer already takes the host's pointer`);
    else
      ctx.container
        .bind(Tokens.AbsolutePointer)
        .toConstantValue(gateService(hostInputsOf(ctx.container), `tablet:${ctx.id}`, pointer, ['pointer']));
    return {
      tablet,
      realize() {
        if (!ctx.container.isBound(UsbTokens.Bus))
          throw new UserError(
            `${ctx.id}: a usb-tablet needs a USB host controller: add one (plugboard qemu -usb, or a "piix3-usb-uhci" device at 00:01.2 in the profile)`,
          );
        tablet.plugged(ctx.container.get<UsbBusService>(UsbTokens.Bus).attach(tablet, ctx.id));
      },
      vmstate: objectState({ state: tablet.state }, { version: 1 }),
      reset: () => tablet.reset(),
      info: () => {
        const s = tablet.state;
        return `address ${s.control.address}, configuration ${s.control.configuration}, pointer (${s.x}, ${s.y}) buttons ${s.buttons}${s.changed ? ', report pending' : ''}`;
      },
    };
  },
});
