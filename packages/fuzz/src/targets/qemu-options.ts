import { createRegistry, translateQemu } from '@plugboard/cli';
import { type PluginRegistry, UserError } from '@plugboard/core';
import type { FuzzTarget } from '../target.js';

const argv = (...args: string[]) => Uint8Array.from(Buffer.from(args.join('\0'), 'latin1'));

/** The built-in plugins, whose manifests name the devices, NICs and CPU models the parser accepts. */
let registry: PluginRegistry | null = null;

/** An input is a command line, arguments separated by NUL; a refused one must be a UserError. */
export const target: FuzzTarget = {
  name: 'qemu-options',
  seeds() {
    return [
      argv('-m', '512', '-hda', 'x.vmdk', '-cdrom', 'x.iso', '-boot', 'd', '-nographic'),
      argv(
        '-netdev',
        'user,id=n0,hostfwd=tcp::2222-:22,tftp=/srv,bootfile=pxelinux.0',
        '-device',
        'rtl8139,netdev=n0,mac=52:54:00:12:34:56',
      ),
      argv(
        '-vnc',
        ':1,websocket=on,password=on',
        '-monitor',
        'tcp:127.0.0.1:4444,server,nowait',
        '-icount',
        'shift=10',
      ),
      argv(
        '-M',
        'pc',
        '-cpu',
        'pentium3',
        '-smp',
        '1',
        '-drive',
        'file=d.img,if=ide,index=2,media=cdrom',
        '-serial',
        'stdio',
      ),
      argv(
        '-kernel',
        'vmlinuz',
        '-initrd',
        'initrd.gz',
        '-append',
        'console=ttyS0',
        '-bios',
        'builtin',
        '-no-reboot',
      ),
    ];
  },
  async run(input) {
    registry ??= await createRegistry();
    const args = Buffer.from(input).toString('latin1').split('\0').slice(0, 64);
    try {
      translateQemu(args, registry);
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
    }
  },
};
