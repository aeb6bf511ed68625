import type { Dma, WorkMeter } from '@plugboard/core';
import { BMICP, BMICP_SSBM, BMIDTP, BMISP, BUS_MASTER, PRD_EOT } from './registers.js';

/**
 * A PRD table may not cross a 64 KiB boundary on the PIIX; like QEMU, one
 * without an EOT entry is cut off after a page of descriptors (512 of them,
 * room for any ATA transfer), so a guest cannot keep the walk going forever.
 */
export const MAX_PRD_ENTRIES = 4096 / 8;

/**
 * Bytes a bus master transfer moves in one step, at most: two of the
 * devices' 64 KiB buffers, well under a millisecond of host time (a backend
 * read and a copy). The largest LBA28 command (256 sectors) and the reads
 * libata and SeaBIOS usually make fit in one step, so they finish in the
 * write that starts them, as before; a longer one (READ DMA EXT moves up to
 * 32 MiB, an ATAPI READ(12) as much as its table holds) goes on in steps.
 */
export const DMA_STEP_BYTES = 2 * 64 * 1024;
/**
 * Virtual time between two steps, per byte of a step: 10 ns, so 100 MB/s,
 * the rate of UDMA mode 5 (the fastest mode the drives offer in IDENTIFY)
 * and more than the disks of the PIIX's time read: 1.3 ms per step, 0.34 s
 * for 32 MiB.
 */
export const DMA_NS_PER_BYTE = 10;

/**
 * One channel's bus master engine (82371SB section 2.7): its three registers
 * and the walk over the Physical Region Descriptor table. Every descriptor and
 * buffer access goes through core's Dma, so nothing outside guest RAM is
 * touched; such an access is a PCI master abort and sets `fault`. A command
 * moves up to 32 MiB (512 descriptors of 64 KiB), as on QEMU, in steps of
 * `DMA_STEP_BYTES` (the channel runs them); the bytes are charged to the run
 * slice (`work`), so a guest looping on such commands cannot keep the run
 * loop from yielding to the host. The walk's position (`next`, `entries`,
 * `address`, `left`, `last`) is state: a snapshot taken between two steps
 * goes on from it.
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
