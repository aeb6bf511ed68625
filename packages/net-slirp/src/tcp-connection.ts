import type net from 'node:net';
import { ByteRing } from './byte-ring.js';
import { PROTO_TCP } from './ipv4.js';
import type { Stack } from './stack.js';
import {
  ACK,
  buildTcp,
  FIN,
  PSH,
  RST,
  SYN,
  type SynOptions,
  seqAdd,
  seqDiff,
  seqLe,
  seqLt,
  type TcpSegment,
} from './tcp-segment.js';
import type { VirtualTimer } from './virtual-timers.js';

export type TcpState =
  | 'CONNECTING'
  | 'SYN_SENT'
  | 'SYN_RECEIVED'
  | 'ESTABLISHED'
  | 'FIN_WAIT_1'
  | 'FIN_WAIT_2'
  | 'CLOSING'
  | 'TIME_WAIT'
  | 'CLOSE_WAIT'
  | 'LAST_ACK'
  | 'CLOSED';

/** Our MSS toward the guest: a 1500-byte MTU less IP and TCP headers. */
export const OUR_MSS = 1460;
/** The guest's MSS when its SYN names none (RFC 1122). */
const DEFAULT_MSS = 536;
const RTO_INITIAL_NS = 1e9;
const RTO_MAX_NS = 60e9;
const MAX_RETRIES = 8;
/** TIME_WAIT, shorter than 2*MSL: the peer is a guest one hop away. */
export const TIME_WAIT_NS = 10e9;
/** A guest's MSS, floored so a hostile tiny MSS cannot make us send a segment per byte. */
function guestMss(announced: number): number {
  return announced === 0 ? DEFAULT_MSS : Math.max(64, announced);
}

/** The smallest window scale shift that lets the window field cover `bytes`. */
function shiftFor(bytes: number): number {
  let shift = 0;
  while (shift < 14 && 65535 * 2 ** shift < bytes) shift++;
  return shift;
}

/** Room a host read may need: Node reads up to 64 KiB at a time. */
const READ_CHUNK = 65536;

/** What a connection needs from its table. */
export interface TcpOwner {
  readonly stack: Stack;
  remove(conn: TcpConnection): void;
  /** Calls `endOfBurst` once the frames the guest is sending now are all in (the end of the CPU slice). */
  afterBurst(conn: TcpConnection): void;
}

/**
 * One TCP connection between the guest and a host socket. Toward the guest it
 * is a full TCP endpoint: handshake with MSS, sliding windows both ways,
 * retransmission and window probes on virtual time, FIN/RST in every state,
 * half-close both ways and TIME_WAIT. Flow control: host data waits in a
 * bounded ring until the guest acknowledges it, and the host socket is paused
 * while the ring is full; guest data goes straight to the host socket, and the
 * window offered to the guest shrinks as the socket's write buffer fills.
 */
export class TcpConnection {
  state: TcpState;
  private readonly sendBuf: ByteRing;
  private overflow: Buffer[] = [];
  private iss: number;
  private sndUna: number;
  private sndNxt: number;
  /** Highest sequence number sent: ACKs up to it are valid even after a go-back retransmission. */
  private sndMax: number;
  /** The guest's send window in bytes (its window field scaled by `sndShift`). */
  private sndWnd = 0;
  /** Window scale shifts (RFC 7323): the guest's, and ours; both 0 unless both SYNs carried the option. */
  private sndShift = 0;
  private rcvShift = 0;
  private readonly ourShift: number;
  private scaling = false;
  private sndWl1 = 0;
  private sndWl2 = 0;
  private guestMss = DEFAULT_MSS;
  private rcvNxt = 0;
  /** Right edge of the window last offered: never moved left. */
  private rcvAdv = 0;
  private hostEnded = false;
  private finSent = false;
  private finSeq = 0;
  private guestFin = false;
  private paused = false;
  private corked = false;
  private ackPending = false;
  private rto = RTO_INITIAL_NS;
  private retries = 0;
  /** Duplicate ACKs in a row (RFC 5681); the third resends the segment the guest lacks. */
  private dupAcks = 0;
  /** In fast recovery until the guest acknowledges `recover` (sndMax when it began, RFC 6582). */
  private recovering = false;
  private recover = 0;
  private readonly timer: VirtualTimer;

