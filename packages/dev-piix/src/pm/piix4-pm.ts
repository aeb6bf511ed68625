import {
  type Device,
  type DeviceContext,
  gateService,
  hostInputsOf,
  objectState,
  PciFunction,
  type PowerButtonService,
  QEMU_SUBSYSTEM,
  Tokens,
} from '@plugboard/core';
import { IoWindow } from './io-window.js';
import { PmIo } from './pm-io.js';
import {
  APM_PORT,
  IO_ENABLE,
  PIIX4_PM,
  PMCNTRL,
  PMIO,
  PMIO_SIZE,
  piix4PmConfig,
  SMB_INTRSELECT_IRQ9,
  SMB_SIZE,
} from './registers.js';
import { SmbusHost } from './smbus.js';

export const PIIX4_PM_IDS = {
  vendorId: 0x8086,
  deviceId: 0x7113,
  classCode: 0x068000,
  revision: 0x03,
  ...QEMU_SUBSYSTEM,
};

export interface Piix4PmConfig {
  /** Where the GPE0 block decodes (QEMU's FADT says 0xAFE0). */
  gpe0Base: number;
  /** SMBBA's value at reset (QEMU's pc machine: 0xB100). */
  smbusBase: number;
}

/**
 * PIIX4 function 3, power management: the ACPI PM block at PMBA (enabled
 * by PMREGMISC), the GPE0 block, the APM ports 0xB2/0xB3, and the SMBus
 * host controller at SMBBA (enabled by SMBHSTCFG bit 0). SMM does not
 * exist, so DEVACTB's APMC_EN reads as set from reset (the register
 * table's), as QEMU presents it without SMM: firmware then skips its SMM set-up.
 */
export class Piix4Pm implements Device {
  readonly fn: PciFunction;
  readonly pm: PmIo;
  readonly smbus: SmbusHost;
  private readonly pmWindow: IoWindow;
  private readonly smbusWindow: IoWindow;
  /** DEVRESA-C's device-present bytes QEMU fills in from the ports decoded when the machine is built. */
  private presence: [number, number][] = [];
  private readonly registers: ReturnType<typeof piix4PmConfig>;
  /** The PM and SMBus registers; the I/O windows follow from config space. */
  readonly vmstate = objectState(
    { pm: this },
    {
      // 2: the PM block's registers are one byte array (were pmsts, pmen, pmcntrl and storage).
      version: 2,
      skip: ['fn', 'pmWindow', 'smbusWindow', 'presence'],
      afterLoad: () => {
        this.placePm();
        this.placeSmbus();
      },
    },
  );

  constructor(
    private readonly ctx: DeviceContext,
    config: Piix4PmConfig,
  ) {
    if (!ctx.pciAddress) throw new Error(`${ctx.id}: the PIIX4 PM function needs a PCI address`);
    this.fn = new PciFunction(ctx.id, { ...PIIX4_PM_IDS, interruptPin: 1 });
    this.registers = piix4PmConfig(config.smbusBase);
    this.pm = new PmIo(ctx.clock, ctx.isaIrq(9), ctx.system, (m) => ctx.log(m));
    this.smbus = new SmbusHost(ctx.isaIrq(9));
    this.pmWindow = new IoWindow(ctx.ports, `${ctx.id} PM`, PMIO_SIZE, this.pm.pmPorts, (m) => ctx.log(m));
    this.smbusWindow = new IoWindow(ctx.ports, `${ctx.id} SMBus`, SMB_SIZE, this.smbus.ports, (m) =>
      ctx.log(m),
    );
    ctx.ports.register(`${ctx.id} GPE0`, config.gpe0Base, 4, this.pm.gpePorts);
    ctx.ports.register(`${ctx.id} APM`, APM_PORT, 2, this.pm.apmPorts);
    this.fn.onConfigWrite = (offset, size) => {
      const touches = (lo: number, hi: number) => offset < hi && offset + size > lo;
      if (touches(PIIX4_PM.PMBA, PIIX4_PM.PMBA + 4) || touches(PIIX4_PM.PMREGMISC, PIIX4_PM.PMREGMISC + 1)) {
        this.placePm();
      }
      if (
        touches(PIIX4_PM.SMBBA, PIIX4_PM.SMBBA + 4) ||
        touches(PIIX4_PM.SMBHSTCFG, PIIX4_PM.SMBHSTCFG + 1)
      ) {
        this.placeSmbus();
      }
    };
    this.initConfig();
    ctx.pci.add(ctx.pciAddress, this.fn);
    const button: PowerButtonService = { press: () => this.pm.pressPowerButton() };
    ctx.container
      .bind(Tokens.PowerButton)
      .toConstantValue(gateService(hostInputsOf(ctx.container), `power-button:${ctx.id}`, button, ['press']));
  }

  realize(): void {
    const present = (port: number) => this.ctx.ports.claimAt(port) !== null;
    this.presence = [
      [0x5f, 0x10 | (present(0x378) ? 0x80 : 0)],
      [0x63, 0x60],
      [0x67, (present(0x3f8) ? 0x08 : 0) | (present(0x2f8) ? 0x90 : 0)],
    ];
    for (const [offset, value] of this.presence) this.fn.set8(offset, value);
  }

  reset(): void {
    this.fn.resetConfig();
    this.initConfig();
    this.pm.reset();
    this.smbus.reset();
    this.placePm();
    this.placeSmbus();
  }

  info(): string {
    const hex = (v: number | null) => (v === null ? 'off' : `0x${v.toString(16)}`);
    return `PM at ${hex(this.pmWindow.base)} SCI_EN=${this.pm.regs[PMIO.PMCNTRL] & PMCNTRL.SCI_EN} SMBus at ${hex(this.smbusWindow.base)}`;
  }

  private initConfig(): void {
    const fn = this.fn;
    fn.set16(0x06, 0x0280);
    fn.loadRegisters(this.registers);
    for (const [offset, value] of this.presence) fn.set8(offset, value);
  }

  private placePm(): void {
    const enabled = this.fn.get8(PIIX4_PM.PMREGMISC) & IO_ENABLE;
    this.pmWindow.place(enabled ? this.fn.get32(PIIX4_PM.PMBA) & 0xffc0 : null);
  }

  private placeSmbus(): void {
    const cfg = this.fn.get8(PIIX4_PM.SMBHSTCFG);
    this.smbus.irq9Selected = ((cfg >> 1) & 7) === SMB_INTRSELECT_IRQ9;
    this.smbus.updateIrq();
    this.smbusWindow.place(cfg & IO_ENABLE ? this.fn.get32(PIIX4_PM.SMBBA) & 0xfff0 : null);
  }
}
