import {
  type Clock,
  type Dma,
  MAX_ACCESS_BYTES,
  type NetworkClient,
  type NetworkPort,
  objectState,
  PCI_COMMAND_MASTER,
  type PciFunction,
  type RegisterTraceEvent,
  type Timer,
  TraceHook,
} from '@plugboard/core';
import { Eeprom93Cx6 } from '@plugboard/eeprom93';
import type { I8255xModel } from './models.js';
import * as R from './registers.js';

/** Everything the chip remembers; `reset()` puts all of it back. */
export interface I8255xState {
  csr: Uint8Array;
  cuState: number;
  ruState: number;
  cuBase: number;
  cuOffset: number;
  ruBase: number;
  ruOffset: number;
  statsAddress: number;
  /** The Configure command's byte map (up to 22 bytes). */
  config: Uint8Array;
  /** Individual address from IA Setup. */
  ia: Uint8Array;
  /** 64-bit multicast hash from Multicast Setup. */
  hash: Uint8Array;
  mdi: Uint16Array;
  /** Statistical counters, in dump order (one dword each). */
  counters: Uint32Array;
}

/** Counter indexes in the dump block. */
const TX_GOOD = 0;
const RX_GOOD = 9;
const RX_RESOURCE_ERRORS = 12;
const RX_SHORT_FRAMES = 15;

/** The e100 driver's default Configure byte map, which reset leaves in place. */
const DEFAULT_CONFIG = [
  0x16, 0x08, 0x00, 0x00, 0x00, 0x00, 0x32, 0x03, 0x01, 0x00, 0x2e, 0x00, 0x60, 0x00, 0xf2, 0xc8, 0x00, 0x40,
  0xf2, 0x80, 0x3f, 0x05,
];
/** PHY registers 0-6 at reset: 100 Mb/s full duplex, auto-negotiation on, link up. */
const PHY_DEFAULT = [0x3000, 0x782d, 0x02a8, 0x0154, 0x05e1, 0x41e1, 0x0001];
/** PHY bits the guest may change, per register. */
const PHY_WRITABLE = [0xffff, 0x0000, 0x0000, 0x0000, 0x3fe0, 0x0000, 0x0000];

/** Action commands run per CU batch before the CU yields to the machine for a moment. */
const CU_BATCH = 64;
/** How long (virtual ns) a CU batch takes: it keeps a looping command list from stalling the host. */
const CU_BATCH_NS = 20_000;
const MAX_FRAME = 1514;
/** A transmit may gather at most this much (TBD sizes are 14-bit, and the chip's FIFO bounds a frame). */
const MAX_TX = 4096;

export interface I8255xOptions {
  id: string;
  model: I8255xModel;
  mac: Uint8Array;
  fn: PciFunction;
  dma: Dma;
  clock: Clock;
}

/** The BE CRC-32 the 8255x hashes multicast addresses with (as Linux's ether_crc computes it). */
function etherCrcBe(data: Uint8Array, start: number, length: number): number {
  let crc = 0xffffffff | 0;
  for (let i = 0; i < length; i++) {
    let b = data[start + i];
    for (let bit = 0; bit < 8; bit++, b >>= 1) {
      const carry = (crc >>> 31) ^ (b & 1);
      crc <<= 1;
      if (carry) crc = (crc ^ 0x04c11db6) | carry;
    }
  }
  return crc >>> 0;
}

function hashIndex(address: Uint8Array, start: number): number {
  return (etherCrcBe(address, start, 6) & 0xfc) >> 2;
}

/**
 * An Intel 8255x: the System Control Block, the command unit walking its
 * command block list, the receive unit filling simplified RFDs, the 93C46
 * EEPROM with its 0xBABA checksum, and the PHY behind MDI.
 */
export class I8255x implements NetworkClient {
  readonly state: I8255xState;
  readonly eeprom: Eeprom93Cx6;
  readonly registerTrace = new TraceHook<RegisterTraceEvent>('i8255x.register');
  port: NetworkPort | null = null;
  private linkUp = true;
  private readonly frame = new Uint8Array(MAX_TX);
  private readonly rxFrame = new Uint8Array(MAX_FRAME + 64);
  /** The registers one write touched, for their side effects. */
  private readonly touched = new Int32Array(MAX_ACCESS_BYTES);
  private readonly cuTimer: Timer;
  /** `state`, the link and the EEPROM; the command unit's step is the clock's timer. */
  readonly vmstate = objectState(
    { nic: this },
    { version: 1, skip: ['o', 'port', 'frame', 'rxFrame', 'touched'] },
  );

