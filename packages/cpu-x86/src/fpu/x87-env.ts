import type { X87 } from './x87.js';
import type { X87Host } from './x87-host.js';

/**
 * FSTENV/FLDENV and FSAVE/FRSTOR images in the four layouts of SDM vol. 1,
 * figures 8-9 to 8-12: 28 bytes for a 32-bit operand size, 14 for 16-bit;
 * protected mode stores selector:offset pointers, real and V86 mode store
 * 20-bit (16-bit layout) or 32-bit (32-bit layout) linear addresses.
 * Reserved halves of the 32-bit layouts are written as FFFFh, as P6 does.
 */

/** Environment read from memory, held until every read has succeeded. */
const env = { cw: 0, sw: 0, tw: 0, fip: 0, fcs: 0, fop: 0, fdp: 0, fds: 0 };
const regWords = new Uint32Array(24);

function environmentSize(host: X87Host): number {
  return host.operandSize32 ? 28 : 14;
}

export function storeEnvironment(x: X87, host: X87Host): void {
  const ea = host.operandOffset;
  const cw = x.controlWord;
  const sw = x.statusWord;
  const tw = x.tagWord;
  if (host.protectedMode) {
    if (host.operandSize32) {
      host.write32(ea, (0xffff0000 | cw) >>> 0);
      host.write32(ea + 4, (0xffff0000 | sw) >>> 0);
      host.write32(ea + 8, (0xffff0000 | tw) >>> 0);
      host.write32(ea + 12, x.fip >>> 0);
      host.write32(ea + 16, (((x.fop & 0x7ff) << 16) | (x.fcs & 0xffff)) >>> 0);
      host.write32(ea + 20, x.fdp >>> 0);
      host.write32(ea + 24, (0xffff0000 | x.fds) >>> 0);
    } else {
      host.write16(ea, cw);
      host.write16(ea + 2, sw);
      host.write16(ea + 4, tw);
      host.write16(ea + 6, x.fip & 0xffff);
      host.write16(ea + 8, x.fcs & 0xffff);
      host.write16(ea + 10, x.fdp & 0xffff);
      host.write16(ea + 12, x.fds & 0xffff);
    }
    return;
  }
  const ip = (x.fcs * 16 + x.fip) >>> 0;
  const dp = (x.fds * 16 + x.fdp) >>> 0;
  if (host.operandSize32) {
    host.write32(ea, (0xffff0000 | cw) >>> 0);
    host.write32(ea + 4, (0xffff0000 | sw) >>> 0);
    host.write32(ea + 8, (0xffff0000 | tw) >>> 0);
    host.write32(ea + 12, (0xffff0000 | (ip & 0xffff)) >>> 0);
    host.write32(ea + 16, (((ip >>> 16) << 12) | (x.fop & 0x7ff)) >>> 0);
    host.write32(ea + 20, (0xffff0000 | (dp & 0xffff)) >>> 0);
    host.write32(ea + 24, ((dp >>> 16) << 12) >>> 0);
  } else {
    host.write16(ea, cw);
    host.write16(ea + 2, sw);
    host.write16(ea + 4, tw);
    host.write16(ea + 6, ip & 0xffff);
    host.write16(ea + 8, (((ip >>> 16) & 0xf) << 12) | (x.fop & 0x7ff));
    host.write16(ea + 10, dp & 0xffff);
    host.write16(ea + 12, ((dp >>> 16) & 0xf) << 12);
  }
}

function readEnvironment(host: X87Host): void {
  const ea = host.operandOffset;
  if (host.operandSize32) {
    env.cw = host.read16(ea);
    env.sw = host.read16(ea + 4);
    env.tw = host.read16(ea + 8);
    if (host.protectedMode) {
      env.fip = host.read32(ea + 12) >>> 0;
      const w = host.read32(ea + 16);
      env.fcs = w & 0xffff;
      env.fop = (w >>> 16) & 0x7ff;
      env.fdp = host.read32(ea + 20) >>> 0;
      env.fds = host.read16(ea + 24);
    } else {
      const w = host.read32(ea + 16);
      env.fip = (host.read16(ea + 12) | (((w >>> 12) & 0xffff) << 16)) >>> 0;
      env.fop = w & 0x7ff;
      env.fdp = (host.read16(ea + 20) | (((host.read32(ea + 24) >>> 12) & 0xffff) << 16)) >>> 0;
      env.fcs = 0;
      env.fds = 0;
    }
    return;
  }
  env.cw = host.read16(ea);
  env.sw = host.read16(ea + 2);
  env.tw = host.read16(ea + 4);
  if (host.protectedMode) {
    env.fip = host.read16(ea + 6);
    env.fcs = host.read16(ea + 8);
    env.fop = 0;
    env.fdp = host.read16(ea + 10);
    env.fds = host.read16(ea + 12);
  } else {
    const w = host.read16(ea + 8);
    env.fip = host.read16(ea + 6) | ((w >>> 12) << 16);
    env.fop = w & 0x7ff;
    env.fdp = host.read16(ea + 10) | ((host.read16(ea + 12) >>> 12) << 16);
    env.fcs = 0;
    env.fds = 0;
  }
}

