import { i440fxPlugin } from './i440fx/plugin.js';
import { i8237Plugin } from './i8237/plugin.js';
import { i8254Plugin } from './i8254/plugin.js';
import { i8259Plugin } from './i8259/plugin.js';
import { piix3Ide } from './ide/plugin.js';
import { ioapicPlugin } from './ioapic/plugin.js';
import { piix3IsaPlugin } from './piix3/plugin.js';
import { piix4PmPlugin } from './pm/plugin.js';

export { A20Gate, a20GateOf, PORT92_SOURCE } from './a20.js';
export { I440FX_IDS, I440fx } from './i440fx/i440fx.js';
export { I440FX, i440fxConfig, PAM_SEGMENTS, SMRAM } from './i440fx/registers.js';
export { ShadowWindow } from './i440fx/shadow.js';
export { I8237 } from './i8237/i8237.js';
export { IsaDma } from './i8237/isa-dma.js';
export { installIsaDma } from './i8237/plugin.js';
export { PIT_HZ, PitCounter } from './i8254/counter.js';
export { NMISC, NmiStatusControl } from './i8254/nmisc.js';
export { I8254 } from './i8254/pit.js';
export { installPit, type PitDevice } from './i8254/plugin.js';
export { DualPic, ELCR1_MASK, ELCR2_MASK } from './i8259/dual-pic.js';
export { I8259 } from './i8259/pic.js';
export { installDualPic, isaToPic } from './i8259/plugin.js';
export { IOAPIC_BASE, IOAPIC_PINS, IoApic, type IoApicOptions, REDIR } from './ioapic/ioapic.js';
export { type IoApicConfig, installIoApic, isaToIoApic } from './ioapic/plugin.js';
export { PIIX3_ISA_IDS, Piix3Isa } from './piix3/piix3-isa.js';
export { PIRQ_IOAPIC_PIN, PirqRouter } from './piix3/pirq-router.js';
export { PORT92, Port92 } from './piix3/port92.js';
export { PIIX3, PIIX3_CONFIG, RC } from './piix3/registers.js';
export { ResetControl } from './piix3/reset-control.js';
export { PIIX4_PM_IDS, Piix4Pm, type Piix4PmConfig } from './pm/piix4-pm.js';
export { PmIo } from './pm/pm-io.js';
export {
  PIIX4_PM,
  PM_IO,
  PM_TIMER_HZ,
  PMCNTRL,
  PMIO,
  PMSTS,
  piix4PmConfig,
  SMB,
  SMBHSTSTS,
} from './pm/registers.js';
export { SmbusHost } from './pm/smbus.js';
export { nsAtTick, ticksAt } from './ticks.js';
export { PiixTokens } from './tokens.js';

export const plugins = [
  i440fxPlugin,
  piix3IsaPlugin,
  piix3Ide,
  piix4PmPlugin,
  ioapicPlugin,
  i8259Plugin,
  i8254Plugin,
  i8237Plugin,
];
