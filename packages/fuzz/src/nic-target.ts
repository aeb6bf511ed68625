import { type Device, MemoryNetwork } from '@plugboard/core';
import { ethernetFrame, type PluggedPciDevice } from '@plugboard/core/testing';
import { MAX_OPS, Program, ProgramWriter } from './ops.js';
import type { FuzzTarget } from './target.js';

/** Where the NIC's I/O BAR is placed, and how much low RAM its descriptors may use. */
export const NIC_IO = 0xc000;
const RAM_WINDOW = 0x40000;
const WIDTHS = [1, 2, 4];

/** Opcodes of a NIC program: register write or read, a RAM dword, a frame from the network, time passing. */
export enum NicOp {
  Write = 0,
  Read = 1,
  Ram = 2,
  Receive = 3,
  Tick = 4,
}

/** Seeds are written with these. */
export class NicProgram extends ProgramWriter {
  write(reg: number, width: 1 | 2 | 4, value: number): this {
    return this.u8(NicOp.Write, reg, WIDTHS.indexOf(width)).u32(value);
  }
  read(reg: number, width: 1 | 2 | 4): this {
    return this.u8(NicOp.Read, reg, WIDTHS.indexOf(width));
  }
  ram(addr: number, value: number): this {
    return this.u8(NicOp.Ram)
      .u16(addr >>> 2)
      .u32(value);
  }
  receive(length: number): this {
    return this.u8(NicOp.Receive).u16(length);
  }
  tick(us: number): this {
    return this.u8(NicOp.Tick).u16(us);
  }
}

/**
 * A NIC alone on a bus with a memory network: each input is a burst of
 * register accesses, descriptor writes into low RAM, frames arriving and
 * time passing. The NIC is reset between inputs.
 */
export function nicTarget(
  name: string,
  build: (net: MemoryNetwork) => Promise<PluggedPciDevice<Device>>,
  seeds: () => Uint8Array[],
): FuzzTarget {
  let plugged: { nic: PluggedPciDevice<Device>; net: MemoryNetwork } | null = null;
  return {
    name,
    seeds,
    async run(input) {
      if (!plugged) {
        const net = new MemoryNetwork();
        plugged = { nic: await build(net), net };
      }
      const { nic, net } = plugged;
      const { parts } = nic;
      nic.device.reset?.();
      parts.memory.ram.fill(0, 0, RAM_WINDOW);
      const p = new Program(input);
      for (let n = 0; n < MAX_OPS && !p.done; n++) {
        const op = p.u8() % 5;
        const a = p.u8();
        const b = p.u8();
        const width = WIDTHS[b % 3]!;
        const word = a | (b << 8);
        if (op === NicOp.Write) {
          const v = p.u32();
          if (width === 1) parts.ports.out8(NIC_IO + a, v);
          else if (width === 2) parts.ports.out16(NIC_IO + a, v);
          else parts.ports.out32(NIC_IO + a, v);
        } else if (op === NicOp.Read) {
          if (width === 1) parts.ports.in8(NIC_IO + a);
          else if (width === 2) parts.ports.in16(NIC_IO + a);
          else parts.ports.in32(NIC_IO + a);
        } else if (op === NicOp.Ram) {
          parts.memory.write32((word * 4) % RAM_WINDOW, p.u32());
        } else if (op === NicOp.Receive) {
          const frame = ethernetFrame([0x52, 0x54, 0, 0x12, 0x34, 0x56], Math.max(word % 1600, 14), n);
          if (net.client?.canReceive()) net.client.receive(frame);
        } else {
          parts.clock.advanceTo(parts.clock.now + word * 1000);
          parts.clock.runDue();
        }
        net.sent.length = 0;
      }
    },
  };
}