  constructor(
    private readonly owner: TcpOwner,
    readonly key: string,
    readonly guestIp: number,
    readonly guestPort: number,
    readonly localIp: number,
    readonly localPort: number,
    private readonly socket: net.Socket,
    iss: number,
    state: 'CONNECTING' | 'SYN_SENT',
  ) {
    const { stack } = owner;
    this.sendBuf = new ByteRing(stack.config.limits.tcpSendBuffer);
    this.ourShift = shiftFor(stack.config.limits.tcpReceiveBuffer);
    this.iss = iss;
    this.sndUna = iss;
    this.sndNxt = iss;
    this.sndMax = iss;
    this.state = state;
    this.timer = stack.timers.create(() => this.onTimer());
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onHostData(chunk));
    socket.on('end', () => this.onHostEnd());
    socket.on('error', (err) => this.onHostError(err));
    socket.on('drain', () => this.onHostDrain());
    socket.on('close', () => {
      if (this.state !== 'CLOSED' && this.state !== 'TIME_WAIT' && !this.hostEnded) this.abort();
    });
    if (state === 'CONNECTING') socket.on('connect', () => this.onHostConnected());
    else {
      this.pause();
      this.sendSyn();
    }
  }

  /** The guest's SYN that opened a connection toward the host. */
  acceptSyn(seg: TcpSegment): void {
    this.rcvNxt = seqAdd(seg.seq, 1);
    this.rcvAdv = this.rcvNxt;
    this.guestMss = guestMss(seg.mss);
    this.takeShift(seg);
    this.sndWnd = seg.window;
    this.sndWl1 = seg.seq;
  }

  get bufferedFromHost(): number {
    return this.sendBuf.length;
  }

  onSegment(seg: TcpSegment): void {
    switch (this.state) {
      case 'CLOSED':
        return;
      case 'CONNECTING':
        if (seg.flags & RST) this.close(true);
        return;
      case 'SYN_SENT':
        this.onSegmentSynSent(seg);
        return;
    }
    const segLen = seg.data.length + (seg.flags & SYN ? 1 : 0) + (seg.flags & FIN ? 1 : 0);
    if (!this.acceptable(seg.seq, segLen)) {
      if (!(seg.flags & RST)) this.sendAck();
      return;
    }
    if (seg.flags & RST) {
      this.close(true);
      return;
    }
    if (seg.flags & SYN) {
      // A SYN inside the window of a synchronized connection: challenge ACK (RFC 5961) rather than reset.
      this.sendAck();
      return;
    }
    if (!(seg.flags & ACK)) return;
    if (this.state === 'SYN_RECEIVED') {
      if (seqLt(this.sndUna, seg.ack) && seqLe(seg.ack, this.sndNxt)) {
        this.state = 'ESTABLISHED';
        this.sndUna = seg.ack;
        this.retries = 0;
        this.rto = RTO_INITIAL_NS;
        this.timer.cancel();
        this.updateWindow(seg);
        this.resumeIfRoom();
      } else {
        this.sendRst(seg.ack);
        return;
      }
    }
    if (seqLt(this.sndMax, seg.ack)) {
      this.sendAck();
      return;
    }
    if (seqLt(this.sndUna, seg.ack)) this.onAcked(seg.ack);
    else if (this.isDuplicateAck(seg) && ++this.dupAcks === 3) {
      this.recovering = true;
      this.recover = this.sndMax;
      this.retransmitFirst();
    }
    this.updateWindow(seg);
    const now = this.state as TcpState;
    if (now === 'CLOSED' || now === 'TIME_WAIT') {
      if (now === 'TIME_WAIT' && seg.flags & FIN) this.sendAck();
      return;
    }
    let ackDue = false;
    if (seg.data.length > 0 && this.receivesData()) ackDue = this.onData(seg);
    if (seg.flags & FIN && !this.guestFin && seqAdd(seg.seq, seg.data.length) === this.rcvNxt) {
      this.onGuestFin();
      ackDue = true;
    }
    // One ACK for all the segments of a burst, sent after the host socket took them (so its window is current).
    if (ackDue && !this.ackPending) {
      this.ackPending = true;
      this.owner.afterBurst(this);
    }
    this.trySend();
  }

  /** Tears down without a word to the guest (the slirp is closing). */
  destroy(): void {
    this.close(true);
  }

  private onSegmentSynSent(seg: TcpSegment): void {
    const ackOk = seg.ack === seqAdd(this.iss, 1);
    if (seg.flags & ACK && !ackOk) {
      if (!(seg.flags & RST)) this.sendRst(seg.ack);
      return;
    }
    if (seg.flags & RST) {
      if (seg.flags & ACK) this.close(true);
      return;
    }
    if (!(seg.flags & SYN) || !(seg.flags & ACK)) return;
    this.rcvNxt = seqAdd(seg.seq, 1);
    this.rcvAdv = this.rcvNxt;
    this.guestMss = guestMss(seg.mss);
    this.takeShift(seg);
    this.sndUna = seg.ack;
    this.sndWnd = seg.window;
    this.sndWl1 = seg.seq;
    this.sndWl2 = seg.ack;
    this.state = 'ESTABLISHED';
    this.retries = 0;
    this.rto = RTO_INITIAL_NS;
    this.timer.cancel();
    this.sendAck();
    this.resumeIfRoom();
  }

  private takeShift(seg: TcpSegment): void {
    this.scaling = seg.wscale >= 0;
    this.sndShift = Math.max(0, seg.wscale);
    this.rcvShift = seg.wscale < 0 ? 0 : this.ourShift;
  }

  private acceptable(seq: number, segLen: number): boolean {
    const wnd = seqDiff(this.rcvAdv, this.rcvNxt);
    const inWindow = (s: number) => seqLe(this.rcvNxt, s) && seqLt(s, seqAdd(this.rcvNxt, wnd));
    if (segLen === 0) return wnd === 0 ? seq === this.rcvNxt : inWindow(seq);
    if (wnd === 0) return false;
    return inWindow(seq) || inWindow(seqAdd(seq, segLen - 1));
  }

  private updateWindow(seg: TcpSegment): void {
    if (seqLt(this.sndWl1, seg.seq) || (this.sndWl1 === seg.seq && seqLe(this.sndWl2, seg.ack))) {
      this.sndWnd = seg.window * 2 ** this.sndShift;
      this.sndWl1 = seg.seq;
      this.sndWl2 = seg.ack;
    }
  }

  private onAcked(ack: number): void {
    const finAcked = this.finSent && ack === seqAdd(this.finSeq, 1);
    const dataAcked = seqDiff(ack, this.sndUna) - (finAcked ? 1 : 0);
    this.sendBuf.consume(dataAcked);
    this.sndUna = ack;
    if (seqLt(this.sndNxt, ack)) this.sndNxt = ack;
    this.retries = 0;
    this.rto = RTO_INITIAL_NS;
    this.dupAcks = 0;
    if (this.sndUna === this.sndNxt) this.timer.cancel();
    else this.timer.armIn(this.rto);
    // A partial ACK in recovery names the next hole: fill it now rather than at the timeout.
    if (this.recovering) {
      if (seqLt(ack, this.recover)) this.retransmitFirst();
      else this.recovering = false;
    }
    this.refill();
    if (!finAcked) return;
    if (this.state === 'FIN_WAIT_1') this.state = this.guestFin ? 'TIME_WAIT' : 'FIN_WAIT_2';
    else if (this.state === 'CLOSING') this.state = 'TIME_WAIT';
    else if (this.state === 'LAST_ACK') {
      this.close(false);
      return;
    }
    if (this.state === 'TIME_WAIT') this.timer.armIn(TIME_WAIT_NS);
  }

  /** RFC 5681's duplicate ACK: nothing new acknowledged, no data, same window, data outstanding. */
  private isDuplicateAck(seg: TcpSegment): boolean {
    return (
      seg.ack === this.sndUna &&
      seg.data.length === 0 &&
      !(seg.flags & (SYN | FIN)) &&
      this.sndMax !== this.sndUna &&
      seg.window * 2 ** this.sndShift === this.sndWnd
    );
  }

  /** Resends the first unacknowledged segment, leaving what follows it in flight. */
  private retransmitFirst(): void {
    const mss = Math.min(this.guestMss, OUR_MSS);
    const len = Math.min(mss, this.sendBuf.length, seqDiff(this.sndMax, this.sndUna));
    if (len > 0) this.sendData(this.sndUna, 0, len, 0);
    this.timer.armIn(this.rto);
  }

  /** The guest's NIC drained slirp's queue: send what was held back. */
  outputReady(): void {
    this.trySend();
  }

  private receivesData(): boolean {
    return this.state === 'ESTABLISHED' || this.state === 'FIN_WAIT_1' || this.state === 'FIN_WAIT_2';
  }

  /** Writes in-order guest data to the host; true when an ACK should go out now. */
  private onData(seg: TcpSegment): boolean {
    const skip = seqDiff(this.rcvNxt, seg.seq);
    // Out of order: TCP's retransmission fills the hole; a duplicate ACK tells the guest where we are.
    if (skip < 0) return true;
    const room = seqDiff(this.rcvAdv, this.rcvNxt);
    const take = Math.min(seg.data.length - skip, room);
    if (take <= 0) return true;
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
    }
    this.socket.write(Buffer.from(seg.data.subarray(skip, skip + take)));
    this.rcvNxt = seqAdd(this.rcvNxt, take);
    return true;
  }

  /** The guest's burst is in: hand the host what it sent, in one write, then acknowledge it. */
  endOfBurst(): void {
    if (this.corked) {
      this.corked = false;
      this.socket.uncork();
    }
    if (!this.ackPending) return;
    this.ackPending = false;
    if (this.state !== 'CLOSED') this.sendAck();
  }

  private onGuestFin(): void {
    if (this.corked) {
      this.corked = false;
      this.socket.uncork();
    }
    this.rcvNxt = seqAdd(this.rcvNxt, 1);
    this.guestFin = true;
    this.socket.end();
    if (this.state === 'ESTABLISHED') this.state = 'CLOSE_WAIT';
    else if (this.state === 'FIN_WAIT_1') this.state = 'CLOSING';
    else if (this.state === 'FIN_WAIT_2') {
      this.state = 'TIME_WAIT';
      this.timer.armIn(TIME_WAIT_NS);
    }
  }

  private trySend(): void {
    const s = this.state;
    if (
      s !== 'ESTABLISHED' &&
      s !== 'CLOSE_WAIT' &&
      s !== 'FIN_WAIT_1' &&
      s !== 'CLOSING' &&
      s !== 'LAST_ACK'
    )
      return;
    const mss = Math.min(this.guestMss, OUR_MSS);
    let offset = seqDiff(this.sndNxt, this.sndUna);
    while (offset < this.sendBuf.length) {
      const room = this.sndWnd - offset;
      if (room <= 0 || this.owner.stack.outputBacklogged()) break;
      const len = Math.min(mss, this.sendBuf.length - offset, room);
      const last = offset + len === this.sendBuf.length;
      this.sendData(this.sndNxt, offset, len, last ? PSH : 0);
      this.advance(len);
      offset += len;
    }
    const finDue = !this.finSent || this.sndNxt === this.finSeq;
    if (this.hostEnded && finDue && offset === this.sendBuf.length && this.overflow.length === 0) {
      this.finSeq = this.sndNxt;
      this.finSent = true;
      this.sendSegment(FIN | ACK, this.sndNxt);
      this.advance(1);
      if (this.state === 'ESTABLISHED') this.state = 'FIN_WAIT_1';
      else if (this.state === 'CLOSE_WAIT') this.state = 'LAST_ACK';
    }
    if (!this.timer.armed && (this.sndNxt !== this.sndUna || this.sendBuf.length > 0))
      this.timer.armIn(this.rto);
  }

  private onTimer(): void {
    if (this.state === 'TIME_WAIT') {
      this.close(false);
      return;
    }
    if (this.state === 'CLOSED' || this.state === 'CONNECTING') return;
    if (++this.retries > MAX_RETRIES) {
      this.owner.stack.log(`tcp ${this.key}: no answer from the guest; resetting`);
      this.sendSegment(RST | ACK, this.sndNxt);
      this.close(true);
      return;
    }
    this.rto = Math.min(this.rto * 2, RTO_MAX_NS);
    this.dupAcks = 0;
    this.recovering = false;
    if (this.state === 'SYN_SENT') this.sendSyn();
    else if (this.state === 'SYN_RECEIVED') this.sendSynAck();
    else if (this.sendBuf.length > 0 && this.sndWnd === 0) {
      // Window probe: one byte past the closed window makes the guest say when it opens.
      this.sndNxt = this.sndUna;
      this.sendData(this.sndNxt, 0, 1, 0);
      this.advance(1);
    } else {
      // Go back: resend everything unacknowledged, FIN included.
      this.sndNxt = this.sndUna;
      this.trySend();
    }
    this.timer.armIn(this.rto);
  }

  private onHostConnected(): void {
    if (this.state !== 'CONNECTING') return;
    this.state = 'SYN_RECEIVED';
    this.sendSynAck();
    this.timer.armIn(this.rto);
  }

  private onHostData(chunk: Buffer): void {
    if (this.state === 'CLOSED' || this.state === 'TIME_WAIT') return;
    const n = this.overflow.length ? 0 : this.sendBuf.push(chunk);
    if (n < chunk.length) this.overflow.push(chunk.subarray(n));
    if (this.sendBuf.free < READ_CHUNK || this.overflow.length) this.pause();
    this.trySend();
  }

  private onHostEnd(): void {
    this.hostEnded = true;
    this.trySend();
  }

  private onHostError(err: NodeJS.ErrnoException): void {
    if (this.state === 'CLOSED') return;
    this.owner.stack.log(`tcp ${this.key}: host ${err.code ?? err.message}`);
    this.abort();
  }

  /** The host side failed or reset: tell the guest (ECONNREFUSED becomes an RST to its SYN). */
  private abort(): void {
    if (this.state === 'CLOSED') return;
    if (this.state === 'CONNECTING') this.sendSegment(RST | ACK, 0);
    else if (this.state !== 'SYN_SENT' && this.state !== 'TIME_WAIT')
      this.sendSegment(RST | ACK, this.sndNxt);
    this.close(true);
  }

  /** The host socket drained: offer the guest the window it freed. */
  private onHostDrain(): void {
    if (!this.receivesData()) return;
    const before = seqDiff(this.rcvAdv, this.rcvNxt);
    if (before < OUR_MSS) this.sendAck();
  }

  private refill(): void {
    while (this.overflow.length > 0) {
      const head = this.overflow[0]!;
      const n = this.sendBuf.push(head);
      if (n < head.length) {
        this.overflow[0] = head.subarray(n);
        return;
      }
      this.overflow.shift();
    }
    this.resumeIfRoom();
  }

  private pause(): void {
    if (!this.paused) this.socket.pause();
    this.paused = true;
  }

  private resumeIfRoom(): void {
    const open = this.state !== 'SYN_SENT' && this.state !== 'SYN_RECEIVED' && this.state !== 'CONNECTING';
    if (this.paused && open && this.overflow.length === 0 && this.sendBuf.free >= READ_CHUNK) {
      this.paused = false;
      this.socket.resume();
    }
  }

  /** Bytes to offer: what the host socket can still take, never retracting an edge already offered. */
  private offer(): number {
    const { limits } = this.owner.stack.config;
    const max = 65535 * 2 ** this.rcvShift;
    const free = Math.max(0, Math.min(max, limits.tcpReceiveBuffer - this.socket.writableLength));
    const edge = seqAdd(this.rcvNxt, free);
    if (seqLt(this.rcvAdv, edge)) this.rcvAdv = edge;
    return seqDiff(this.rcvAdv, this.rcvNxt);
  }

  /** The window field of a segment after the handshake. */
  private window(): number {
    return Math.min(65535, Math.floor(this.offer() / 2 ** this.rcvShift));
  }

  private advance(n: number): void {
    this.sndNxt = seqAdd(this.sndNxt, n);
    if (seqLt(this.sndMax, this.sndNxt)) this.sndMax = this.sndNxt;
  }

  private sendSyn(): void {
    this.sndNxt = seqAdd(this.iss, 1);
    this.sndMax = this.sndNxt;
    this.rcvAdv = this.rcvNxt;
    const window = Math.min(65535, this.owner.stack.config.limits.tcpReceiveBuffer);
    this.emit(SYN, this.iss, 0, window, { mss: OUR_MSS, wscale: this.ourShift });
    this.timer.armIn(this.rto);
  }

  private sendSynAck(): void {
    this.sndNxt = seqAdd(this.iss, 1);
    this.sndMax = this.sndNxt;
    // The window of a SYN is never scaled; the shift is offered only if the guest offered one.
    const wscale = this.scaling ? this.rcvShift : -1;
    this.emit(SYN | ACK, this.iss, this.rcvNxt, Math.min(65535, this.offer()), { mss: OUR_MSS, wscale });
  }

  private sendAck(): void {
    this.sendSegment(ACK, this.sndNxt);
  }

  private sendSegment(flags: number, seq: number): void {
    this.emit(flags, seq, this.rcvNxt, flags & RST ? 0 : this.window(), null);
  }

  private sendRst(seq: number): void {
    this.emit(RST, seq, 0, 0, null);
  }

  private sendData(seq: number, offset: number, len: number, extra: number): void {
    const { stack } = this.owner;
    const seg = buildTcp(
      this.localIp,
      this.localPort,
      this.guestIp,
      this.guestPort,
      seq,
      this.rcvNxt,
      ACK | extra,
      this.window(),
      null,
      len,
      (out, at) => this.sendBuf.copy(offset, len, out, at),
    );
    stack.sendIp(PROTO_TCP, this.localIp, this.guestIp, seg);
  }

  private emit(flags: number, seq: number, ack: number, window: number, syn: SynOptions | null): void {
    const seg = buildTcp(
      this.localIp,
      this.localPort,
      this.guestIp,
      this.guestPort,
      seq,
      ack,
      flags,
      window,
      syn,
      0,
    );
    this.owner.stack.sendIp(PROTO_TCP, this.localIp, this.guestIp, seg);
  }

  private close(abort: boolean): void {
    if (this.state === 'CLOSED') return;
    this.state = 'CLOSED';
    this.owner.stack.timers.dispose(this.timer);
    // An abort reaches the host peer as a reset, as it reached us from the guest.
    if (abort && !this.socket.destroyed) this.socket.resetAndDestroy();
    this.sendBuf.clear();
    this.overflow = [];
    this.owner.remove(this);
  }
}