  constructor(private readonly o: I8255xOptions) {
    const words = new Uint16Array(64);
    for (let i = 0; i < 3; i++) words[i] = o.mac[i * 2] | (o.mac[i * 2 + 1] << 8);
    words[5] = 0x4000 | ((o.model.pci.revision & 7) << 8); // valid signature, revision
    words[6] = R.PHY_ADDRESS;
    let sum = 0;
    for (let i = 0; i < 63; i++) sum = (sum + words[i]) & 0xffff;
    words[63] = (0xbaba - sum) & 0xffff;
    this.eeprom = new Eeprom93Cx6(6, words);
    this.state = {
      csr: new Uint8Array(R.CSR_SIZE),
      cuState: R.CU_IDLE,
      ruState: R.RU_IDLE,
      cuBase: 0,
      cuOffset: 0,
      ruBase: 0,
      ruOffset: 0,
      statsAddress: 0,
      config: new Uint8Array(22),
      ia: new Uint8Array(6),
      hash: new Uint8Array(8),
      mdi: new Uint16Array(32),
      counters: new Uint32Array(20),
    };
    this.cuTimer = o.clock.createTimer(`${o.id} CU`, () => this.runCommandUnit());
    this.softwareReset();
  }

  /** Software reset (PORT 0) and power-on: every unit idle, everything cleared. */
  softwareReset(): void {
    const s = this.state;
    s.hash.fill(0);
    s.counters.fill(0);
    s.cuBase = 0;
    s.ruBase = 0;
    s.statsAddress = 0;
    this.selectiveReset();
  }

  /** PORT selective reset: the units go idle, CSRs clear, configuration and addresses stay. */
  private selectiveReset(): void {
    const s = this.state;
    R.CSR.reset(s.csr);
    s.cuState = R.CU_IDLE;
    s.ruState = R.RU_IDLE;
    s.cuOffset = 0;
    s.ruOffset = 0;
    s.config.set(DEFAULT_CONFIG);
    s.ia.set(this.o.mac);
    s.mdi.fill(0);
    s.mdi.set(PHY_DEFAULT);
    this.cuTimer.cancel();
    this.eeprom.setPins(false, false, false);
    this.updateIrq();
  }

  // --- CSR window --------------------------------------------------------

  read(offset: number, size: 1 | 2 | 4): number {
    let v = 0;
    for (let i = size - 1; i >= 0; i--) v = (v << 8) | this.readByte(offset + i);
    v >>>= 0;
    if (this.registerTrace.active) this.trace(false, offset, size, v);
    return v;
  }

  private readByte(at: number): number {
    const s = this.state;
    if (at >= R.CSR_SIZE) return 0xff;
    switch (at) {
      case R.SCB_STATUS:
        return (s.cuState << 6) | (s.ruState << 2);
      case R.EEPROM_CONTROL:
        return (s.csr[at] & ~R.EEDO) | (this.eeprom.dataOut ? R.EEDO : 0);
      case R.MDI_CONTROL + 3:
        // Transactions complete at once.
        return s.csr[at] | (R.MDI_READY >>> 24);
      case R.PORT:
      case R.PORT + 1:
      case R.PORT + 2:
      case R.PORT + 3:
        return 0;
      case R.GENERAL_STATUS:
        return this.linkUp ? R.GSTAT_LINK | R.GSTAT_100 | R.GSTAT_FDX : 0;
      default:
        return s.csr[at];
    }
  }

  write(offset: number, size: 1 | 2 | 4, value: number): void {
    if (this.registerTrace.active) this.trace(true, offset, size, value);
    if (offset >= R.CSR_SIZE) return;
    const s = this.state;
    const touched = this.touched;
    // Bytes past the CSRs land nowhere; effects run in register order once all bytes landed.
    const n = R.CSR.write(s.csr, offset, Math.min(size, R.CSR_SIZE - offset), value, true, touched);
    for (let i = 0; i < n; i++) this.effect(R.CSR.start[touched[i]]);
  }

