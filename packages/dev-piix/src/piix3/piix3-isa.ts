import {
  type ConfigMechanism1,
  type Device,
  type DeviceContext,
  type InterruptSink,
  objectState,
  PciFunction,
  QEMU_SUBSYSTEM,
} from '@plugboard/core';
import { a20GateOf } from '../a20.js';
import type { IsaDma } from '../i8237/isa-dma.js';
import { installIsaDma } from '../i8237/plugin.js';
import { installPit, type PitDevice } from '../i8254/plugin.js';
import type { DualPic } from '../i8259/dual-pic.js';
import { installDualPic } from '../i8259/plugin.js';
import { PiixTokens } from '../tokens.js';
import { PirqRouter } from './pirq-router.js';
import { Port92 } from './port92.js';
import { PIIX3, PIIX3_CONFIG } from './registers.js';
import { ResetControl } from './reset-control.js';

export const PIIX3_ISA_IDS = {
  vendorId: 0x8086,
  deviceId: 0x7000,
  classCode: 0x060100,
  revision: 0x00,
  ...QEMU_SUBSYSTEM,
};

/**
 * PIIX3 function 0, the PCI-to-ISA bridge, with what sits inside the chip:
 * the 8259A pair and ELCR, the 8254 and port 0x61, the 8237A pair, port
 * 0x92, the reset control register and PIRQ steering.
 */
export class Piix3Isa implements Device {
  readonly fn: PciFunction;
  readonly pic: DualPic;
  readonly pit: PitDevice;
  readonly dma: IsaDma;
  readonly port92: Port92;
  readonly resetControl: ResetControl;
  readonly router: PirqRouter;
  /** The 8259s, the 8254 and port 61h, the 8237s, port 92h, 0xCF9 and the PIRQ lines; PIRQRC is config space. */
  readonly vmstate = objectState({ bridge: this }, { version: 1, skip: ['fn', 'ioapic'] });

  constructor(private readonly ctx: DeviceContext) {
    if (!ctx.pciAddress) throw new Error(`${ctx.id}: the PIIX3 needs a PCI address`);
    if (ctx.pci.router) throw new Error(`${ctx.id}: the machine already has a PCI interrupt router`);
    this.fn = new PciFunction(ctx.id, { ...PIIX3_ISA_IDS, headerType: 0x80 });
    this.pic = installDualPic(ctx);
    this.pit = installPit(ctx);
    this.dma = installIsaDma(ctx);
    this.port92 = new Port92(a20GateOf(ctx.container, ctx.memory), ctx.system);
    ctx.ports.register(`${ctx.id} port 92h`, 0x92, 1, this.port92.ports);
    this.resetControl = new ResetControl(ctx.system);
    this.router = new PirqRouter(ctx.isaIrqs);
    ctx.pci.router = this.router;
    this.fn.onConfigWrite = (offset, size) => {
      for (let i = 0; i < 4; i++) {
        const at = PIIX3.PIRQRC + i;
        if (offset <= at && at < offset + size) this.router.setRoute(i, this.fn.config[at]);
      }
    };
    this.initConfig();
    ctx.pci.add(ctx.pciAddress, this.fn);
  }

  /** Plugs 0xCF9 into the host bridge and PIRQA-D into the I/O APIC, when the machine has them. */
  realize(): void {
    const { container } = this.ctx;
    if (container.isBound(PiixTokens.ConfigMechanism1)) {
      container.get<ConfigMechanism1>(PiixTokens.ConfigMechanism1).port0cf9 = this.resetControl.port;
    } else {
      this.ctx.log('no host bridge bound ConfigMechanism1: the reset control register 0xCF9 is absent');
    }
    if (container.isBound(PiixTokens.IoApic))
      this.router.connectIoApic(container.get<InterruptSink>(PiixTokens.IoApic));
  }

  reset(): void {
    this.fn.resetConfig();
    this.initConfig();
    this.pic.reset();
    this.pit.reset();
    this.dma.reset();
    this.port92.reset();
    this.resetControl.reset();
    this.router.reset();
  }

  info(): string {
    const routes = [0, 1, 2, 3].map((p) => {
      const irq = this.router.target(p);
      return `PIRQ${'ABCD'[p]}=${irq < 0 ? 'off' : `IRQ${irq}`}${this.router.levels[p] ? '*' : ''}`;
    });
    return `${routes.join(' ')}\n${this.pic.info()}`;
  }

  private initConfig(): void {
    this.fn.loadRegisters(PIIX3_CONFIG);
    // The ISA bridge decodes from power-on: I/O, memory and bus master enabled, medium DEVSEL#.
    this.fn.set16(0x04, 0x0007);
    this.fn.set16(0x06, 0x0200);
  }
}
