import {
  type BlockBackend,
  ConfigError,
  type Device,
  type DeviceContext,
  objectState,
  PCI_BASE_ADDRESS_0,
  PCI_COMMAND,
  PCI_COMMAND_IO,
  PCI_COMMAND_MASTER,
  PCI_STATUS,
  PciFunction,
  type PortHandler,
  QEMU_SUBSYSTEM,
  type RemovableMediaService,
  Tokens,
  TraceHook,
} from '@plugboard/core';
import { AtaDisk } from './ata-disk.js';
import { AtapiCdrom } from './atapi-cdrom.js';
import { IdeChannel, type IdeRegisterEvent } from './channel.js';
import type { IdeDevice } from './ide-device.js';
import {
  BMIBA_BAR,
  BMIDTP,
  COMMAND_BLOCK_WRITE,
  CONTROL_BLOCK_WRITE,
  IDETIM_IDE,
  PCI_IDETIM_PRIMARY,
  PCI_IDETIM_SECONDARY,
  PCI_SIDETIM,
} from './registers.js';

export interface IdeDriveConfig {
  /** A drive id from the profile's drives; a CD-ROM may leave its tray empty. */
  drive?: string;
  media?: 'disk' | 'cdrom';
  model?: string;
  serial?: string;
}

export interface IdeChannelConfig {
  master?: IdeDriveConfig;
  slave?: IdeDriveConfig;
}

export interface Piix3IdeConfig {
  primary?: IdeChannelConfig;
  secondary?: IdeChannelConfig;
}

export const PIIX3_IDE_IDS = {
  vendorId: 0x8086,
  deviceId: 0x7010,
  classCode: 0x010180,
  revision: 0x00,
  ...QEMU_SUBSYSTEM,
};

/** PCI Status after reset: medium DEVSEL timing, fast back-to-back capable. */
const STATUS_RESET = 0x0280;
const FIRMWARE = '0.1.0';
const CHANNEL_NAMES = ['primary', 'secondary'] as const;
const UNIT_NAMES = ['master', 'slave'] as const;
const LEGACY = [
  { command: 0x1f0, control: 0x3f6, irq: 14 },
  { command: 0x170, control: 0x376, irq: 15 },
] as const;

/** A position on the two cables: `primary.master` ... `secondary.slave`. */
export type IdeSlot = `${(typeof CHANNEL_NAMES)[number]}.${(typeof UNIT_NAMES)[number]}`;

/**
 * The PIIX3 IDE function (82371SB function 1): two channels in
 * compatibility mode on the legacy ports and IRQ14/15, and the bus master
 * IDE registers at BMIBA (BAR4).
 */
export class Piix3Ide implements Device {
  readonly pci: PciFunction;
  readonly channels: [IdeChannel, IdeChannel];
  /** Every named register access, for `trace`; free while nothing taps it. */
  readonly trace: TraceHook<IdeRegisterEvent>;
  /** Both channels, their drives' registers and buffers and the bus masters; the images are the drives' own. */
  readonly vmstate = objectState(
    { ide: this },
    {
      // 2: each bus master's registers are one byte array (were command, status and table).
      // 3: each drive's task file is two byte arrays, `regs` and `hob` (were a field per register).
      // 4: each channel's `stepping`: a bus master transfer goes on in steps across virtual time.
      version: 4,
      skip: ['pci', 'config', 'backend', 'media', 'options', 'views'],
      afterLoad: () => this.updateDecode(),
    },
  );

