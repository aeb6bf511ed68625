import type { CpuDebug, Machine } from '@plugboard/core';
import type { Monitor } from '../monitor.js';
import { hexLittleEndian, MAX_PACKET, parseLittleEndian } from './packets.js';

/** SIGTRAP and SIGINT, GDB's signal numbers in stop replies. */
const SIGTRAP = 5;
const SIGINT = 2;
/** The one thread GDB is told of. */
const THREAD = 'thread:01;';
/** The most bytes one `m` or `M` moves (the packet size bounds the hex). */
const MAX_TRANSFER = (MAX_PACKET - 32) >> 1;

type BreakKind = 'swbreak' | 'hwbreak';

/** As many write watchpoints as the processor has debug address registers (DR0-DR3). */
const MAX_WATCHES = 4;
const MAX_WATCH_LENGTH = 8;

/** A write watchpoint: the bytes it watches and what they held when the guest last stopped. */
interface Watch {
  address: number;
  length: number;
  last: string | null;
}

/**
 * The target side of one GDB connection: answers packets from the machine's
 * CPU (`Cpu.debug`) and memory, and drives the run loop. The machine stops
 * when GDB attaches, as QEMU's does. Breakpoints compare linear addresses
 * (CS base + EIP, as QEMU's do) and never touch guest memory; write
 * watchpoints compare the watched bytes before each instruction. While the
 * guest runs with none of these set and no step pending, the CPU is not
 * asked anything.
 */
export class GdbStub {
  private readonly debug: CpuDebug;
  private readonly breakpoints = new Map<number, BreakKind>();
  /** Write watchpoints by `ADDR,LEN` as GDB gave them. */
  private readonly watches = new Map<string, Watch>();
  private stepping = false;
  /** The linear address the guest resumed at: a breakpoint there does not stop it again at once. */
  private resumeAt = -1;
  /** GDB waits for a stop reply. */
  private running = false;
  private readonly check = (linear: number) => this.stopBefore(linear);

  constructor(
    private readonly machine: Machine,
    /** Sends one reply (unframed). */
    private readonly send: (data: string) => void,
    /** Where GDB's `monitor CMD` goes (QEMU routes it to its human monitor); null refuses it. */
    private readonly monitor: Monitor | null = null,
  ) {
    const debug = machine.cpu?.debug;
    if (!debug) throw new Error(`${machine.name}: the CPU offers no debugger interface`);
    this.debug = debug;
  }

  /** GDB connected: the guest stops. */
  attach(): void {
    this.machine.pause();
  }

  /** GDB went away (or detached): breakpoints go, and the guest runs on. */
  detach(): void {
    this.breakpoints.clear();
    this.watches.clear();
    this.stepping = false;
    this.running = false;
    this.debug.stopBefore = null;
    this.machine.resume();
  }

  /** Ctrl-C from GDB. */
  interrupt(): void {
    if (!this.running) return;
    this.machine.pause();
    this.stopped(`T${hex2(SIGINT)}${THREAD}`);
  }

  /** The run ended (guest power-off, `quit`): GDB hears the process exited. */
  exited(exitCode: number): void {
    this.send(`W${hex2(exitCode & 0xff)}`);
  }

  /** Answers one packet; null when the answer comes later (a stop reply after `c` or `s`). */
  handle(packet: string): string | null {
    const kind = packet[0];
    const body = packet.slice(1);
    switch (kind) {
      case '?':
        return `T${hex2(SIGTRAP)}${THREAD}`;
      case 'g':
        return this.readRegisters();
      case 'G':
        return this.writeRegisters(body);
      case 'p':
        return this.readRegister(body);
      case 'P':
        return this.writeRegister(body);
      case 'm':
        return this.readMemory(body);
      case 'M':
        return this.writeMemory(body);
      case 'c':
      case 's':
        if (body && !this.debug.writeGdbRegister(8, Number.parseInt(body, 16))) return 'E01';
        this.resume(kind === 's');
        return null;
      case 'v':
        return this.vPacket(packet);
      case 'Z':
      case 'z':
        return this.breakpoint(kind === 'Z', body);
      case 'H':
      case 'T':
        return 'OK';
      case 'D':
        this.detach();
        return 'OK';
      case 'k':
        this.machine.requestShutdown('killed by gdb', 0);
        return null;
      case 'q':
        return this.query(body);
      default:
        // Unknown packets (X among them) get the empty reply: GDB then uses another way.
        return '';
    }
  }