/** Loads `env` into the FPU; FXRSTOR's image has the abridged tag byte (a bit per register: valid). */
function applyEnvironment(x: X87, abridgedTags: boolean): void {
  x.setControlWord(env.cw);
  x.statusWord = env.sw;
  if (abridgedTags) for (let p = 0; p < 8; p++) x.empty[p] = (env.tw >>> p) & 1 ? 0 : 1;
  else x.tagWord = env.tw;
  x.fip = env.fip;
  x.fcs = env.fcs;
  x.fop = env.fop;
  x.fdp = env.fdp;
  x.fds = env.fds;
  x.updateSummary();
}

export function loadEnvironment(x: X87, host: X87Host): void {
  readEnvironment(host);
  applyEnvironment(x, false);
}

/** FSAVE image: the environment, then ST(0)..ST(7) as 10 bytes each. The caller reinitializes. */
export function saveState(x: X87, host: X87Host): void {
  storeEnvironment(x, host);
  let a = host.operandOffset + environmentSize(host);
  for (let i = 0; i < 8; i++, a += 10) {
    const p = x.phys(i);
    host.write32(a, x.sigLo[p]!);
    host.write32(a + 4, x.sigHi[p]!);
    host.write16(a + 8, (x.signs[p]! << 15) | x.exponents[p]!);
  }
}

/**
 * ST(0)..ST(7) from `regWords`, read whole before any is written (and after
 * the new TOP is in place), so a fault while reading leaves the FPU as it was.
 */
function writeRegisters(x: X87): void {
  for (let i = 0; i < 8; i++) {
    const p = x.phys(i);
    const se = regWords[i * 3 + 2]!;
    x.sigLo[p] = regWords[i * 3]!;
    x.sigHi[p] = regWords[i * 3 + 1]!;
    x.signs[p] = se >>> 15;
    x.exponents[p] = se & 0x7fff;
  }
}

export function restoreState(x: X87, host: X87Host): void {
  readEnvironment(host);
  let a = host.operandOffset + environmentSize(host);
  for (let i = 0; i < 8; i++, a += 10) {
    regWords[i * 3] = host.read32(a);
    regWords[i * 3 + 1] = host.read32(a + 4);
    regWords[i * 3 + 2] = host.read16(a + 8);
  }
  applyEnvironment(x, false);
  writeRegisters(x);
}

/**
 * FXSAVE/FXRSTOR image, the legacy (not 64-bit) layout of SDM vol. 1, table
 * 10-2: FCW, FSW, the abridged tag word (bit p set when physical register p
 * is not empty), FOP, FIP, FCS, FDP, FDS, then ST(0)..ST(7) in 16-byte slots.
 * The pointers are stored as recorded (selector and offset), in every mode.
 * This CPU has no SSE, so there is no MXCSR or XMM state: bytes 24-31 and
 * 160-511 are neither written nor read, nor are the 6 spare bytes of each slot.
 */
export function storeFxImage(x: X87, host: X87Host): void {
  const ea = host.operandOffset;
  let ftw = 0;
  for (let p = 0; p < 8; p++) if (x.empty[p] === 0) ftw |= 1 << p;
  host.write16(ea, x.controlWord);
  host.write16(ea + 2, x.statusWord);
  host.write16(ea + 4, ftw);
  host.write16(ea + 6, x.fop & 0x7ff);
  host.write32(ea + 8, x.fip >>> 0);
  host.write32(ea + 12, x.fcs & 0xffff);
  host.write32(ea + 16, x.fdp >>> 0);
  host.write32(ea + 20, x.fds & 0xffff);
  for (let i = 0, a = ea + 32; i < 8; i++, a += 16) {
    const p = x.phys(i);
    host.write32(a, x.sigLo[p]!);
    host.write32(a + 4, x.sigHi[p]!);
    host.write16(a + 8, (x.signs[p]! << 15) | x.exponents[p]!);
  }
}

export function loadFxImage(x: X87, host: X87Host): void {
  const ea = host.operandOffset;
  env.cw = host.read16(ea);
  env.sw = host.read16(ea + 2);
  env.tw = host.read8(ea + 4);
  env.fop = host.read16(ea + 6) & 0x7ff;
  env.fip = host.read32(ea + 8) >>> 0;
  env.fcs = host.read16(ea + 12);
  env.fdp = host.read32(ea + 16) >>> 0;
  env.fds = host.read16(ea + 20);
  for (let i = 0, a = ea + 32; i < 8; i++, a += 16) {
    regWords[i * 3] = host.read32(a);
    regWords[i * 3 + 1] = host.read32(a + 4);
    regWords[i * 3 + 2] = host.read16(a + 8);
  }
  applyEnvironment(x, true);
  writeRegisters(x);
}