  private effect(reg: number): void {
    const s = this.state;
    switch (reg) {
      case R.SCB_STATACK:
        this.updateIrq();
        break;
      case R.SCB_COMMAND:
        this.command(s.csr[R.SCB_COMMAND]);
        break;
      case R.SCB_INTMASK:
        if (s.csr[R.SCB_INTMASK] & R.INTMASK_SI) {
          s.csr[R.SCB_INTMASK] &= ~R.INTMASK_SI;
          this.interrupt(R.STAT_SWI);
        }
        this.updateIrq();
        break;
      case R.PORT:
        this.port_(this.csr32(R.PORT));
        break;
      case R.EEPROM_CONTROL: {
        const v = s.csr[R.EEPROM_CONTROL];
        this.eeprom.setPins((v & R.EECS) !== 0, (v & R.EESK) !== 0, (v & R.EEDI) !== 0);
        break;
      }
      case R.MDI_CONTROL:
        this.mdiCycle();
        break;
      default:
        break;
    }
  }

  private csr32(at: number): number {
    const c = this.state.csr;
    return (c[at] | (c[at + 1] << 8) | (c[at + 2] << 16) | (c[at + 3] << 24)) >>> 0;
  }

  private setCsr32(at: number, v: number): void {
    const c = this.state.csr;
    c[at] = v & 0xff;
    c[at + 1] = (v >>> 8) & 0xff;
    c[at + 2] = (v >>> 16) & 0xff;
    c[at + 3] = v >>> 24;
  }

  // --- SCB commands --------------------------------------------------------

  private command(value: number): void {
    const s = this.state;
    const pointer = this.csr32(R.SCB_GENERAL_POINTER);
    switch (value & 0x07) {
      case R.RUC_START:
        s.ruOffset = pointer;
        this.setRuState(R.RU_READY);
        break;
      case R.RUC_RESUME:
        if (s.ruState === R.RU_SUSPENDED) this.setRuState(R.RU_READY);
        break;
      case R.RUC_ABORT:
        if (s.ruState === R.RU_READY) this.interrupt(R.STAT_RNR);
        s.ruState = R.RU_IDLE;
        break;
      case R.RUC_LOAD_BASE:
        s.ruBase = pointer;
        break;
      default:
        // NOP, DMA redirect and header data size change nothing this model keeps.
        break;
    }
    switch (value >> 4) {
      case R.CUC_START:
        s.cuOffset = pointer;
        // A CU still busy with a list (its next batch on the timer) takes the new one at that batch:
        // a guest looping on CU Start must not get 64 blocks of work per write.
        if (s.cuState === R.CU_ACTIVE && this.cuTimer.armed) break;
        s.cuState = R.CU_ACTIVE;
        this.runCommandUnit();
        break;
      case R.CUC_RESUME:
      case R.CUC_STATIC_RESUME:
        // Linux's old eepro100 resumes an idle CU; the chip takes it as a resume too.
        if (s.cuState !== R.CU_ACTIVE) {
          s.cuState = R.CU_ACTIVE;
          this.runCommandUnit();
        }
        break;
      case R.CUC_LOAD_DUMP_ADDRESS:
        s.statsAddress = pointer & ~3;
        break;
      case R.CUC_DUMP_COUNTERS:
        this.dumpCounters(R.DUMP_COMPLETE);
        break;
      case R.CUC_DUMP_RESET_COUNTERS:
        this.dumpCounters(R.DUMP_RESET_COMPLETE);
        s.counters.fill(0);
        break;
      case R.CUC_LOAD_BASE:
        s.cuBase = pointer;
        break;
      default:
        break;
    }
    // The command byte reads zero once accepted: drivers wait for that before the next command.
    s.csr[R.SCB_COMMAND] = 0;
  }

  private setRuState(state: number): void {
    this.state.ruState = state;
    if (state === R.RU_READY) this.port?.receiveReady();
  }

