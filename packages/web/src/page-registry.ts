import * as bootLinux from '@plugboard/boot-linux';
import { type DevicePlugin, type PluginPackage, PluginRegistry } from '@plugboard/core';
import * as cpuX86 from '@plugboard/cpu-x86';
import * as devCirrus from '@plugboard/dev-cirrus';
import * as devI8255x from '@plugboard/dev-i8255x';
import * as devIsa from '@plugboard/dev-isa';
import * as devPiix from '@plugboard/dev-piix';
import * as devRtl8139 from '@plugboard/dev-rtl8139';
import * as devStdVga from '@plugboard/dev-stdvga';
import * as devUhci from '@plugboard/dev-uhci';
import * as devUsbHid from '@plugboard/dev-usb-hid';
import * as firmware from '@plugboard/firmware';
import * as fwCfg from '@plugboard/fw-cfg';
import * as net from '@plugboard/net';
import { urlDrivePlugin } from './url-disk.js';
import type { UrlFiles } from './url-files.js';
import { webSocketNetPlugin } from './websocket-net.js';

/** The plugin packages a page carries: the seed machine's devices, std-VGA and the USB tablet, the page's own netdev and drive. */
export function createPageRegistry(files: UrlFiles): PluginRegistry {
  const registry = new PluginRegistry();
  const packages = {
    '@plugboard/cpu-x86': cpuX86,
    '@plugboard/dev-piix': devPiix,
    '@plugboard/dev-isa': devIsa,
    '@plugboard/fw-cfg': fwCfg,
    '@plugboard/firmware': firmware,
    '@plugboard/boot-linux': bootLinux,
    '@plugboard/dev-cirrus': devCirrus,
    '@plugboard/dev-rtl8139': devRtl8139,
    '@plugboard/dev-i8255x': devI8255x,
    '@plugboard/dev-stdvga': devStdVga,
    '@plugboard/dev-uhci': devUhci,
    '@plugboard/dev-usb-hid': devUsbHid,
    '@plugboard/net': net,
  };
  for (const [name, mod] of Object.entries(packages)) registry.addPackage(mod as PluginPackage, name);
  registry.add(webSocketNetPlugin as unknown as DevicePlugin, '@plugboard/web');
  registry.add(urlDrivePlugin(files) as unknown as DevicePlugin, '@plugboard/web');
  return registry;
}
