import {
  type Clock,
  crc32,
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
import {
  ipv4ChecksumOk,
  ipv4Layout,
  segmentTcp,
  setIpv4Checksum,
  setTransportChecksum,
  transportChecksumOk,
} from './offload.js';
import * as R from './registers.js';

export type Rtl8139Model = 'C+' | 'C';

/** The chip's 256-byte register window and the state behind it. */
export interface Rtl8139State {
  regs: Uint8Array;
  /** C mode: the next TSD to transmit from, 0-3. */
  txNext: number;
  /** C+ mode: ring indexes. */
  txNormalIndex: number;
  txHighIndex: number;
  /** C+ rings (TPPoll_HPQ / TPPoll_NPQ bits) whose transmission paused at a step's end, resumed by `txTimer`. */
  txResume: number;
  rxIndex: number;
  /** CR.RE as last written: turning the receiver on restarts the C-mode ring. */
  rxOn: boolean;
  /** Virtual time (ns) at which TCTR was 0. */
  tctrBase: number;
  /** The cable as the netdev last reported it (BMSR.LINK, MSR.LINKB). */
  linkUp: boolean;
  /** Frames and bytes put on the wire since power-on: what bounds one transmit step. */
  wireFrames: number;
  wireBytes: number;
  /** Tally counters (C+ DTCCR dump). */
  tally: {
    txOk: number;
    rxOk: number;
    txErr: number;
    rxErr: number;
    missed: number;
    rxOkPhy: number;
    rxOkBcast: number;
    rxOkMcast: number;
    txAbt: number;
  };
}

const MAX_FRAME = 1514;
/** C+ rings hold at most 1024 descriptors; a ring without an EOR wraps there. */
const MAX_RING = 1024;
/** A C+ frame may span descriptors up to this size (large send payloads). */
const MAX_CPLUS_FRAME = 65536;
/**
 * Frames on the wire after which one transmit step ends (at the end of the
 * frame in progress); the ring goes on after the wire time of what was sent.
 * With the MSS floor below, one step is at most 63 + 65536 / 88 frames.
 */
export const TX_FRAMES_PER_STEP = 64;
/** 100 Mbit/s. */
const WIRE_NS_PER_BYTE = 80;
/** The smallest segment a TCP stack sends (Linux's TCP_MIN_MSS); 8139cp never asks for less. */
export const MIN_LARGE_SEND_MSS = 88;
/** TCTR counts at the PCI clock. */
const TCTR_NS = 30;

export interface Rtl8139Options {
  id: string;
  model: Rtl8139Model;
  mac: Uint8Array;
  fn: PciFunction;
  dma: Dma;
  clock: Clock;
}

/**
 * The RTL8139C+ (PCI revision 0x20) or RTL8139C (0x10). One instance serves
 * both BARs; `read`/`write` take window offsets and access widths.
 */
export class Rtl8139 implements NetworkClient {
  readonly state: Rtl8139State;
  readonly eeprom: Eeprom93Cx6;
  readonly registerTrace = new TraceHook<RegisterTraceEvent>('rtl8139.register');
  port: NetworkPort | null = null;
  private readonly cplus: boolean;
  private readonly table: typeof R.REGISTERS_CPLUS;
  /** The registers one write touched, for their side effects. */
  private readonly touched = new Int32Array(MAX_ACCESS_BYTES);
  private readonly txBuf = new Uint8Array(MAX_CPLUS_FRAME + 4);
  private readonly rxBuf = new Uint8Array(MAX_CPLUS_FRAME + 8);
  private readonly segment = new Uint8Array(MAX_CPLUS_FRAME);
  private readonly timer: Timer;
  private readonly txTimer: Timer;
  /** Everything in `state` and the EEPROM; TimerInt and the transmit step are the clock's timers. */
  readonly vmstate = objectState(
    { nic: this },
    { version: 1, skip: ['o', 'port', 'cplus', 'touched', 'txBuf', 'rxBuf', 'segment'] },
  );

  constructor(private readonly o: Rtl8139Options) {
    this.cplus = o.model === 'C+';
    this.table = this.cplus ? R.REGISTERS_CPLUS : R.REGISTERS_C;
    const words = new Uint16Array(64);
    words[0] = 0x8129;
    words[1] = 0x10ec;
    words[2] = 0x8139;
    words[3] = 0x10ec;
    words[4] = 0x8139;
    words[5] = 0x4020;
    for (let i = 0; i < 3; i++) words[7 + i] = o.mac[i * 2] | (o.mac[i * 2 + 1] << 8);
    this.eeprom = new Eeprom93Cx6(6, words);
    this.state = {
      regs: new Uint8Array(this.table.size),
      txNext: 0,
      txNormalIndex: 0,
      txHighIndex: 0,
      txResume: 0,
      rxIndex: 0,
      rxOn: false,
      tctrBase: 0,
      linkUp: true,
      wireFrames: 0,
      wireBytes: 0,
      tally: {
        txOk: 0,
        rxOk: 0,
        txErr: 0,
        rxErr: 0,
        missed: 0,
        rxOkPhy: 0,
        rxOkBcast: 0,
        rxOkMcast: 0,
        txAbt: 0,
      },
    };
    this.timer = o.clock.createTimer(`${o.id} TimerInt`, () => this.timerExpired());
    this.txTimer = o.clock.createTimer(`${o.id} transmit`, () => this.resumeTransmit());
    this.powerOn();
  }

  /** Power-on: the table's reset values, IDR from the EEPROM, everything else as after a software reset. */
  powerOn(): void {
    const r = this.state.regs;
    this.table.reset(r);
    for (let i = 0; i < 3; i++) {
      const w = this.eeprom.words[7 + i];
      r[R.IDR0 + i * 2] = w & 0xff;
      r[R.IDR0 + i * 2 + 1] = w >> 8;
    }
    // As QEMU's rtl8139_reset: the tally counters clear, TCTR counts from now and TimerInt is off.
    const s = this.state;
    for (const key of Object.keys(s.tally) as (keyof Rtl8139State['tally'])[]) s.tally[key] = 0;
    s.tctrBase = this.o.clock.now;
    s.wireFrames = 0;
    s.wireBytes = 0;
    this.timer.cancel();
    this.softwareReset();
  }

  /** CR.RST: the receive and transmit state and interrupts go back to idle; IDR, MAR and PHY stay. */
  softwareReset(): void {
    const s = this.state;
    this.table.softReset(s.regs);
    s.txNext = 0;
    s.txNormalIndex = 0;
    s.txHighIndex = 0;
    s.txResume = 0;
    this.txTimer.cancel();
    s.rxIndex = 0;
    s.rxOn = false;
    this.updateIrq();
  }

  /** Live receive and interrupt state for `info qtree`: what a stuck driver is asked about first. */
  status(): string {
    const hex = (v: number, digits: number) => v.toString(16).padStart(digits, '0');
    this.refresh(R.CR, 1);
    const r = this.state.regs;
    const t = this.state.tally;
    const rx = this.cplusRx()
      ? `rx descriptor ${this.state.rxIndex}`
      : `CBR=${hex(this.get16(R.CBR), 4)} CAPR=${hex(this.get16(R.CAPR), 4)} RCR=${hex(this.get32(R.RCR), 8)}`;
    return `CR=${hex(r[R.CR], 2)} IMR=${hex(this.get16(R.IMR), 4)} ISR=${hex(this.get16(R.ISR), 4)} ${rx}; rx ${t.rxOk} ok ${t.missed} missed, tx ${t.txOk} ok`;
  }

  // --- register window -------------------------------------------------

  read(offset: number, size: 1 | 2 | 4): number {
    offset &= 0xff;
    this.refresh(offset, size);
    const r = this.state.regs;
    let v = r[offset];
    if (size > 1) v |= r[(offset + 1) & 0xff] << 8;
    if (size > 2) v = (v | (r[(offset + 2) & 0xff] << 16) | (r[(offset + 3) & 0xff] << 24)) >>> 0;
    if (this.registerTrace.active) this.trace(false, offset, size, v);
    return v;
  }

  write(offset: number, size: 1 | 2 | 4, value: number): void {
    offset &= 0xff;
    if (this.registerTrace.active) this.trace(true, offset, size, value);
    const r = this.state.regs;
    const unlocked = r[R.CR9346] >> R.CR9346_EEM_SHIFT === R.CR9346_EEM_CONFIG_WRITE;
    const touched = this.touched;
    // Effects run once per register, after all of this access's bytes landed.
    const n = this.table.write(r, offset, size, value, unlocked, touched);
    for (let i = 0; i < n; i++) this.effect(this.table.start[touched[i]]);
  }

  /** Recomputes registers whose value is live state before a read of [offset, offset+size). */
  private refresh(offset: number, size: number): void {
    const r = this.state.regs;
    const end = offset + size;
    if (offset <= R.CR && end > R.CR)
      r[R.CR] = (r[R.CR] & ~R.CR_BUFE & ~R.CR_RST) | (this.rxBufferEmpty() ? R.CR_BUFE : 0);
    if (offset < R.TCTR + 4 && end > R.TCTR)
      this.set32(R.TCTR, Math.floor((this.o.clock.now - this.state.tctrBase) / TCTR_NS));
    if (offset <= R.CR9346 && end > R.CR9346) {
      r[R.CR9346] = (r[R.CR9346] & ~R.CR9346_EEDO) | (this.eeprom.dataOut ? R.CR9346_EEDO : 0);
    }
    if (offset < R.TSAD + 2 && end > R.TSAD) {
      let summary = 0;
      for (let i = 0; i < 4; i++) {
        const tsd = this.get32(R.TSD0 + i * 4);
        if (tsd & R.TSD_TOK) summary |= 1 << (12 + i);
        if (tsd & R.TSD_TUN) summary |= 1 << (8 + i);
        if (tsd & R.TSD_TABT) summary |= 1 << (4 + i);
        if (tsd & R.TSD_OWN) summary |= 1 << i;
      }
      this.set16(R.TSAD, summary);
    }
    if (offset < R.BMSR + 2 && end > R.BMSR)
      this.set16(R.BMSR, this.state.linkUp ? R.BMSR_LINKED : R.BMSR_LINKED & ~R.BMSR_LINK);
    if (offset <= R.MSR && end > R.MSR) r[R.MSR] = this.state.linkUp ? 0 : R.MSR_LINKB;
  }

  private effect(reg: number): void {
    const r = this.state.regs;
    switch (reg) {
      case R.CR:
        if (r[R.CR] & R.CR_RST) {
          this.softwareReset();
          return;
        }
        r[R.CR] &= R.CR_RE | R.CR_TE;
        if (r[R.CR] & R.CR_RE && !this.state.rxOn) {
          // The receiver starts at the ring's beginning: 8139too's recovery
          // from a receive error disables and re-enables it, then reads from
          // offset 0 again.
          this.set16(R.CBR, 0);
          this.set16(R.CAPR, 0xfff0);
          this.port?.receiveReady();
        }
        this.state.rxOn = (r[R.CR] & R.CR_RE) !== 0;
        break;
      case R.IMR:
        this.updateIrq();
        // A driver unmasking its receive interrupts is ready for what waited meanwhile.
        this.port?.receiveReady();
        break;
      case R.ISR:
        this.updateIrq();
        // 8139cp refills its receive ring without a doorbell; acknowledging is the next best signal.
        if (this.cplusRx()) this.port?.receiveReady();
        break;
      case R.CAPR:
        this.port?.receiveReady();
        break;
      case R.TSD0:
      case R.TSD0 + 4:
      case R.TSD0 + 8:
      case R.TSD0 + 12:
        if (!this.cplus || !(this.get16(R.CPCR) & R.CPCR_CPTxE)) this.transmitC((reg - R.TSD0) >> 2);
        else if (reg === R.DTCCR && this.get32(R.DTCCR) & R.DTCCR_CMD) this.dumpTally();
        break;
      case R.TCTR:
        this.state.tctrBase = this.o.clock.now;
        this.armTimer();
        break;
      case R.TimerInt:
        this.armTimer();
        break;
      case R.MPC:
        this.set32(R.MPC, 0);
        break;
      case R.CR9346: {
        const v = r[R.CR9346];
        const eem = v >> R.CR9346_EEM_SHIFT;
        if (eem === R.CR9346_EEM_PROGRAM) {
          this.eeprom.setPins(
            (v & R.CR9346_EECS) !== 0,
            (v & R.CR9346_EESK) !== 0,
            (v & R.CR9346_EEDI) !== 0,
          );
        } else {
          this.eeprom.setPins(false, false, false);
          if (eem === R.CR9346_EEM_AUTOLOAD) {
            // Auto-load reloads from the EEPROM, then the mode returns to normal.
            this.powerOn();
            r[R.CR9346] = 0;
          }
        }
        break;
      }
      case R.BMCR: {
        // Reset and restart-negotiation complete at once; the link partner is always 100 Mb/s full duplex.
        const v = this.get16(R.BMCR) & ~(R.BMCR_RESET | R.BMCR_RESTART_AN);
        this.set16(R.BMCR, v);
        break;
      }
      case R.TPPoll:
        if (this.cplus) {
          const v = r[R.TPPoll];
          r[R.TPPoll] = 0;
          if (v & R.TPPoll_FSWInt) this.raise(R.ISR_SWINT);
          // A ring still going out at wire speed is not restarted: a guest looping on TPPoll gains nothing.
          const busy = this.state.txResume;
          if (v & R.TPPoll_HPQ && !(busy & R.TPPoll_HPQ)) this.transmitCPlus(R.THPDS, true);
          if (v & R.TPPoll_NPQ && !(busy & R.TPPoll_NPQ)) this.transmitCPlus(R.TNPDS, false);
        }
        break;
      case R.CPCR:
        if (!this.cplus) this.set16(R.CPCR, 0);
        break;
      default:
        break;
    }
  }

  // --- transmit ----------------------------------------------------------

  private busMaster(): boolean {
    return (this.o.fn.command & PCI_COMMAND_MASTER) !== 0;
  }

  /** C mode: writing TSDn hands descriptor n to the chip. */
  private transmitC(n: number): void {
    const tsdReg = R.TSD0 + n * 4;
    let tsd = this.get32(tsdReg) & ~(R.TSD_OWN | R.TSD_TOK | R.TSD_TUN | R.TSD_TABT);
    const size = tsd & R.TSD_SIZE;
    if (!(this.state.regs[R.CR] & R.CR_TE)) {
      this.set32(tsdReg, tsd);
      return;
    }
    if (size > R.TSD_MAX_SIZE || size === 0 || !this.busMaster()) {
      // The chip aborts what it cannot fetch or send.
      this.set32(tsdReg, tsd | R.TSD_OWN | R.TSD_TABT);
      this.state.tally.txAbt++;
      this.state.tally.txErr++;
      this.raise(R.ISR_TER);
      return;
    }
    this.o.dma.read(this.get32(R.TSAD0 + n * 4), this.txBuf, 0, size);
    this.send(this.txBuf, size);
    tsd |= R.TSD_OWN | R.TSD_TOK;
    this.set32(tsdReg, tsd);
    this.state.txNext = (n + 1) & 3;
    this.state.tally.txOk++;
    this.raise(R.ISR_TOK);
  }

  /** The C+ rings whose transmission paused at a step's end go on where they stopped. */
  private resumeTransmit(): void {
    const pending = this.state.txResume;
    if (pending & R.TPPoll_HPQ) this.transmitCPlus(R.THPDS, true);
    if (pending & R.TPPoll_NPQ) this.transmitCPlus(R.TNPDS, false);
  }

  /**
   * C+ mode: sends the frames the ring at `ringReg` holds, up to one ring's
   * worth, in steps of about `TX_FRAMES_PER_STEP` frames on the wire.
   */
  private transmitCPlus(ringReg: number, high: boolean): void {
    const dma = this.o.dma;
    if (!(this.state.regs[R.CR] & R.CR_TE) || !(this.get16(R.CPCR) & R.CPCR_CPTxE) || !this.busMaster())
      return;
    const base = this.get32(ringReg);
    const hi = this.get32(ringReg + 4);
    let index = high ? this.state.txHighIndex : this.state.txNormalIndex;
    let length = 0;
    let overflow = false;
    let first = 0;
    let vlan = 0;
    let sent = 0;
    const wireStart = this.state.wireFrames;
    const bytesStart = this.state.wireBytes;
    const bit = high ? R.TPPoll_HPQ : R.TPPoll_NPQ;
    this.state.txResume &= ~bit;
    for (let n = 0; n < MAX_RING; n++) {
      if (this.state.wireFrames - wireStart >= TX_FRAMES_PER_STEP) {
        // One doorbell is a bounded amount of work: the rest goes out at wire speed.
        this.state.txResume |= bit;
        if (!this.txTimer.armed) this.txTimer.armIn((this.state.wireBytes - bytesStart) * WIRE_NS_PER_BYTE);
        break;
      }
      const desc = (base + index * 16) >>> 0;
      const opts1 = hi === 0 ? dma.read32(desc) : 0;
      if (!(opts1 & R.DESC_OWN) || hi !== 0) {
        if (sent === 0) this.raise(R.ISR_TDU);
        break;
      }
      const opts2 = dma.read32(desc + 4);
      const bufLo = dma.read32(desc + 8);
      const bufHi = dma.read32(desc + 12);
      if (opts1 & R.DESC_FS) {
        length = 0;
        overflow = false;
        first = opts1;
        vlan = opts2;
      }
      const size = opts1 & R.TXD_LENGTH;
      if (length + size > MAX_CPLUS_FRAME || bufHi !== 0) overflow = true;
      else if (!dma.read(bufLo, this.txBuf, length, size)) overflow = true;
      else length += size;
      // Hand the descriptor back: OWN clear, the rest as the driver wrote it.
      dma.write32(desc, opts1 & ~R.DESC_OWN);
      index = opts1 & R.DESC_EOR ? 0 : (index + 1) % MAX_RING;
      if (opts1 & R.DESC_LS) {
        if (overflow) {
          this.state.tally.txErr++;
          this.raise(R.ISR_TER);
        } else {
          this.sendOffloaded(length, first, vlan);
          this.state.tally.txOk++;
          sent++;
        }
      }
    }
    if (high) this.state.txHighIndex = index;
    else this.state.txNormalIndex = index;
    if (sent) this.raise(R.ISR_TOK);
  }

  private sendOffloaded(length: number, opts1: number, opts2: number): void {
    let frame = this.txBuf;
    if (opts2 & R.TXD_TAGC && length >= 12 && length + 4 <= frame.length) {
      // Insert the 802.1Q tag after the addresses; the driver stores the TCI byte-swapped.
      frame.copyWithin(16, 12, length);
      frame[12] = 0x81;
      frame[13] = 0x00;
      frame[14] = opts2 & 0xff;
      frame[15] = (opts2 >> 8) & 0xff;
      length += 4;
    }
    if (opts1 & R.TXD_LGSEN) {
      // QEMU skips the offload for MSS 0 only; MSS 1 would cut a 64 KiB frame into 65,000 (issue 19).
      const mss = Math.max((opts1 >> R.TXD_MSS_SHIFT) & R.TXD_MSS_MASK, MIN_LARGE_SEND_MSS);
      if (segmentTcp(frame, length, mss, this.segment, (seg) => this.send(seg, seg.length))) return;
    } else if (opts1 & (R.TXD_IPCS | R.TXD_TCPCS | R.TXD_UDPCS)) {
      const l = ipv4Layout(frame, length);
      if (l) {
        if (opts1 & R.TXD_IPCS) setIpv4Checksum(frame, l);
        if (opts1 & (R.TXD_TCPCS | R.TXD_UDPCS)) setTransportChecksum(frame, l);
      }
    }
    frame = frame.subarray(0, length);
    this.send(frame, length);
  }

  /** Puts a frame on the wire, or back into the receiver in loopback mode. */
  private send(frame: Uint8Array, length: number): void {
    const f = frame.subarray(0, length);
    this.state.wireFrames++;
    this.state.wireBytes += length;
    if (((this.get32(R.TCR) >> R.TCR_LBK_SHIFT) & 3) === 3) this.receive(f);
    else this.port?.send(f);
  }

  // --- receive -----------------------------------------------------------

  private cplusRx(): boolean {
    return this.cplus && (this.get16(R.CPCR) & R.CPCR_CPRxE) !== 0;
  }

  private rxRingSize(): number {
    return 8192 << ((this.get32(R.RCR) >> R.RCR_RBLEN_SHIFT) & 3);
  }

  private rxReadPointer(): number {
    return ((this.get16(R.CAPR) + 16) & 0xffff) % this.rxRingSize();
  }

  private rxBufferEmpty(): boolean {
    return this.get16(R.CBR) % this.rxRingSize() === this.rxReadPointer();
  }

  /** Free bytes in the C-mode ring; the write pointer never catches up with the read pointer. */
  private rxFree(): number {
    const size = this.rxRingSize();
    const cbr = this.get16(R.CBR) % size;
    const read = this.rxReadPointer();
    return read === cbr ? size : (read - cbr + size) % size;
  }

  /**
   * Asked while a frame waits. Without room it stays in the chip's FIFO (the
   * backend's queue) and RXOVW (RDU in C+ mode) says the ring is exhausted, as
   * the datasheet defines the bit. That interrupt is what wakes 8139too when
   * its NAPI poll stopped at its budget after acknowledging ROK with frames
   * still in the ring; on a wire, the next frame to arrive would do the same.
   */
  canReceive(): boolean {
    if (!this.state.linkUp || !(this.state.regs[R.CR] & R.CR_RE)) return true; // accepted and dropped
    const room = this.cplusRx() ? this.rxDescriptorOwned() : this.rxFree() > MAX_FRAME + 4 + 4 + 4;
    if (!room) this.raise(R.ISR_RXOVW);
    return room;
  }

  private rxDescriptorOwned(): boolean {
    const hi = this.get32(R.RDSAR + 4);
    const desc = (this.get32(R.RDSAR) + this.state.rxIndex * 16) >>> 0;
    return hi !== 0 || (this.o.dma.read32(desc) & R.DESC_OWN) !== 0;
  }

  linkChanged(up: boolean): void {
    if (up === this.state.linkUp) return;
    this.state.linkUp = up;
    this.raise(R.ISR_PUN_LINKCHG);
  }

  /** Address filter: which header status bit the frame earns, or 0 to drop it. */
  private accept(frame: Uint8Array): number {
    const rcr = this.get32(R.RCR);
    const r = this.state.regs;
    if (frame[0] & 1) {
      const broadcast =
        frame[0] === 0xff &&
        frame[1] === 0xff &&
        frame[2] === 0xff &&
        frame[3] === 0xff &&
        frame[4] === 0xff &&
        frame[5] === 0xff;
      if (broadcast) return rcr & (R.RCR_AB | R.RCR_AAP) ? R.RX_BAR : 0;
      if (rcr & R.RCR_AAP) return R.RX_MAR;
      if (!(rcr & R.RCR_AM)) return 0;
      const bit = crc32(frame, 0, 6) >>> 26;
      return r[R.MAR0 + (bit >> 3)] & (1 << (bit & 7)) ? R.RX_MAR : 0;
    }
    for (let i = 0; i < 6; i++) {
      if (frame[i] !== r[R.IDR0 + i]) return rcr & R.RCR_AAP ? R.RX_PAM : 0;
    }
    return rcr & (R.RCR_APM | R.RCR_AAP) ? R.RX_PAM : 0;
  }

  receive(input: Uint8Array): void {
    if (!this.state.linkUp || !(this.state.regs[R.CR] & R.CR_RE) || input.length < 14 || !this.busMaster())
      return;
    const match = this.accept(input);
    if (match === 0) return;
    // Frames shorter than the Ethernet minimum arrive padded, as from a wire; then the FCS.
    // Nothing on a wire is longer than the receive buffer; a backend that hands over more is dropped.
    if (input.length > this.rxBuf.length - 8) return;
    let length = input.length;
    this.rxBuf.set(input);
    if (length < 60) {
      this.rxBuf.fill(0, length, 60);
      length = 60;
    }
    if (this.cplusRx()) this.receiveCPlus(length, match);
    else this.receiveC(length, match);
  }

  private appendFcs(length: number): number {
    const fcs = crc32(this.rxBuf, 0, length);
    this.rxBuf[length] = fcs & 0xff;
    this.rxBuf[length + 1] = (fcs >>> 8) & 0xff;
    this.rxBuf[length + 2] = (fcs >>> 16) & 0xff;
    this.rxBuf[length + 3] = fcs >>> 24;
    return length + 4;
  }

  private countReceived(match: number): void {
    const t = this.state.tally;
    t.rxOk++;
    if (match === R.RX_PAM) t.rxOkPhy++;
    else if (match === R.RX_BAR) t.rxOkBcast++;
    else t.rxOkMcast++;
  }

  private receiveC(length: number, match: number): void {
    if (length > MAX_FRAME) return;
    const withFcs = this.appendFcs(length);
    const need = (4 + withFcs + 3) & ~3;
    if (this.rxFree() <= need) {
      this.set32(R.MPC, (this.get32(R.MPC) + 1) & 0xffffff);
      this.state.tally.missed++;
      this.raise(R.ISR_RXOVW);
      return;
    }
    const size = this.rxRingSize();
    const start = this.get32(R.RBSTART);
    const cbr = this.get16(R.CBR) % size;
    const header = R.RX_ROK | match | (withFcs << 16);
    const dma = this.o.dma;
    dma.write32((start + cbr) >>> 0, header);
    const dataAt = (cbr + 4) % size;
    if (this.get32(R.RCR) & R.RCR_WRAP || dataAt + withFcs <= size) {
      // WRAP set: the packet runs on past the ring's end into the driver's slack.
      dma.write((start + dataAt) >>> 0, this.rxBuf, 0, withFcs);
    } else {
      const head = size - dataAt;
      dma.write((start + dataAt) >>> 0, this.rxBuf, 0, head);
      dma.write(start >>> 0, this.rxBuf, head, withFcs - head);
    }
    this.set16(R.CBR, (cbr + need) % size);
    this.countReceived(match);
    this.raise(R.ISR_ROK);
  }

  private receiveCPlus(length: number, match: number): void {
    const dma = this.o.dma;
    const s = this.state;
    let vlanTag = 0;
    if (
      this.get16(R.CPCR) & R.CPCR_RxVLAN &&
      length >= 18 &&
      this.rxBuf[12] === 0x81 &&
      this.rxBuf[13] === 0x00
    ) {
      vlanTag = R.RXD_TAVA | this.rxBuf[14] | (this.rxBuf[15] << 8);
      this.rxBuf.copyWithin(12, 16, length);
      length -= 4;
    }
    const checksum = this.get16(R.CPCR) & R.CPCR_RxChkSum ? this.checksumStatus(length) : 0;
    const withFcs = this.appendFcs(length);
    const hi = this.get32(R.RDSAR + 4);
    const desc = (this.get32(R.RDSAR) + s.rxIndex * 16) >>> 0;
    const opts1 = hi === 0 ? dma.read32(desc) : 0;
    if (!(opts1 & R.DESC_OWN)) {
      s.tally.missed++;
      this.set32(R.MPC, (this.get32(R.MPC) + 1) & 0xffffff);
      this.raise(R.ISR_RDU);
      return;
    }
    const bufLo = dma.read32(desc + 8);
    const bufHi = dma.read32(desc + 12);
    if (withFcs > (opts1 & R.RXD_BUFFER_SIZE) || bufHi !== 0 || !dma.write(bufLo, this.rxBuf, 0, withFcs)) {
      // Frames are not split across descriptors: one that does not fit is lost, as in QEMU's model.
      s.tally.rxErr++;
      s.tally.missed++;
      this.raise(R.ISR_RXOVW);
      return;
    }
    const multicast = match === R.RX_MAR ? R.RXD_MAR : match === R.RX_PAM ? R.RXD_PAM : R.RXD_BAR;
    dma.write32(desc + 4, vlanTag);
    dma.write32(desc, (opts1 & R.DESC_EOR) | R.DESC_FS | R.DESC_LS | multicast | checksum | withFcs);
    s.rxIndex = opts1 & R.DESC_EOR ? 0 : (s.rxIndex + 1) % MAX_RING;
    this.countReceived(match);
    this.raise(R.ISR_ROK);
  }

  /** The PID and fail bits of a C+ receive descriptor, for 8139cp's cp_rx_csum_ok. */
  private checksumStatus(length: number): number {
    const l = ipv4Layout(this.rxBuf, length);
    if (!l) return 0;
    let status = (ipv4ChecksumOk(this.rxBuf, l) ? 0 : R.RXD_IPF) | (R.RXD_PID_IP << R.RXD_PID_SHIFT);
    if (l.protocol === 6 || l.protocol === 17) {
      const pid = l.protocol === 6 ? R.RXD_PID_TCP : R.RXD_PID_UDP;
      status = (status & ~(3 << R.RXD_PID_SHIFT)) | (pid << R.RXD_PID_SHIFT);
      if (!transportChecksumOk(this.rxBuf, l)) status |= l.protocol === 6 ? R.RXD_TCPF : R.RXD_UDPF;
    }
    return status;
  }

  // --- tally, timer, interrupts ------------------------------------------

  /** DTCCR: writes the 64-byte tally counter block to the address, then clears the command bit. */
  private dumpTally(): void {
    const t = this.state.tally;
    const addr = (this.get32(R.DTCCR) & ~0x3f) >>> 0;
    const block = new DataView(new ArrayBuffer(64));
    block.setUint32(0x00, t.txOk, true);
    block.setUint32(0x08, t.rxOk, true);
    block.setUint32(0x10, t.txErr, true);
    block.setUint32(0x18, t.rxErr, true);
    block.setUint16(0x1c, t.missed & 0xffff, true);
    block.setUint32(0x24, t.rxOkPhy, true);
    block.setUint32(0x2c, t.rxOkBcast, true);
    block.setUint32(0x34, t.rxOkMcast, true);
    block.setUint16(0x38, t.txAbt & 0xffff, true);
    if (this.get32(R.DTCCR + 4) === 0 && this.busMaster())
      this.o.dma.write(addr, new Uint8Array(block.buffer));
    this.set32(R.DTCCR, this.get32(R.DTCCR) & ~R.DTCCR_CMD);
  }

  private armTimer(): void {
    const target = this.get32(R.TimerInt);
    if (target === 0) {
      this.timer.cancel();
      return;
    }
    const period = 2 ** 32 * TCTR_NS;
    let when = this.state.tctrBase + target * TCTR_NS;
    while (when <= this.o.clock.now) when += period;
    this.timer.arm(when);
  }

  private timerExpired(): void {
    this.raise(R.ISR_TIMEOUT);
    this.armTimer();
  }

  private raise(bits: number): void {
    this.set16(R.ISR, this.get16(R.ISR) | bits);
    this.updateIrq();
  }

  private updateIrq(): void {
    this.o.fn.setIrq((this.get16(R.ISR) & this.get16(R.IMR)) !== 0);
  }

  // --- helpers -----------------------------------------------------------

  get16(offset: number): number {
    const r = this.state.regs;
    return r[offset] | (r[offset + 1] << 8);
  }

  get32(offset: number): number {
    const r = this.state.regs;
    return (r[offset] | (r[offset + 1] << 8) | (r[offset + 2] << 16) | (r[offset + 3] << 24)) >>> 0;
  }

  private set16(offset: number, v: number): void {
    this.state.regs[offset] = v & 0xff;
    this.state.regs[offset + 1] = (v >>> 8) & 0xff;
  }

  private set32(offset: number, v: number): void {
    this.set16(offset, v & 0xffff);
    this.set16(offset + 2, v >>> 16);
  }

  private trace(write: boolean, offset: number, size: 1 | 2 | 4, value: number): void {
    this.registerTrace.call({
      device: this.o.id,
      write,
      register: this.table.nameAt(offset),
      size,
      value,
      detail: this.describe(offset, value),
    });
  }

  /** The table's bit names, and the fields they do not cover. */
  private describe(offset: number, value: number): string {
    const bits = this.table.describe(offset, value);
    if (offset >= R.TSD0 && offset < R.TSD0 + 16) {
      // C+ mode: DTCCR lies over TSD0-1; TSD2-3 are unused.
      return this.cplus ? '' : `size=${value & R.TSD_SIZE} ${bits}`.trim();
    }
    if (offset === R.RCR) return `${bits} RBLEN=${8 << ((value >> R.RCR_RBLEN_SHIFT) & 3)}K`.trim();
    // In C+ mode the receive overflow bit means the descriptors ran out.
    if (this.cplus && (offset === R.IMR || offset === R.ISR)) return bits.replace('RXOVW', 'RXOVW/RDU');
    return bits;
  }
}