  private port_(value: number): void {
    const address = (value & ~0xf) >>> 0;
    switch (value & 0xf) {
      case R.PORT_SOFTWARE_RESET:
        this.softwareReset();
        break;
      case R.PORT_SELF_TEST:
        // Signature (non-zero) and result (0: every test passed).
        if (this.busMaster()) {
          this.o.dma.write32(address, 0xffffffff);
          this.o.dma.write32(address + 4, 0);
        }
        break;
      case R.PORT_SELECTIVE_RESET:
        this.selectiveReset();
        break;
      case R.PORT_DUMP:
        this.dumpRegisters(address);
        break;
      default:
        break;
    }
  }

  private busMaster(): boolean {
    return (this.o.fn.command & PCI_COMMAND_MASTER) !== 0;
  }

  // --- command unit ------------------------------------------------------

  /**
   * Walks the command block list from the current CB until a CB with EL or S,
   * at most CU_BATCH blocks at a time: a list that loops (CVE-2015-8345) keeps
   * the CU busy, as on the chip, but in slices of virtual time.
   */
  private runCommandUnit(): void {
    const s = this.state;
    const dma = this.o.dma;
    for (let n = 0; n < CU_BATCH && s.cuState === R.CU_ACTIVE; n++) {
      if (!this.busMaster()) {
        s.cuState = R.CU_IDLE;
        break;
      }
      const cb = (s.cuBase + s.cuOffset) >>> 0;
      const command = dma.read16(cb + 2);
      const link = dma.read32(cb + 4);
      const ok = this.action(cb, command);
      dma.write16(cb, R.CB_C | (ok ? R.CB_OK : 0));
      s.cuOffset = link;
      if (command & R.CB_I) this.interrupt(R.STAT_CX);
      if (command & R.CB_EL) {
        s.cuState = R.CU_IDLE;
        this.interrupt(R.STAT_CNA);
      } else if (command & R.CB_S) {
        s.cuState = R.CU_SUSPENDED;
        this.interrupt(R.STAT_CNA);
      }
    }
    if (s.cuState === R.CU_ACTIVE) this.cuTimer.armIn(CU_BATCH_NS);
  }

  /** Executes one action command; false where the chip reports it not OK. */
  private action(cb: number, command: number): boolean {
    const s = this.state;
    const dma = this.o.dma;
    switch (command & R.CB_CMD) {
      case R.CMD_NOP:
      case R.CMD_LOAD_MICROCODE:
      case R.CMD_DIAGNOSE:
        return true;
      case R.CMD_IA_SETUP:
        dma.read(cb + 8, s.ia);
        return true;
      case R.CMD_CONFIGURE: {
        const count = Math.min(Math.max(dma.read8(cb + 8) & 0x3f, 8), s.config.length);
        dma.read(cb + 8, s.config, 0, count);
        return true;
      }
      case R.CMD_MULTICAST_SETUP: {
        const count = dma.read16(cb + 8) & 0x3fff;
        const address = new Uint8Array(6);
        s.hash.fill(0);
        for (let i = 0; i + 6 <= count; i += 6) {
          dma.read(cb + 10 + i, address);
          const bit = hashIndex(address, 0);
          s.hash[bit >> 3] |= 1 << (bit & 7);
        }
        return true;
      }
      case R.CMD_TRANSMIT:
        return this.transmit(cb, command);
      case R.CMD_DUMP:
        this.dumpRegisters(dma.read32(cb + 8));
        return true;
      default:
        return false;
    }
  }