  private query(body: string): string | null {
    if (body.startsWith('Supported'))
      return `PacketSize=${MAX_PACKET.toString(16)};swbreak+;hwbreak+;vContSupported+`;
    if (body === 'Attached') return '1';
    if (body === 'C') return 'QC01';
    if (body === 'fThreadInfo') return 'm01';
    if (body === 'sThreadInfo') return 'l';
    if (body.startsWith('Symbol')) return 'OK';
    if (body.startsWith('Rcmd,')) return this.monitorCommand(body.slice(5));
    return '';
  }

  /**
   * GDB's `monitor CMD`: the human monitor's command line; its text comes
   * back as console output (`O` packets), then `OK`.
   */
  private monitorCommand(hexText: string): string | null {
    const monitor = this.monitor;
    if (monitor === null) return 'E01';
    const line = Buffer.from(hexText, 'hex').toString();
    void monitor.execute(line).then((text) => {
      if (text) {
        const hex = Buffer.from(`${text}\n`).toString('hex');
        // Each O packet stays well inside the packet size.
        for (let i = 0; i < hex.length; i += 1024) this.send(`O${hex.slice(i, i + 1024)}`);
      }
      this.send('OK');
    });
    return null;
  }

  private vPacket(packet: string): string | null {
    if (packet === 'vCont?') return 'vCont;c;C;s;S';
    if (packet.startsWith('vCont;')) {
      const actions = packet.slice(6).split(';');
      if (actions.some((a) => a[0] === 's' || a[0] === 'S')) this.resume(true);
      else if (actions.some((a) => a[0] === 'c' || a[0] === 'C')) this.resume(false);
      else return 'E01';
      return null;
    }
    return '';
  }

  private resume(step: boolean): void {
    this.stepping = step;
    this.running = true;
    this.resumeAt = this.debug.pc;
    for (const w of this.watches.values()) w.last = this.peek(w.address, w.length);
    this.debug.stopBefore = step || this.breakpoints.size > 0 || this.watches.size > 0 ? this.check : null;
    this.machine.resume();
  }

  /** Asked by the CPU before each instruction while GDB waits on a step or a breakpoint. */
  private stopBefore(linear: number): boolean {
    // A watched value changed: the instruction before this one wrote it (GDB reads the new value itself).
    for (const w of this.watches.values()) {
      if (this.peek(w.address, w.length) === w.last) continue;
      this.machine.pause();
      this.stopped(`T${hex2(SIGTRAP)}${THREAD}watch:${w.address.toString(16)};`);
      return true;
    }
    const resumed = this.resumeAt === linear;
    this.resumeAt = -1;
    if (resumed) return false;
    const hit = this.breakpoints.get(linear);
    if (!this.stepping && hit === undefined) return false;
    this.machine.pause();
    this.stopped(`T${hex2(SIGTRAP)}${THREAD}${hit && !this.stepping ? `${hit}:;` : ''}`);
    return true;
  }

  private stopped(reply: string): void {
    this.running = false;
    this.stepping = false;
    this.debug.stopBefore = null;
    this.send(reply);
  }

  private breakpoint(insert: boolean, body: string): string {
    const [type, addressHex, kindHex] = body.split(',');
    const address = Number.parseInt(addressHex ?? '', 16);
    if (!Number.isFinite(address)) return 'E01';
    if (type === '2') return this.watchpoint(insert, address >>> 0, Number.parseInt(kindHex ?? '', 16));
    // 0: software, 1: hardware breakpoint; read and access watchpoints (3, 4) cannot be seen from outside the CPU.
    if (type !== '0' && type !== '1') return '';
    if (insert) this.breakpoints.set(address >>> 0, type === '0' ? 'swbreak' : 'hwbreak');
    else this.breakpoints.delete(address >>> 0);
    return 'OK';
  }

