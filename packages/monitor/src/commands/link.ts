import { type NetworkLinkService, Tokens } from '@plugboard/core';
import { type MonitorCommand, MonitorError } from '../command.js';

/** QEMU's `set_link NAME on|off`: NAME is a NIC's id or its netdev's. */
export const SET_LINK: MonitorCommand = {
  name: 'set_link',
  args: 'NAME on|off',
  help: "change the link of a NIC (or of the NIC on netdev NAME): off, the guest's driver sees no carrier and frames are dropped",
  run(machine, [name, state]) {
    if (!name || (state !== 'on' && state !== 'off'))
      throw new MonitorError('set_link: expected NAME on|off');
    const c = machine.container;
    const links = c.isBound(Tokens.NetworkLink) ? c.getAll<NetworkLinkService>(Tokens.NetworkLink) : [];
    const matches = links.filter((l) => l.names.includes(name));
    if (matches.length === 0)
      throw new MonitorError(
        `Device '${name}' not found (NICs on a netdev: ${links.map((l) => l.names.join(' on ')).join(', ') || 'none'})`,
      );
    for (const l of matches) l.port.setLink(state === 'on');
    return '';
  },
};
