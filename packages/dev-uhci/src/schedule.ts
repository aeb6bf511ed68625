import type { Dma } from '@plugboard/core';
import {
  MAX_TRANSACTION_BYTES,
  PID_IN,
  PID_OUT,
  PID_SETUP,
  USB_NAK,
  USB_STALL,
  type UsbDevice,
} from '@plugboard/usb';
import {
  LINK_ADDRESS_MASK,
  LINK_DEPTH_FIRST,
  LINK_QH,
  LINK_TERMINATE,
  TD_ACTIVE,
  TD_ACTLEN_MASK,
  TD_BABBLE,
  TD_C_ERR_MASK,
  TD_C_ERR_SHIFT,
  TD_CRC_TIMEOUT,
  TD_IOC,
  TD_NAK,
  TD_SPD,
  TD_STALLED,
  TOKEN_ADDRESS_SHIFT,
  TOKEN_ENDPOINT_SHIFT,
  TOKEN_MAXLEN_SHIFT,
  TOKEN_PID_MASK,
} from './registers.js';

/**
 * Links (QHs and TDs) one frame may follow. A schedule is guest memory: a
 * list that loops, or one far longer than a frame's 12000 bit times could
 * carry, ends the frame here (QEMU's FRAME_MAX_LOOPS).
 */
export const FRAME_MAX_LINKS = 256;
/** QHs remembered per frame to notice the walk going round (UHCI_MAX_QUEUES in QEMU). */
export const FRAME_MAX_QUEUES = 128;
/** Bytes a full-speed frame carries before the rest waits for the next (QEMU's `bandwidth` property). */
export const FRAME_BANDWIDTH = 1280;

/** What a frame leaves for USBSTS, as bits. */
export const FRAME_IOC = 1 << 0;
export const FRAME_SHORT_PACKET = 1 << 1;
export const FRAME_ERROR = 1 << 2;
export const FRAME_HOST_SYSTEM_ERROR = 1 << 3;
export const FRAME_PROCESS_ERROR = 1 << 4;

/** A TD's outcome: the queue advances; the walk leaves the queue for the next QH; the frame ends. */
const COMPLETE = 0;
const NEXT_QH = 1;
const STOP_FRAME = 2;

/** The TD status bits a successful transaction leaves clear (3.2.2: bitstuff to stalled). */
const TD_ERROR_BITS = 0x7e << 16;

export interface ScheduleHost {
  readonly dma: Dma;
  /** The device at `address` behind an enabled root port, or null. */
  device(address: number): UsbDevice | null;
}

/**
 * One frame's walk of the schedule (UHCI 1.1, 3.4): from a frame list
 * entry through queue heads and transfer descriptors, each TD one
 * transaction with the device it addresses. Every guest address goes
 * through the DMA window; an address outside RAM is a host system error
 * (the PCI master abort real hardware would see), which halts the controller.
 */
export class Schedule {
  private readonly queues = new Uint32Array(FRAME_MAX_QUEUES);
  private queueCount = 0;
  private readonly data = new Uint8Array(MAX_TRANSACTION_BYTES + 1);
  private flags = 0;
  /** Bytes the last TD moved. */
  private moved = 0;

  constructor(private readonly host: ScheduleHost) {}

  /** Walks the frame whose frame list entry is at `entry`; returns FRAME_* bits. */
  run(entry: number): number {
    const dma = this.host.dma;
    this.flags = 0;
    this.queueCount = 0;
    if (!dma.inRam(entry, 4)) return FRAME_HOST_SYSTEM_ERROR;
    let link = dma.read32(entry);
    let queue = 0;
    let queueLink = 0;
    let transactions = 0;
    let bytes = 0;
    for (let budget = FRAME_MAX_LINKS; !(link & LINK_TERMINATE) && budget > 0; budget--) {
      if (bytes >= FRAME_BANDWIDTH) break;
      const at = (link & LINK_ADDRESS_MASK) >>> 0;
      if (link & LINK_QH) {
        if (!this.remember(at)) {
          // Round again: drivers close the list into a ring for bandwidth reclamation.
          // A round that moved nothing ends the frame.
          if (transactions === 0) break;
          transactions = 0;
          this.queueCount = 0;
          this.remember(at);
        }
        if (!dma.inRam(at, 8)) return this.flags | FRAME_HOST_SYSTEM_ERROR;
        const horizontal = dma.read32(at);
        const element = dma.read32(at + 4);
        if (element & LINK_TERMINATE) {
          queue = 0;
          link = horizontal;
        } else {
          queue = at;
          queueLink = horizontal;
          link = element;
        }
        continue;
      }
      if (!dma.inRam(at, 16)) return this.flags | FRAME_HOST_SYSTEM_ERROR;
      const next = dma.read32(at);
      const outcome = this.transfer(at);
      if (outcome === STOP_FRAME) break;
      if (outcome === NEXT_QH) {
        link = queue ? queueLink : next;
        queue = 0;
        continue;
      }
      transactions++;
      bytes += this.moved;
      link = next;
      if (queue) {
        // The queue advances to the TD's successor; breadth first, the walk moves on to the next QH.
        dma.write32(queue + 4, next);
        if (next & LINK_TERMINATE || !(next & LINK_DEPTH_FIRST)) {
          link = queueLink;
          queue = 0;
        }
      }
    }
    return this.flags;
  }

