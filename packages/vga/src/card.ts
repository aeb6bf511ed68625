import type { PortHandler } from '@plugboard/core';
import { DirtyPages } from './dirty.js';
import { VgaMemory } from './memory.js';
import {
  AR_INDEX,
  CR7,
  CR7_LINE_COMPARE_8,
  CR11,
  CR11_PROTECT,
  decodes,
  GR5,
  SR2,
  SR4,
  VGA_AR,
  VGA_REGISTERS,
  type VgaRegisterFiles,
  writeIndexed,
} from './registers.js';
import type { VgaRegisters } from './state.js';

/** Input status 1: display disabled (in blanking) and vertical retrace. */
const ST01_DISP_ENABLE = 0x01;
const ST01_V_RETRACE = 0x08;

/**
 * The VGA register set at 0x3B0-0x3DF: sequencer, CRT controller (with the
 * CR11 write protect), graphics controller, attribute controller and its
 * flip-flop, the DAC, MISC and the mono/colour port sets, input status 1.
 * A card extends it: the SR/GR/CR accessors and the DAC entry hooks are
 * where its extensions go.
 */
export class VgaCard<S extends VgaRegisters = VgaRegisters> {
  /** Video-memory pages written, and register changes, since the renderer last drew. */
  readonly dirty: DirtyPages;
  readonly memory: VgaMemory;
  /** Bumped on every write that can change the picture; the renderer skips unchanged frames. */
  generation = 0;

  /** `registers`: the card's SR, GR and CR files, the VGA's unless it extends them. */
  constructor(
    readonly state: S,
    protected readonly registers: VgaRegisterFiles = VGA_REGISTERS,
  ) {
    this.dirty = new DirtyPages(state.vram.length);
    this.memory = new VgaMemory(state, this.dirty);
  }

  /** Whether the port belongs to the mono or colour set the MISC register does not select. */
  protected wrongSet(port: number): boolean {
    const color = (this.state.misc & 0x01) !== 0;
    return color ? port >= 0x3b0 && port <= 0x3bf : port >= 0x3d0 && port <= 0x3df;
  }

  /** Ports 0x3B0-0x3DF. */
  readonly ports: PortHandler = {
    read8: (offset) => this.readPort(0x3b0 + offset),
    write8: (offset, value) => this.writePort(0x3b0 + offset, value),
  };

  /** The bits a DAC data write keeps: 6 on a VGA. */
  protected dacMask(): number {
    return 0x3f;
  }

  /** The DAC data byte a 0x3C9 read returns (the read index and sub-index say which). */
  protected readDacByte(): number {
    const s = this.state;
    return s.palette[s.dacReadIndex * 3 + s.dacSubIndex];
  }

  /** The third 0x3C9 write: the cached R, G, B go to the entry at the write index. */
  protected storeDacEntry(): void {
    const s = this.state;
    s.palette.set(s.dacCache, s.dacWriteIndex * 3);
  }

  readPort(port: number): number {
    const s = this.state;
    if (this.wrongSet(port)) return 0xff;
    switch (port) {
      case 0x3c0:
        return s.arFlipFlop ? 0 : s.arIndex;
      case 0x3c1:
        return decodes(VGA_AR, s.arIndex & AR_INDEX) ? s.ar[s.arIndex & AR_INDEX] : 0;
      case 0x3c2:
        // Input status 0: switch sense reads as a colour monitor.
        return 0x10;
      case 0x3c4:
        return s.srIndex;
      case 0x3c5:
        return this.readSr(s.srIndex);
      case 0x3c6:
        return s.pelMask;
      case 0x3c7:
        return s.dacState;
      case 0x3c8:
        return s.dacWriteIndex;
      case 0x3c9: {
        const v = this.readDacByte();
        if (++s.dacSubIndex === 3) {
          s.dacSubIndex = 0;
          s.dacReadIndex = (s.dacReadIndex + 1) & 0xff;
        }
        return v;
      }
      case 0x3ca:
        return s.featureControl;
      case 0x3cc:
        return s.misc;
      case 0x3ce:
        return s.grIndex;
      case 0x3cf:
        return this.readGr(s.grIndex);
      case 0x3b4:
      case 0x3d4:
        return s.crIndex;
      case 0x3b5:
      case 0x3d5:
        return this.readCr(s.crIndex);
      case 0x3ba:
      case 0x3da:
        s.arFlipFlop = false;
        // Retrace and blanking flip on every read, as QEMU's default does: BIOSes and drivers
        // poll these bits in loops (per palette entry, per mode set), and timing them to a real
        // 60 Hz frame would cost each wait up to a frame of guest time.
        s.inputStatus1 ^= ST01_DISP_ENABLE | ST01_V_RETRACE;
        return s.inputStatus1;
      default:
        return 0xff;
    }
  }

