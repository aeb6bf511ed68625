import type { Dma, WorkMeter } from '@plugboard/core';
import { BMICP, BMICP_SSBM, BMIDTP, BMISP, BUS_MASTER, PRD_EOT } from './registers.js';

/**
 * A PRD table may not cross a 64 KiB boundary on the PIIX; like QEMU, one
 * without an EOT entry is cut off after a page of descriptors (512 of them,
 * room for any ATA transfer), so a guest cannot keep the walk going forever.
 */
export const MAX_PRD_ENTRIES = 4096 / 8;

/**
 * One channel's bus master engine (82371SB section 2.7): its three registers
 * and the walk over the Physical Region Descriptor table. Every descriptor and
 * buffer access goes through core's Dma, so nothing outside guest RAM is
 * touched; such an access is a PCI master abort and sets `fault`. A command
 * moves up to 32 MiB at once (512 descriptors of 64 KiB), as on QEMU; the
 * bytes are charged to the run slice (`work`), so a guest looping on such
 * commands cannot keep the run loop from yielding to the host.
 */
export class BusMaster {
  /** BMICP, BMISP and BMIDTP as the guest sees them (the `BUS_MASTER` table's 8 bytes). */
  readonly regs = new Uint8Array(BUS_MASTER.size);

  /** A descriptor or buffer lay outside RAM during the current transfer. */
  fault = false;
  private next = 0;
  private entries = 0;
  private address = 0;
  private left = 0;
  private last = false;

  constructor(
    private readonly dma: Dma,
    private readonly work: WorkMeter,
  ) {}

  /** BMICP: SSBM and RWCON. */
  get command(): number {
    return this.regs[BMICP];
  }

  /** BMISP: BMIDEA, ERROR, IDEINTS, DMA0CAP, DMA1CAP. */
  get status(): number {
    return this.regs[BMISP];
  }

  set status(value: number) {
    this.regs[BMISP] = value;
  }

  /** BMIDTP: the descriptor table, dword aligned. */
  get table(): number {
    const r = this.regs;
    return (r[BMIDTP] | (r[BMIDTP + 1] << 8) | (r[BMIDTP + 2] << 16) | (r[BMIDTP + 3] << 24)) >>> 0;
  }

  get started(): boolean {
    return (this.command & BMICP_SSBM) !== 0;
  }

  /** Starts the walk over at the first descriptor. */
  rewind(): void {
    this.next = this.table;
    this.entries = 0;
    this.address = 0;
    this.left = 0;
    this.last = false;
    this.fault = false;
  }

  /** True once the entry marked EOT (or the last one allowed) is used up. */
  get exhausted(): boolean {
    return this.left === 0 && (this.last || this.entries >= MAX_PRD_ENTRIES);
  }

  /**
   * Moves up to `length` bytes between `buf` and the regions the table
   * describes: into guest memory when `toMemory`, else out of it. Returns
   * how many moved; fewer than asked means the table ran out or `fault`.
   */
  transfer(buf: Uint8Array, offset: number, length: number, toMemory: boolean): number {
    const dma = this.dma;
    let done = 0;
    while (done < length) {
      if (this.left === 0) {
        if (this.last || this.entries >= MAX_PRD_ENTRIES) break;
        const at = this.next;
        if (!dma.inRam(at, 8)) {
          this.fault = true;
          break;
        }
        // Base bits 31:1 and count bits 15:1; a count of zero means 64 KiB.
        this.address = dma.read32(at) & 0xfffffffe;
        const control = dma.read32(at + 4);
        const count = control & 0xfffe;
        this.left = count === 0 ? 0x10000 : count;
        this.last = (control & PRD_EOT) !== 0;
        this.next = (at + 8) >>> 0;
        this.entries++;
      }
      const n = Math.min(this.left, length - done);
      const ok = toMemory
        ? dma.write(this.address, buf, offset + done, n)
        : dma.read(this.address, buf, offset + done, n);
      if (!ok) {
        this.fault = true;
        break;
      }
      this.address = (this.address + n) >>> 0;
      this.left -= n;
      done += n;
    }
    this.work.charge(done);
    return done;
  }

  reset(): void {
    BUS_MASTER.reset(this.regs);
    this.rewind();
  }
}
