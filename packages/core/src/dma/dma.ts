import type { PhysicalMemory } from '../memory/physical-memory.js';

/**
 * Bus-master access to guest RAM for devices. Every transfer is clipped to RAM:
 * a descriptor pointing elsewhere reads as all ones and writes nowhere, which is
 * what a master abort gives on a PCI bus. Each call says whether the whole
 * transfer landed in RAM, so a device can raise its own error status.
 */
export class Dma {
  private readonly ram: Uint8Array;
  private readonly size: number;

  constructor(private readonly memory: PhysicalMemory) {
    this.ram = memory.ram;
    this.size = memory.ramSize;
  }

  /** True when [addr, addr+length) lies wholly in RAM. */
  inRam(addr: number, length: number): boolean {
    return addr >= 0 && length >= 0 && addr + length <= this.size;
  }

  read(addr: number, dest: Uint8Array, destOffset = 0, length = dest.length - destOffset): boolean {
    addr >>>= 0;
    if (length <= 0) return true;
    if (this.inRam(addr, length)) {
      dest.set(this.ram.subarray(addr, addr + length), destOffset);
      return true;
    }
    const inside = addr < this.size ? this.size - addr : 0;
    if (inside > 0) dest.set(this.ram.subarray(addr, addr + inside), destOffset);
    dest.fill(0xff, destOffset + inside, destOffset + length);
    return false;
  }

  write(addr: number, src: Uint8Array, srcOffset = 0, length = src.length - srcOffset): boolean {
    addr >>>= 0;
    if (length <= 0) return true;
    this.memory.written(addr, length);
    if (this.inRam(addr, length)) {
      this.ram.set(src.subarray(srcOffset, srcOffset + length), addr);
      return true;
    }
    const inside = addr < this.size ? this.size - addr : 0;
    if (inside > 0) this.ram.set(src.subarray(srcOffset, srcOffset + inside), addr);
    return false;
  }

  fill(addr: number, value: number, length: number): boolean {
    addr >>>= 0;
    const end = Math.min(addr + length, this.size);
    this.memory.written(addr, length);
    if (addr < end) this.ram.fill(value, addr, end);
    return this.inRam(addr, length);
  }

  read8(addr: number): number {
    addr >>>= 0;
    return addr < this.size ? this.ram[addr] : 0xff;
  }

  read16(addr: number): number {
    addr >>>= 0;
    if (addr + 2 > this.size) return 0xffff;
    return this.ram[addr] | (this.ram[addr + 1] << 8);
  }

  read32(addr: number): number {
    addr >>>= 0;
    if (addr + 4 > this.size) return 0xffffffff;
    const r = this.ram;
    return (r[addr] | (r[addr + 1] << 8) | (r[addr + 2] << 16) | (r[addr + 3] << 24)) >>> 0;
  }

  write8(addr: number, value: number): boolean {
    addr >>>= 0;
    if (addr >= this.size) return false;
    this.memory.written(addr, 1);
    this.ram[addr] = value;
    return true;
  }

  write16(addr: number, value: number): boolean {
    addr >>>= 0;
    if (addr + 2 > this.size) return false;
    this.memory.written(addr, 2);
    this.ram[addr] = value;
    this.ram[addr + 1] = value >>> 8;
    return true;
  }

  write32(addr: number, value: number): boolean {
    addr >>>= 0;
    if (addr + 4 > this.size) return false;
    this.memory.written(addr, 4);
    const r = this.ram;
    r[addr] = value;
    r[addr + 1] = value >>> 8;
    r[addr + 2] = value >>> 16;
    r[addr + 3] = value >>> 24;
    return true;
  }
}
