import {
  type Device,
  definePlugin,
  objectState,
  PCI_COMMAND_MASTER,
  PciFunction,
  type PciIds,
} from '@plugboard/core';
import {
  BAR0_SIZE,
  CTRL_IRQ_EN,
  CTRL_START,
  MAX_LENGTH,
  Reg,
  STATUS_DONE,
  STATUS_ERROR,
} from './registers.js';

export interface CopyEngineConfig {
  /** Every copied byte is xored with this, so a test can tell a copy from the original. */
  xor: number;
}

/** All of the device's state: reset puts it back to `initialState()`. */
interface State {
  src: number;
  dst: number;
  len: number;
  ctrl: number;
  status: number;
}

const initialState = (): State => ({ src: 0, dst: 0, len: 0, ctrl: 0, status: 0 });

export interface CopyEngine extends Device {
  readonly fn: PciFunction;
}

/** PCI identity. 1b36 is the vendor ID Red Hat lends to QEMU's emulated devices; 00f0 is made up: pick your own. */
const PCI_IDS: PciIds = { vendorId: 0x1b36, deviceId: 0x00f0, classCode: 0x088000, revision: 1 };

export const copyEnginePlugin = definePlugin<CopyEngineConfig, CopyEngine>({
  meta: { id: 'template-copy-engine', name: 'Template PCI DMA copy engine' },
  kind: 'pci',
  pci: PCI_IDS,
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      xor: {
        type: 'integer',
        minimum: 0,
        maximum: 255,
        default: 0,
        description: 'Every copied byte is xored with this.',
      },
    },
  },
  create(ctx, config) {
    if (!ctx.pciAddress) throw new Error(`${ctx.id}: needs a PCI address`);
    const fn = new PciFunction(ctx.id, { ...PCI_IDS, interruptPin: 1 });
    const state = initialState();
    const buffer = new Uint8Array(MAX_LENGTH);

    const updateIrq = () => fn.setIrq((state.ctrl & CTRL_IRQ_EN) !== 0 && (state.status & STATUS_DONE) !== 0);

    /** The one thing the device does. The guest chose every number here: check them all. */
    const copy = () => {
      const len = state.len;
      let ok = len <= MAX_LENGTH && (fn.command & PCI_COMMAND_MASTER) !== 0;
      if (ok) {
        // Dma clips at the end of RAM: reads outside float high, writes vanish, and it says so.
        ok = ctx.dma.read(state.src, buffer, 0, len);
        if (config.xor) for (let i = 0; i < len; i++) buffer[i] ^= config.xor;
        ok = ctx.dma.write(state.dst, buffer, 0, len) && ok;
      }
      state.status |= STATUS_DONE | (ok ? 0 : STATUS_ERROR);
      updateIrq();
    };

    const read32 = (offset: number): number => {
      switch (offset & ~3) {
        case Reg.SRC:
          return state.src;
        case Reg.DST:
          return state.dst;
        case Reg.LEN:
          return state.len;
        case Reg.CTRL:
          return state.ctrl;
        case Reg.STATUS:
          return state.status;
        default:
          return 0xffffffff;
      }
    };
    const write32 = (offset: number, value: number): void => {
      value >>>= 0;
      switch (offset & ~3) {
        case Reg.SRC:
          state.src = value;
          break;
        case Reg.DST:
          state.dst = value;
          break;
        case Reg.LEN:
          state.len = value;
          break;
        case Reg.CTRL:
          state.ctrl = value & CTRL_IRQ_EN;
          if (value & CTRL_START) copy();
          else updateIrq();
          break;
        case Reg.STATUS:
          state.status &= ~value;
          updateIrq();
          break;
      }
    };

    fn.setBar(0, {
      kind: 'io',
      size: BAR0_SIZE,
      handler: {
        read8: (offset) => (read32(offset) >>> ((offset & 3) * 8)) & 0xff,
        // A byte write changes only its lane of the register; CTRL and STATUS act on the byte holding bit 0.
        write8: (offset, value) => {
          const shift = (offset & 3) * 8;
          const old = (offset & ~3) === Reg.STATUS || (offset & ~3) === Reg.CTRL ? 0 : read32(offset);
          write32(offset, (old & ~(0xff << shift)) | ((value & 0xff) << shift));
        },
        read32,
        write32,
      },
    });
    ctx.pci.add(ctx.pciAddress, fn);

    return {
      fn,
      // Snapshots save and load `state`; the interrupt line follows from it.
      vmstate: objectState({ state }, { version: 1, afterLoad: () => updateIrq() }),
      reset() {
        // Reset loads the initial state.
        Object.assign(state, initialState());
        fn.resetConfig();
        updateIrq();
      },
      info: () =>
        `src=0x${state.src.toString(16)} dst=0x${state.dst.toString(16)} len=${state.len} status=${state.status}`,
    };
  },
});
