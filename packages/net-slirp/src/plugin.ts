import { type Device, definePlugin, type HostListeners, Tokens } from '@plugboard/core';
import { type SlirpConfig, slirpConfigSchema } from './config.js';
import { Slirp } from './slirp.js';

export const slirpPlugin = definePlugin<SlirpConfig, Slirp & Device>({
  meta: { id: 'slirp', name: 'User-mode networking (QEMU -netdev user)' },
  kind: 'netdev',
  configSchema: slirpConfigSchema as unknown as Record<string, unknown>,
  async create(ctx, config) {
    const slirp = new Slirp(ctx.id, {
      config,
      clock: ctx.clock,
      tftpRoot: config.tftp ? ctx.resolvePath(config.tftp) : null,
      log: (m) => ctx.log(m),
      emulatorPorts:
        config.allowEmulatorPorts || !ctx.container.isBound(Tokens.HostListeners)
          ? null
          : ctx.container.get<HostListeners>(Tokens.HostListeners),
    }) as Slirp & Device;
    await slirp.open();
    slirp.destroy = () => slirp.close();
    return slirp;
  },
});