  writePort(port: number, value: number): void {
    const s = this.state;
    if (this.wrongSet(port)) return;
    this.generation++;
    switch (port) {
      case 0x3c0:
        // Every attribute register shapes the picture, and index bit 5 blanks it.
        if (!s.arFlipFlop) {
          if ((s.arIndex ^ value) & 0x20) this.dirty.invalidate();
          s.arIndex = value & 0x3f;
        } else {
          this.dirty.invalidate();
          writeIndexed(VGA_AR, s.ar, s.arIndex & AR_INDEX, value);
        }
        s.arFlipFlop = !s.arFlipFlop;
        break;
      case 0x3c2:
        s.misc = value & ~0x10;
        this.dirty.invalidate();
        break;
      case 0x3c4:
        s.srIndex = value;
        break;
      case 0x3c5:
        this.writeSr(s.srIndex, value);
        break;
      case 0x3c6:
        s.pelMask = value;
        this.dirty.invalidate();
        break;
      case 0x3c7:
        s.dacReadIndex = value;
        s.dacSubIndex = 0;
        s.dacState = 3;
        break;
      case 0x3c8:
        s.dacWriteIndex = value;
        s.dacSubIndex = 0;
        s.dacState = 0;
        break;
      case 0x3c9:
        s.dacCache[s.dacSubIndex] = value & this.dacMask();
        if (++s.dacSubIndex === 3) {
          this.storeDacEntry();
          this.dirty.invalidate();
          s.dacSubIndex = 0;
          s.dacWriteIndex = (s.dacWriteIndex + 1) & 0xff;
        }
        break;
      case 0x3ce:
        s.grIndex = value;
        break;
      case 0x3cf:
        this.writeGr(s.grIndex, value);
        break;
      case 0x3b4:
      case 0x3d4:
        s.crIndex = value;
        break;
      case 0x3b5:
      case 0x3d5:
        this.writeCr(s.crIndex, value);
        break;
      case 0x3ba:
      case 0x3da:
        s.featureControl = value & 0x10;
        break;
      default:
        break;
    }
  }

  protected readSr(i: number): number {
    return decodes(this.registers.sr, i) ? this.state.sr[i] : 0xff;
  }

  protected writeSr(i: number, value: number): void {
    // SR2 and SR4 steer CPU writes only; the rest (clocking, fonts, a card's extensions) show.
    if (i !== SR2 && i !== SR4) this.dirty.invalidate();
    writeIndexed(this.registers.sr, this.state.sr, i, value);
  }

  protected readGr(i: number): number {
    return decodes(this.registers.gr, i) ? this.state.gr[i] : 0xff;
  }

  writeGr(i: number, value: number): void {
    const s = this.state;
    // Of the VGA's graphics controller only GR5's 256-colour shift reaches the picture.
    if (i === GR5 && (s.gr[i] ^ value) & 0x40) this.dirty.invalidate();
    writeIndexed(this.registers.gr, s.gr, i, value);
  }

  protected readCr(i: number): number {
    return decodes(this.registers.cr, i) ? this.state.cr[i] : 0xff;
  }

  protected writeCr(i: number, value: number): void {
    const s = this.state;
    const cr = this.registers.cr;
    if (!decodes(cr, i) || cr.writable[i] === 0) return;
    if (s.cr[i] !== value) this.dirty.invalidate();
    // CR11's protect bit guards CR0-CR7, except CR7's line compare bit 8.
    if (s.cr[CR11] & CR11_PROTECT && i <= CR7) {
      if (i === CR7) s.cr[CR7] = (s.cr[CR7] & ~CR7_LINE_COMPARE_8) | (value & CR7_LINE_COMPARE_8);
      return;
    }
    writeIndexed(cr, s.cr, i, value);
  }
}
