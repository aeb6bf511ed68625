import { createVgaRegisters, resetVgaRegisters, type VgaRegisters } from '@plugboard/vga';
import { createDispi, type DispiState } from './dispi.js';

/** Every register of the card: the VGA core's and the dispi interface's; `resetState` puts all of it back. */
export interface StdVgaState extends VgaRegisters, DispiState {}

export function createState(vramBytes: number): StdVgaState {
  return { ...createVgaRegisters(vramBytes), ...createDispi() };
}

/** Power-on and PCI reset (QEMU's vga_common_reset): video memory keeps its contents. */
export function resetState(s: StdVgaState): void {
  resetVgaRegisters(s);
  const d = createDispi();
  s.vbe.set(d.vbe);
  s.vbeIndex = d.vbeIndex;
  s.vbeStartAddress = d.vbeStartAddress;
  s.vbeLineOffset = d.vbeLineOffset;
  s.bankOffset = d.bankOffset;
}