  constructor(
    private readonly ctx: DeviceContext,
    private readonly config: Piix3IdeConfig,
  ) {
    if (!ctx.pciAddress) throw new ConfigError(`/devices/${ctx.id}: piix3-ide needs a "pci" address`);
    this.trace = new TraceHook<IdeRegisterEvent>(`${ctx.id} registers`);
    const fn = new PciFunction(ctx.id, PIIX3_IDE_IDS);
    fn.setBar(BMIBA_BAR, { kind: 'io', size: 16, handler: this.busMasterPorts });
    // BMIBA bits 31:4 are writable, as on QEMU: SeaBIOS sizes I/O BARs from all 32 bits and would see
    // a 4 GiB request if the upper half read back as zero.
    fn.set32(PCI_BASE_ADDRESS_0 + BMIBA_BAR * 4, 1, 0xfffffff0);
    fn.set16(PCI_IDETIM_PRIMARY, 0, 0xffff);
    fn.set16(PCI_IDETIM_SECONDARY, 0, 0xffff);
    fn.set8(PCI_SIDETIM, 0, 0xff);
    fn.set16(PCI_STATUS, STATUS_RESET);
    fn.onConfigWrite = (offset, size) => {
      const end = offset + size;
      const command = offset < PCI_COMMAND + 2 && end > PCI_COMMAND;
      if (command || (offset < PCI_IDETIM_SECONDARY + 2 && end > PCI_IDETIM_PRIMARY)) this.updateDecode();
      // A transfer that waited for bus mastering to be enabled starts now.
      if (command) for (const ch of this.channels) ch.requestDma();
    };
    this.pci = fn;
    const masterEnabled = () => (fn.command & PCI_COMMAND_MASTER) !== 0;
    this.channels = [0, 1].map(
      (i) =>
        new IdeChannel(
          i as 0 | 1,
          ctx.isaIrq(LEGACY[i].irq),
          ctx.dma,
          ctx.clock,
          `${ctx.id} ${CHANNEL_NAMES[i]}`,
          this.trace,
          masterEnabled,
        ),
    ) as [IdeChannel, IdeChannel];
    ctx.pci.add(ctx.pciAddress, fn);
    for (const [i, ch] of this.channels.entries()) {
      ctx.ports.register(
        `${ctx.id} ${CHANNEL_NAMES[i]}`,
        LEGACY[i].command,
        COMMAND_BLOCK_WRITE.size,
        ch.commandPorts,
      );
      ctx.ports.register(
        `${ctx.id} ${CHANNEL_NAMES[i]} control`,
        LEGACY[i].control,
        CONTROL_BLOCK_WRITE.size,
        ch.controlPorts,
      );
    }
    for (const name of CHANNEL_NAMES) {
      for (const unit of UNIT_NAMES) {
        const drive = config[name]?.[unit];
        if (drive && (drive.media ?? 'disk') === 'disk' && !drive.drive) {
          throw new ConfigError(`/devices/${ctx.id}/config/${name}/${unit}: a disk needs "drive"`);
        }
      }
    }
  }

  /** Connects the configured drives to their backends, which exist once every plugin is built. */
  realize(): void {
    for (const [i, name] of CHANNEL_NAMES.entries()) {
      for (const [u, unit] of UNIT_NAMES.entries()) {
        const drive = this.config[name]?.[unit];
        if (!drive) continue;
        const channel = this.channels[i];
        const where = `${name} ${unit}`;
        const backend = drive.drive ? this.backend(drive.drive, where) : null;
        const index = i * 2 + u + 1;
        const log = (message: string) => this.ctx.log(`${where}: ${message}`);
        let device: IdeDevice;
        if ((drive.media ?? 'disk') === 'cdrom') {
          // A drive with no medium is an empty tray that the monitor's change fills through the drive.
          device = new AtapiCdrom(channel, u as 0 | 1, backend?.empty ? null : backend, {
            model: drive.model ?? 'PLUGBOARD DVD-ROM',
            serial: drive.serial ?? `PB0000${index}`,
            firmware: FIRMWARE,
            log,
          });
          this.bindRemovableMedia(device as AtapiCdrom, backend, [
            ...(drive.drive ? [drive.drive] : []),
            `ide${i}-cd${u}`,
          ]);
        } else {
          if (backend?.empty)
            throw new ConfigError(
              `/devices/${this.ctx.id}/config/${name}/${unit}: drive "${drive.drive}" has no medium; only a CD-ROM may be empty`,
            );
          if (backend?.sectorSize !== 512) {
            throw new ConfigError(
              `/devices/${this.ctx.id}/config/${name}/${unit}: drive "${drive.drive}" has ${backend?.sectorSize}-byte sectors; an ATA disk needs 512`,
            );
          }
          device = new AtaDisk(channel, u as 0 | 1, backend, {
            model: drive.model ?? 'PLUGBOARD HARDDISK',
            serial: drive.serial ?? `PB0000${index}`,
            firmware: FIRMWARE,
            log,
          });
        }
        channel.attach(u as 0 | 1, device);
      }
    }
  }