  /**
   * Transmit: simplified mode takes the data that follows the TCB; flexible
   * mode gathers it from transmit buffer descriptors (after the TCB for an
   * extended TCB, then from the TBD array).
   */
  private transmit(cb: number, command: number): boolean {
    const dma = this.o.dma;
    const s = this.state;
    const tbdArray = dma.read32(cb + 8);
    const tcbCount = dma.read16(cb + 12) & 0x3fff;
    const tbdCount = dma.read8(cb + 15);
    let length = 0;
    let overflow = false;
    const gather = (address: number, size: number) => {
      if (length + size > this.frame.length) {
        overflow = true;
        return;
      }
      dma.read(address, this.frame, length, size);
      length += size;
    };
    const flexible = (command & R.CB_SF) !== 0 && tbdArray !== 0xffffffff;
    if (tcbCount > 0) gather(cb + 16, tcbCount);
    if (flexible) {
      let tbd = cb + 16;
      let done = false;
      // 82558 and later with config byte 6 bit 4 clear: two TBDs follow the TCB itself.
      if (this.o.model.generation > 1 && !(s.config[6] & 0x10)) {
        for (let i = 0; i < 2 && !done; i++, tbd += 8) {
          gather(dma.read32(tbd), dma.read16(tbd + 4) & 0x3fff);
          done = (dma.read16(tbd + 6) & 1) !== 0;
        }
      }
      tbd = tbdArray;
      for (let i = 0; i < tbdCount && !done; i++, tbd += 8) {
        gather(dma.read32(tbd), dma.read16(tbd + 4) & 0x3fff);
        done = (dma.read16(tbd + 6) & 1) !== 0;
      }
    }
    if (overflow || length === 0) return false;
    const frame = this.frame.subarray(0, length);
    s.counters[TX_GOOD]++;
    // Config byte 10 bits 7:6: internal (MAC) or PHY loopback.
    if (s.config[10] & 0xc0) this.receive(frame);
    else this.port?.send(frame);
    return true;
  }

  private dumpCounters(completion: number): void {
    const s = this.state;
    if (!this.busMaster()) return;
    const size = s.config[6] & 0x20 ? 64 : this.o.model.statsSize;
    const block = new Uint8Array(size + 4);
    const view = new DataView(block.buffer);
    for (let i = 0; i < Math.min(16, size / 4); i++) view.setUint32(i * 4, s.counters[i], true);
    view.setUint32(size, completion, true);
    this.o.dma.write(s.statsAddress, block);
  }

  /** PORT and action-command dumps: a 596-byte block; this model's internal registers read as zero. */
  private dumpRegisters(address: number): void {
    if (!this.busMaster()) return;
    this.o.dma.fill(address, 0, 596);
  }

  // --- MDI -----------------------------------------------------------------

  private mdiCycle(): void {
    const s = this.state;
    const v = this.csr32(R.MDI_CONTROL);
    const reg = (v >>> R.MDI_REG_SHIFT) & 0x1f;
    const phy = (v >>> R.MDI_PHY_SHIFT) & 0x1f;
    const op = (v >>> R.MDI_OP_SHIFT) & 3;
    let data = v & R.MDI_DATA;
    if (phy !== R.PHY_ADDRESS) {
      // Nobody at this address: the bus reads zero, as e100's PHY probe expects.
      data = 0;
    } else if (op === R.MDI_OP_WRITE && reg < PHY_WRITABLE.length) {
      if (reg === 0 && data & 0x8000) s.mdi.set(PHY_DEFAULT.slice(0, 2));
      else s.mdi[reg] = (s.mdi[reg] & ~PHY_WRITABLE[reg]) | (data & PHY_WRITABLE[reg] & ~0x0200);
      data = s.mdi[reg];
    } else if (op === R.MDI_OP_READ) {
      data = reg < PHY_DEFAULT.length ? s.mdi[reg] : 0;
      if (reg === 1 && !this.linkUp) data &= ~0x0004;
    }
    this.setCsr32(R.MDI_CONTROL, ((v & 0xffff0000) | data) >>> 0);
    if (v & R.MDI_IE) this.interrupt(R.STAT_MDI);
  }

  // --- receive -------------------------------------------------------------

  canReceive(): boolean {
    return this.state.ruState === R.RU_READY || !this.linkUp;
  }

  linkChanged(up: boolean): void {
    this.linkUp = up;
  }

