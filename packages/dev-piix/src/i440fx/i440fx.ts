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
  C_BASE_SEG_A0000,
  I440FX,
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

/** Device-specific registers that are plain storage here: (offset, writable bits). */
const STORAGE: readonly [number, number][] = [
  [I440FX.PMCCFG, 0xff],
  [I440FX.PMCCFG + 1, 0xff],
  [I440FX.DETURBO, 0xff],
  [I440FX.DBC, 0xff],
  [I440FX.AXC, 0xff],
  [I440FX.DRAMR, 0xff],
  [I440FX.DRAMR + 1, 0xff],
  [I440FX.DRAMT, 0xff],
  ...Array.from({ length: 8 }, (_, i) => [I440FX.DRB0 + i, 0xff] as [number, number]),
  [I440FX.FDHC, 0xff],
  [I440FX.MTT, 0xff],
  [I440FX.CLT, 0xff],
  [I440FX.ERRCMD, 0xff],
  [I440FX.ERRSTS, 0xff],
];

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
  /** The PAM and SMRAM registers live in config space (core saves it); the CF8 latch here. The DRAM routes follow. */
  readonly vmstate = objectState(
    { bridge: this },
    { version: 1, skip: ['shadow', 'fn'], afterLoad: () => this.updateMappings() },
  );

  constructor(private readonly ctx: DeviceContext) {
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
    this.fn.onConfigWrite = (offset, size) => {
      const touches = (lo: number, hi: number) => offset < hi && offset + size > lo;
      if (touches(I440FX.SMRAM, I440FX.SMRAM + 1)) this.lockSmram();
      if (touches(I440FX.PAM0, I440FX.PAM0 + 7) || touches(I440FX.SMRAM, I440FX.SMRAM + 1))
        this.updateMappings();
    };
    this.initConfig();
    ctx.pci.add(ctx.pciAddress, this.fn);
  }

  /** Every device has mapped its ROMs and legacy windows by now: what is left as plain RAM is nobody's. */
  realize(): void {
    this.shadow.detachRam();
  }

  reset(): void {
    this.configMechanism.reset();
    this.fn.resetConfig();
    this.initConfig();
    this.updateMappings();
  }

  info(): string {
    const pam = Array.from({ length: 7 }, (_, i) =>
      this.fn
        .get8(I440FX.PAM0 + i)
        .toString(16)
        .padStart(2, '0'),
    );
    return `PAM0-6=${pam.join(' ')} SMRAM=${this.fn.get8(I440FX.SMRAM).toString(16).padStart(2, '0')}`;
  }

  private initConfig(): void {
    for (const [offset, writable] of STORAGE) this.fn.set8(offset, 0, writable);
    this.fn.set8(I440FX.PAM0, 0, 0x30);
    for (let i = 1; i < 7; i++) this.fn.set8(I440FX.PAM0 + i, 0, 0x33);
    this.fn.set8(I440FX.SMRAM, C_BASE_SEG_A0000, SMRAM.D_OPEN | SMRAM.D_CLS | SMRAM.D_LCK | SMRAM.G_SMRAME);
    this.fn.set8(I440FX.DRAMC, Math.min(255, Math.floor(this.ctx.memory.ramSize / (8 << 20))), 0);
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