  /**
   * The monitor's `change` and `eject` for one CD-ROM: a new image is opened
   * the way the profile's drive was (`BlockBackend.reopen`); a medium the
   * monitor inserted is closed when it is replaced (the profile's drive
   * closes with the machine).
   */
  private bindRemovableMedia(cd: AtapiCdrom, drive: BlockBackend | null, names: string[]): void {
    let inserted: BlockBackend | null = null;
    const swap = (next: BlockBackend | null) => {
      try {
        cd.changeMedia(next);
      } catch (err) {
        next?.close();
        throw err;
      }
      inserted?.close();
      inserted = next;
    };
    const service: RemovableMediaService = {
      names,
      get locked() {
        return cd.locked;
      },
      change: (path, format) => {
        if (!drive?.reopen) throw new Error(`${names.join(', ')}: the drive cannot open other images`);
        swap(drive.reopen(path, format));
      },
      eject: () => swap(null),
    };
    this.ctx.container.bind(Tokens.RemovableMedia).toConstantValue(service);
  }

  private backend(id: string, where: string): BlockBackend {
    const container = this.ctx.container;
    if (!container.isBound(Tokens.BlockBackend, { name: id })) {
      throw new ConfigError(
        `/devices/${this.ctx.id}/config: ${where} names drive "${id}", which the profile does not define`,
      );
    }
    return container.get<BlockBackend>(Tokens.BlockBackend, { name: id });
  }

  reset(): void {
    const fn = this.pci;
    fn.resetConfig();
    fn.set16(PCI_STATUS, STATUS_RESET);
    fn.set16(PCI_IDETIM_PRIMARY, 0);
    fn.set16(PCI_IDETIM_SECONDARY, 0);
    fn.set8(PCI_SIDETIM, 0);
    for (const ch of this.channels) ch.reset();
    this.updateDecode();
  }

  /** The legacy ports decode while I/O space is on and the channel's IDETIM.IDE is set. */
  private updateDecode(): void {
    const fn = this.pci;
    const io = (fn.command & PCI_COMMAND_IO) !== 0;
    this.channels[0].decode = io && (fn.get16(PCI_IDETIM_PRIMARY) & IDETIM_IDE) !== 0;
    this.channels[1].decode = io && (fn.get16(PCI_IDETIM_SECONDARY) & IDETIM_IDE) !== 0;
  }

  /** The device at `slot`, e.g. `secondary.master`. */
  slot(slot: IdeSlot): IdeDevice {
    const [channel, unit] = slot.split('.');
    return this.channels[channel === 'secondary' ? 1 : 0].devices[unit === 'slave' ? 1 : 0];
  }

  /** The monitor's `change` and `eject`: swaps the medium of the CD-ROM at `slot`. */
  changeMedia(slot: IdeSlot, backend: BlockBackend | null): void {
    const device = this.slot(slot);
    if (!(device instanceof AtapiCdrom)) throw new Error(`${this.ctx.id}: ${slot} is not a CD-ROM drive`);
    device.changeMedia(backend);
  }

  info(): string {
    return this.channels.map((ch, i) => `${CHANNEL_NAMES[i]}: ${ch.describe()}`).join('\n');
  }

  /** BMIBA: eight bytes per channel. */
  private readonly busMasterPorts: PortHandler = {
    read8: (offset) => this.channels[(offset >>> 3) & 1].readBusMaster(offset & 7),
    write8: (offset, value) => this.channels[(offset >>> 3) & 1].writeBusMaster(offset & 7, value),
    read32: (offset) => {
      const ch = this.channels[(offset >>> 3) & 1];
      if ((offset & 7) === BMIDTP) return ch.readBusMasterTable();
      let value = 0;
      for (let i = 3; i >= 0; i--) value = (value << 8) | ch.readBusMaster((offset + i) & 7);
      return value >>> 0;
    },
    write32: (offset, value) => {
      const ch = this.channels[(offset >>> 3) & 1];
      if ((offset & 7) === BMIDTP) {
        ch.writeBusMasterTable(value);
        return;
      }
      for (let i = 0; i < 4; i++) ch.writeBusMaster((offset + i) & 7, (value >>> (8 * i)) & 0xff);
    },
  };
}
