import type { Dma } from '../dma/dma.js';
import type { PortBus } from '../io/port-bus.js';
import type { IrqLines } from '../irq/irq-line.js';
import type { MachineHooks } from '../machine/hooks.js';
import type { PhysicalMemory } from '../memory/physical-memory.js';
import type { PciBus } from '../pci/pci-bus.js';
import type { TraceHook } from './trace-hook.js';

/** Runs `install` the first time anything taps `hook`. */
function onFirstTap<T>(hook: TraceHook<T>, install: () => void): void {
  let installed = false;
  hook.intercept({
    register: (tap) => {
      if (!installed) {
        installed = true;
        install();
      }
      return tap;
    },
  });
}

/**
 * Puts tracing wrappers on the buses' instances when, and only when, a trace
 * hook is tapped. The wrappers shadow the prototype methods, so an untraced
 * machine runs the plain methods with no check at all.
 */
export function installBusTracing(
  hooks: MachineHooks,
  buses: { ports: PortBus; memory: PhysicalMemory; pci: PciBus; isaIrqs: IrqLines; dma: Dma },
): void {
  const { ports, memory, pci, isaIrqs, dma } = buses;

  onFirstTap(hooks.portIo, () => {
    const ins = [ports.in8, ports.in16, ports.in32].map((f) => f.bind(ports));
    const outs = [ports.out8, ports.out16, ports.out32].map((f) => f.bind(ports));
    const sizes = [1, 2, 4] as const;
    const wrapIn = (i: number) => (port: number) => {
      const value = ins[i](port);
      hooks.portIo.call({ write: false, port: port & 0xffff, size: sizes[i], value });
      return value;
    };
    const wrapOut = (i: number) => (port: number, value: number) => {
      hooks.portIo.call({ write: true, port: port & 0xffff, size: sizes[i], value });
      outs[i](port, value);
    };
    ports.in8 = wrapIn(0);
    ports.in16 = wrapIn(1);
    ports.in32 = wrapIn(2);
    ports.out8 = wrapOut(0);
    ports.out16 = wrapOut(1);
    ports.out32 = wrapOut(2);
  });

  onFirstTap(hooks.mmio, () => {
    const reads = [memory.read8, memory.read16, memory.read32].map((f) => f.bind(memory));
    const writes = [memory.write8, memory.write16, memory.write32].map((f) => f.bind(memory));
    const sizes = [1, 2, 4] as const;
    const regionOf = (addr: number, write: boolean) => {
      const page = addr >>> 12;
      if ((write ? memory.writeBuf : memory.readBuf)[page] !== null) return null;
      return (write ? memory.writeRegion : memory.readRegion)[page].name;
    };
    const wrapRead = (i: number) => (address: number) => {
      const value = reads[i](address);
      const region = regionOf(address, false);
      if (region !== null)
        hooks.mmio.call({ write: false, address: address >>> 0, size: sizes[i], value, region });
      return value;
    };
    const wrapWrite = (i: number) => (address: number, value: number) => {
      const region = regionOf(address, true);
      if (region !== null)
        hooks.mmio.call({ write: true, address: address >>> 0, size: sizes[i], value, region });
      writes[i](address, value);
    };
    memory.read8 = wrapRead(0);
    memory.read16 = wrapRead(1);
    memory.read32 = wrapRead(2);
    memory.write8 = wrapWrite(0);
    memory.write16 = wrapWrite(1);
    memory.write32 = wrapWrite(2);
  });

  onFirstTap(hooks.pciConfig, () => {
    const read = pci.readConfig.bind(pci);
    const write = pci.writeConfig.bind(pci);
    pci.readConfig = (bus, devfn, offset, size) => {
      const value = read(bus, devfn, offset, size);
      hooks.pciConfig.call({ write: false, bus, devfn, offset, size, value });
      return value;
    };
    pci.writeConfig = (bus, devfn, offset, size, value) => {
      hooks.pciConfig.call({ write: true, bus, devfn, offset, size, value });
      write(bus, devfn, offset, size, value);
    };
  });

  onFirstTap(hooks.irq, () => {
    isaIrqs.connect({ setInput: (line, level) => hooks.irq.call({ line, level }) });
  });

  onFirstTap(hooks.dma, () => {
    const read = dma.read.bind(dma);
    const write = dma.write.bind(dma);
    dma.read = (address, dest, destOffset, length) => {
      const n = length ?? dest.length - (destOffset ?? 0);
      hooks.dma.call({ write: false, address: address >>> 0, length: n });
      return read(address, dest, destOffset, length);
    };
    dma.write = (address, src, srcOffset, length) => {
      const n = length ?? src.length - (srcOffset ?? 0);
      hooks.dma.call({ write: true, address: address >>> 0, length: n });
      return write(address, src, srcOffset, length);
    };
  });
}