  /** False when the QH was already seen this round, or no more fit (QEMU's qhdb_insert). */
  private remember(at: number): boolean {
    for (let i = 0; i < this.queueCount; i++) if (this.queues[i] === at) return false;
    if (this.queueCount >= FRAME_MAX_QUEUES) return false;
    this.queues[this.queueCount++] = at;
    return true;
  }

  /** One TD's transaction; writes its control and status back. */
  private transfer(at: number): number {
    const dma = this.host.dma;
    let ctrl = dma.read32(at + 4);
    const token = dma.read32(at + 8);
    const buffer = dma.read32(at + 12);
    this.moved = 0;
    if (!(ctrl & TD_ACTIVE)) {
      // UHCI 1.1, 3.2.2: an IOC interrupt comes even for a TD fetched inactive.
      if (ctrl & TD_IOC) this.flags |= FRAME_IOC;
      return NEXT_QH;
    }
    const pid = token & TOKEN_PID_MASK;
    if (pid !== PID_IN && pid !== PID_OUT && pid !== PID_SETUP) {
      this.flags |= FRAME_PROCESS_ERROR;
      return STOP_FRAME;
    }
    // MaxLen is n-1: 0x7FF is a zero-length packet, so at most 0x7FF bytes move.
    const maxLen = ((token >>> TOKEN_MAXLEN_SHIFT) + 1) & 0x7ff;
    const device = this.host.device((token >>> TOKEN_ADDRESS_SHIFT) & 0x7f);
    let result = USB_NAK;
    if (device !== null) {
      const endpoint = (token >>> TOKEN_ENDPOINT_SHIFT) & 0xf;
      if (pid === PID_IN) {
        result = device.transaction(pid, endpoint, this.data, maxLen);
        if (result > 0 && result <= maxLen && !dma.write(buffer, this.data, 0, result)) {
          this.flags |= FRAME_HOST_SYSTEM_ERROR;
          return STOP_FRAME;
        }
      } else {
        if (!dma.read(buffer, this.data, 0, maxLen)) {
          this.flags |= FRAME_HOST_SYSTEM_ERROR;
          return STOP_FRAME;
        }
        result = device.transaction(pid, endpoint, this.data, maxLen);
        if (result >= 0) result = maxLen;
      }
    }
    let outcome = NEXT_QH;
    if (device !== null && result >= 0 && result <= maxLen) {
      ctrl =
        (ctrl & ~(TD_ACTLEN_MASK | TD_ACTIVE | TD_NAK | TD_ERROR_BITS)) | ((result - 1) & TD_ACTLEN_MASK);
      if (ctrl & TD_IOC) this.flags |= FRAME_IOC;
      this.moved = result;
      // A short packet leaves the queue where it is, for the driver to see (3.4.2).
      if (pid === PID_IN && ctrl & TD_SPD && result < maxLen) this.flags |= FRAME_SHORT_PACKET;
      else outcome = COMPLETE;
    } else if (device !== null && result > maxLen) {
      ctrl = (ctrl | TD_BABBLE | TD_STALLED) & ~TD_ACTIVE;
      this.fail(ctrl);
      outcome = STOP_FRAME;
    } else if (device !== null && result === USB_NAK && pid !== PID_SETUP) {
      ctrl |= TD_NAK;
    } else if (device !== null && result === USB_STALL) {
      ctrl = (ctrl | TD_STALLED) & ~TD_ACTIVE;
      this.fail(ctrl);
    } else {
      // No device answered: a timeout. C_ERR counts down; at zero the TD retires with an error (0 retries forever).
      ctrl |= TD_CRC_TIMEOUT;
      let errors = (ctrl & TD_C_ERR_MASK) >>> TD_C_ERR_SHIFT;
      if (errors !== 0 && --errors === 0) {
        ctrl &= ~TD_ACTIVE;
        this.fail(ctrl);
      }
      ctrl = (ctrl & ~TD_C_ERR_MASK) | (errors << TD_C_ERR_SHIFT);
    }
    dma.write32(at + 4, ctrl >>> 0);
    return outcome;
  }

  private fail(ctrl: number): void {
    this.flags |= FRAME_ERROR;
    if (ctrl & TD_IOC) this.flags |= FRAME_IOC;
  }
}