  /** Address filter; returns the RFD status bits the frame earns, or -1 to drop it. */
  private accept(frame: Uint8Array): number {
    const s = this.state;
    const promiscuous = (s.config[15] & 0x01) !== 0;
    let ia = true;
    for (let i = 0; i < 6; i++) if (frame[i] !== s.ia[i]) ia = false;
    if (ia) return 0;
    if (frame[0] & 1) {
      const broadcast = frame.subarray(0, 6).every((b) => b === 0xff);
      if (broadcast) return s.config[15] & 0x02 && !promiscuous ? -1 : R.RFD_STATUS_IA_MISMATCH;
      if (s.config[21] & 0x08 || promiscuous) return R.RFD_STATUS_IA_MISMATCH;
      const bit = hashIndex(frame, 0);
      return s.hash[bit >> 3] & (1 << (bit & 7)) ? R.RFD_STATUS_IA_MISMATCH : -1;
    }
    return promiscuous ? R.RFD_STATUS_IA_MISMATCH : -1;
  }

  receive(input: Uint8Array): void {
    const s = this.state;
    const dma = this.o.dma;
    if (!this.linkUp || input.length < 14 || input.length > MAX_FRAME + 4) return;
    const status = this.accept(input);
    if (status < 0) return;
    if (s.ruState !== R.RU_READY || !this.busMaster()) {
      s.counters[RX_RESOURCE_ERRORS]++;
      this.interrupt(R.STAT_RNR);
      return;
    }
    // Frames shorter than the Ethernet minimum arrive padded, as from a wire.
    let length = input.length;
    this.rxFrame.set(input);
    if (length < 60) {
      this.rxFrame.fill(0, length, 60);
      length = 60;
    }
    const rfd = (s.ruBase + s.ruOffset) >>> 0;
    const command = dma.read16(rfd + 2);
    const link = dma.read32(rfd + 4);
    const size = dma.read16(rfd + 14) & R.RFD_COUNT;
    let rfdStatus = R.CB_C | R.CB_OK | status;
    let count = length;
    if (count > size) {
      // The frame does not fit: the chip stores what fits and reports it not OK.
      count = size;
      rfdStatus &= ~R.CB_OK;
      s.counters[RX_SHORT_FRAMES]++;
    } else s.counters[RX_GOOD]++;
    dma.write(rfd + 16, this.rxFrame, 0, count);
    dma.write16(rfd + 12, count | R.RFD_EOF | R.RFD_F);
    dma.write16(rfd, rfdStatus);
    this.setCsr32(R.RX_DMA_BYTE_COUNT, count);
    s.ruOffset = link;
    this.interrupt(R.STAT_FR);
    if (command & R.CB_EL) {
      s.ruState = R.RU_NO_RESOURCES;
      this.interrupt(R.STAT_RNR);
    } else if (command & R.CB_S) {
      s.ruState = R.RU_SUSPENDED;
      this.interrupt(R.STAT_RNR);
    }
  }

  // --- interrupts ----------------------------------------------------------

  private interrupt(bits: number): void {
    this.state.csr[R.SCB_STATACK] |= bits;
    this.updateIrq();
  }

  private updateIrq(): void {
    const s = this.state;
    const mask = s.csr[R.SCB_INTMASK];
    let pending = s.csr[R.SCB_STATACK];
    // 82558 and later mask CX, FR, CNA and RNR one by one; ER and FCP by bits 3:2.
    if (this.o.model.generation > 1) pending &= ~((mask & 0xf0) | ((mask >> 2) & 0x03));
    this.o.fn.setIrq(pending !== 0 && !(mask & R.INTMASK_M));
  }

  private trace(write: boolean, offset: number, size: 1 | 2 | 4, value: number): void {
    const name = R.CSR.nameAt(offset);
    let detail = '';
    if (offset === R.SCB_COMMAND && write) {
      const cuc = [
        'NOP',
        'CU Start',
        'CU Resume',
        '3',
        'Load Dump Address',
        'Dump Counters',
        'Load CU Base',
        'Dump and Reset Counters',
      ];
      const ruc = [
        'NOP',
        'RU Start',
        'RU Resume',
        'DMA Redirect',
        'RU Abort',
        'Load HDS',
        'Load RU Base',
        '7',
      ];
      detail = `CUC=${cuc[(value >> 4) & 7] ?? value >> 4} RUC=${ruc[value & 7]}`;
    } else if (offset === R.PORT && write) {
      detail = ['software reset', 'self-test', 'selective reset', 'dump'][value & 3] ?? '';
    }
    this.registerTrace.call({ device: this.o.id, write, register: name, size, value, detail });
  }
}
