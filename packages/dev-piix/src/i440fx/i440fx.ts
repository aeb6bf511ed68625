import {
  ConfigMechanism1,
  type Device,
  type DeviceContext,
  objectState,
  PciFunction,
  QEMU_SUBSYSTEM,
} from '@plugboard/core';
import { PiixTokens } from '../tokens.js';
import {
  I440FX,
  i440fxConfig,
  PAM_COUNT,
  PAM_RE,
  PAM_SEGMENTS,
  PAM_WE,
  SMRAM,
  SMRAM_BASE,
  SMRAM_SIZE,
} from './registers.js';
import { ShadowWindow } from './shadow.js';

export const I440FX_IDS = {
  vendorId: 0x8086,
  deviceId: 0x1237,
  classCode: 0x060000,
  revision: 0x02,
  ...QEMU_SUBSYSTEM,
};

/**
 * The 82441FX PCI and Memory Controller: host bridge 00:00.0, configuration
 * mechanism #1 at 0xCF8/0xCFC, and the PAM and SMRAM registers that decide
 * whether 0xA0000-0xFFFFF reads and writes reach DRAM or the PCI side.
 * SMM is not modelled: SMRAM only matters through D_OPEN, which puts DRAM
 * in the 0xA0000-0xBFFFF window for every access. A device that remaps its
 * part of the window while DRAM covers it is overridden when DRAM goes away.
 */
export class I440fx implements Device {
  readonly fn: PciFunction;
  readonly configMechanism: ConfigMechanism1;
  private readonly shadow: ShadowWindow;
  /** The device-specific registers, DRAMC holding this machine's RAM size. */
  private readonly registers: ReturnType<typeof i440fxConfig>;
  /** The PAM and SMRAM registers live in config space (core saves it); the CF8 latch here. The DRAM routes follow. */
  readonly vmstate = objectState(
    { bridge: this },
    { version: 1, skip: ['shadow', 'fn'], afterLoad: () => this.updateMappings() },
  );

  constructor(ctx: DeviceContext) {
    if (!ctx.pciAddress) throw new Error(`${ctx.id}: the host bridge needs a PCI address`);
    if (ctx.container.isBound(PiixTokens.ConfigMechanism1)) {
      throw new Error(`${ctx.id}: the machine already has a host bridge on 0xCF8`);
    }
    this.fn = new PciFunction(ctx.id, I440FX_IDS);
    this.configMechanism = new ConfigMechanism1(ctx.pci);
    ctx.ports.register(`${ctx.id} CONFIG_ADDRESS`, 0xcf8, 4, this.configMechanism.addressPorts);
    ctx.ports.register(`${ctx.id} CONFIG_DATA`, 0xcfc, 4, this.configMechanism.dataPorts);
    ctx.container.bind(PiixTokens.ConfigMechanism1).toConstantValue(this.configMechanism);
    this.shadow = new ShadowWindow(ctx.memory);
    this.registers = i440fxConfig(ctx.memory.ramSize);
    this.fn.onConfigWrite = (offset, size) => {
      const touches = (lo: number, hi: number) => offset < hi && offset + size > lo;
      if (touches(I440FX.SMRAM, I440FX.SMRAM + 1)) this.lockSmram();
      if (touches(I440FX.PAM0, I440FX.PAM0 + PAM_COUNT) || touches(I440FX.SMRAM, I440FX.SMRAM + 1))
        this.updateMappings();
    };
    this.fn.loadRegisters(this.registers);
    ctx.pci.add(ctx.pciAddress, this.fn);
  }

  /** Every device has mapped its ROMs and legacy windows by now: what is left as plain RAM is nobody's. */
  realize(): void {
    this.shadow.detachRam();
  }

  reset(): void {
    this.configMechanism.reset();
    this.fn.resetConfig();
    this.fn.loadRegisters(this.registers);
    this.updateMappings();
  }

  info(): string {
    const pam = Array.from({ length: PAM_COUNT }, (_, i) =>
      this.fn
        .get8(I440FX.PAM0 + i)
        .toString(16)
        .padStart(2, '0'),
    );
    return `PAM0-6=${pam.join(' ')} SMRAM=${this.fn.get8(I440FX.SMRAM).toString(16).padStart(2, '0')}`;
  }

  /** D_LCK closes SMRAM and freezes the register, except D_CLS, until reset. */
  private lockSmram(): void {
    const value = this.fn.get8(I440FX.SMRAM);
    if (!(value & SMRAM.D_LCK)) return;
    this.fn.set8(I440FX.SMRAM, value & ~SMRAM.D_OPEN, SMRAM.D_CLS);
  }

  private updateMappings(): void {
    for (const seg of PAM_SEGMENTS) {
      const attr = (this.fn.get8(seg.register) >> seg.shift) & 3;
      this.shadow.setDram(seg.base, seg.size, 'read', (attr & PAM_RE) !== 0);
      this.shadow.setDram(seg.base, seg.size, 'write', (attr & PAM_WE) !== 0);
    }
    const open = (this.fn.get8(I440FX.SMRAM) & SMRAM.D_OPEN) !== 0;
    this.shadow.setDram(SMRAM_BASE, SMRAM_SIZE, 'read', open);
    this.shadow.setDram(SMRAM_BASE, SMRAM_SIZE, 'write', open);
  }
}