  /**
   * `Z2`: a write watchpoint, found by comparing the watched bytes before
   * every instruction while it is set (so a write of the same value goes
   * unseen, as with GDB's own software watchpoints).
   */
  private watchpoint(insert: boolean, address: number, length: number): string {
    const key = `${address},${length}`;
    if (!insert) {
      this.watches.delete(key);
      return 'OK';
    }
    if (!(length >= 1 && length <= MAX_WATCH_LENGTH)) return 'E01';
    if (!this.watches.has(key) && this.watches.size >= MAX_WATCHES) return 'E01';
    this.watches.set(key, { address, length, last: null });
    return 'OK';
  }

  /** The bytes at linear `address` in hex (RAM and ROM), or null where any is unreadable. */
  private peek(address: number, length: number): string | null {
    const hex = this.readMemory(`${address.toString(16)},${length.toString(16)}`);
    return hex.length === length * 2 ? hex : null;
  }

  private readRegisters(): string {
    let out = '';
    for (let n = 0; n < this.debug.gdbRegisterCount; n++)
      out += hexLittleEndian(this.debug.readGdbRegister(n));
    return out;
  }

  private writeRegisters(hex: string): string {
    const count = Math.min(this.debug.gdbRegisterCount, hex.length >> 3);
    for (let n = 0; n < count; n++) {
      const value = parseLittleEndian(hex.slice(n * 8, n * 8 + 8));
      if (Number.isNaN(value) || !this.debug.writeGdbRegister(n, value)) return 'E01';
    }
    return 'OK';
  }

  private readRegister(body: string): string {
    const n = Number.parseInt(body, 16);
    // Registers past the core set (x87, SSE) are not offered: the empty reply sends GDB back to `g`.
    if (!(n >= 0 && n < this.debug.gdbRegisterCount)) return '';
    return hexLittleEndian(this.debug.readGdbRegister(n));
  }

  private writeRegister(body: string): string {
    const [nHex, valueHex] = body.split('=');
    const n = Number.parseInt(nHex, 16);
    const value = parseLittleEndian(valueHex ?? '');
    if (!(n >= 0 && n < this.debug.gdbRegisterCount) || Number.isNaN(value)) return 'E01';
    return this.debug.writeGdbRegister(n, value) ? 'OK' : 'E01';
  }

  /** `m ADDR,LEN`: RAM and ROM through the current paging; stops short at an unmapped page or MMIO. */
  private readMemory(body: string): string {
    const range = parseRange(body);
    if (!range) return 'E01';
    const memory = this.machine.memory;
    let out = '';
    for (let i = 0; i < range.length; i++) {
      const phys = this.debug.translate((range.address + i) >>> 0);
      const page = phys >>> 12;
      const buf = phys < 0 ? null : memory.readBuf[page];
      if (buf === null || buf === undefined) break;
      out += buf[memory.readOff[page] + (phys & 0xfff)].toString(16).padStart(2, '0');
    }
    return out === '' && range.length > 0 ? 'E14' : out;
  }

  /** `M ADDR,LEN:BYTES`: RAM only (ROM and MMIO refuse), through the memory's write path so decoded code is forgotten. */
  private writeMemory(body: string): string {
    const colon = body.indexOf(':');
    const range = parseRange(body.slice(0, colon));
    const hex = body.slice(colon + 1);
    if (colon < 0 || !range || hex.length !== range.length * 2 || !/^[0-9a-fA-F]*$/.test(hex)) return 'E01';
    const memory = this.machine.memory;
    const physical: number[] = [];
    for (let i = 0; i < range.length; i++) {
      const phys = this.debug.translate((range.address + i) >>> 0);
      if (phys < 0 || memory.writeBuf[phys >>> 12] === null) return 'E14';
      physical.push(phys);
    }
    physical.forEach((phys, i) => {
      memory.write8(phys, Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16));
    });
    return 'OK';
  }
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}

/** `ADDR,LEN` in hex, LEN at most what a packet carries. */
function parseRange(text: string): { address: number; length: number } | null {
  const m = /^([0-9a-fA-F]{1,8}),([0-9a-fA-F]{1,8})$/.exec(text);
  if (!m) return null;
  const length = Number.parseInt(m[2], 16);
  if (length > MAX_TRANSFER) return null;
  return { address: Number.parseInt(m[1], 16) >>> 0, length };
}
