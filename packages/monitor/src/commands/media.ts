import { type Machine, type RemovableMediaService, Tokens } from '@plugboard/core';
import { type MonitorCommand, MonitorError } from '../command.js';

/** The drive with removable media the monitor calls `name` (the profile's drive id or QEMU's `ide1-cd0`). */
function mediaDrive(machine: Machine, command: string, name: string | undefined): RemovableMediaService {
  const c = machine.container;
  const all = c.isBound(Tokens.RemovableMedia) ? c.getAll<RemovableMediaService>(Tokens.RemovableMedia) : [];
  if (!name)
    throw new MonitorError(
      `${command}: expected a device (${all.map((d) => d.names.join(' or ')).join(', ') || 'none has removable media'})`,
    );
  const drive = all.find((d) => d.names.includes(name));
  if (!drive)
    throw new MonitorError(
      `Device '${name}' not found (removable media: ${all.map((d) => d.names.join(' or ')).join(', ') || 'none'})`,
    );
  return drive;
}

export const MEDIA_COMMANDS: readonly MonitorCommand[] = [
  {
    name: 'change',
    args: 'DEVICE FILE [FORMAT]',
    help: 'insert the image FILE into the removable-media drive DEVICE (the guest sees a media change)',
    run(machine, [name, file, format]) {
      const drive = mediaDrive(machine, 'change', name);
      if (!file) throw new MonitorError('change: expected DEVICE FILE [FORMAT]');
      drive.change(file, format);
      return '';
    },
  },
  {
    name: 'eject',
    args: '[-f] DEVICE',
    help: 'take the medium out of DEVICE (-f: even if the guest locked the tray)',
    run(machine, args) {
      const force = args[0] === '-f';
      const name = force ? args[1] : args[0];
      const drive = mediaDrive(machine, 'eject', name);
      if (drive.locked && !force)
        throw new MonitorError(
          `Device '${name}' is locked and force was not specified, wait for tray to open and try again`,
        );
      drive.eject();
      return '';
    },
  },
];
