import type { Instr } from '../core/instr.js';

// Which instructions a unit may hold, and where. One table, so the opcode
// table being built elsewhere can absorb it as a column.

/** An ordinary instruction: execution goes on to the next one in the unit. */
export const BODY = 0;
/**
 * Ends the unit after it: control transfers (the handler computes the next
 * EIP) and anything that may change what the run loop checks between
 * instructions (CS, CPL, paging, TF/IF, the interrupt shadow, HLT, the
 * memory map, ports and their devices), or that the loop must see at once.
 */
export const LAST = 1;
/** Never in a unit: the run loop executes it (RDTSC and PAUSE keep their busy-wait handling there). */
export const OUTSIDE = 2;

const ROLE = new Uint8Array(0x400);

function mark(role: number, ...ops: (number | [number, number])[]): void {
  for (const o of ops) {
    if (typeof o === 'number') ROLE[o] = role;
    else for (let x = o[0]; x <= o[1]; x++) ROLE[x] = role;
  }
}

// Control transfers: Jcc, LOOP/JCXZ, CALL, JMP, RET, far forms, INT, IRET.
mark(LAST, [0x70, 0x7f], [0x180, 0x18f], [0xe0, 0xe3], 0xe8, 0xe9, 0xea, 0xeb, 0x9a);
mark(LAST, 0xc2, 0xc3, 0xca, 0xcb, 0xcc, 0xcd, 0xce, 0xcf, 0xf1);
// Ports, HLT, IF and flags images, BOUND, segment loads.
mark(LAST, [0xe4, 0xe7], [0xec, 0xef], [0x6c, 0x6f], 0xf4, 0xfa, 0xfb, 0x9c, 0x9d, 0x62);
mark(LAST, 0x8e, 0x07, 0x17, 0x1f, 0x1a1, 0x1a9, 0xc4, 0xc5, 0x1b2, 0x1b4, 0x1b5);
// System instructions of the 0F page: groups 6 and 7, CLTS, caches, CR/DR, MSRs, SYSENTER/SYSEXIT, CPUID.
mark(LAST, 0x100, 0x101, 0x102, 0x103, 0x106, 0x108, 0x109, [0x120, 0x123], 0x130, 0x132, 0x133);
mark(LAST, 0x134, 0x135, 0x1a2);
// x87 escapes, FWAIT, FXSAVE/FXRSTOR: FERR# can raise an interrupt without a memory access.
mark(LAST, [0xd8, 0xdf], 0x9b, 0x1ae);
// ARPL (its #UD outside protected mode is fine, but it is rare): kept simple.
mark(LAST, 0x63);
mark(OUTSIDE, 0x131);

/** Where instruction `i` may sit in a unit. */
export function roleOf(i: Instr): number {
  const op = i.op;
  // PAUSE is F3 90; a REP prefix on anything else of the one-byte page ends the unit (string runs
  // restart themselves). On the 0F pages F2 and F3 are mandatory prefixes (MOVDQU, MOVSD).
  if (i.rep !== 0 && op < 0x100) return op === 0x90 ? OUTSIDE : LAST;
  // FF /2-/5: near and far indirect CALL and JMP.
  if (op === 0xff && i.reg >= 2 && i.reg <= 5) return LAST;
  return ROLE[op];
}

const QUIET = new Uint8Array(0x400);
for (let op = 0; op < 0x40; op++) if ((op & 7) < 6) QUIET[op] = 1;
QUIET[0x27] = QUIET[0x2f] = QUIET[0x37] = QUIET[0x3f] = 1;
for (const [a, b] of [
  [0x40, 0x4f],
  [0x84, 0x8b],
  [0x90, 0x99],
  [0xb0, 0xbf],
  [0xc0, 0xc1],
  [0xd0, 0xd3],
  [0x140, 0x14f],
  [0x190, 0x19f],
  [0x1c8, 0x1cf],
]) {
  for (let op = a; op <= b; op++) QUIET[op] = 1;
}
for (const op of [0x69, 0x6b, 0x80, 0x81, 0x82, 0x83, 0x8d, 0x9e, 0x9f, 0xa8, 0xa9, 0xd4, 0xd5, 0xd6])
  QUIET[op] = 1;
for (const op of [0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfc, 0xfd, 0xfe]) QUIET[op] = 1;
for (const op of [0x1a3, 0x1a4, 0x1a5, 0x1ab, 0x1ac, 0x1ad, 0x1af, 0x1b0, 0x1b1, 0x1b3, 0x1b6, 0x1b7])
  QUIET[op] = 1;
for (const op of [0x1ba, 0x1bb, 0x1bc, 0x1bd, 0x1be, 0x1bf, 0x1c0, 0x1c1]) QUIET[op] = 1;

/**
 * Whether `i` touches neither memory nor devices, so it cannot raise
 * `pins.attention`, lower `clock.sliceLimit` or write code: the unit need
 * not look at them after it. LEA computes an address without an access.
 */
export function quiet(i: Instr): boolean {
  return QUIET[i.op] !== 0 && (i.mod === 3 || i.op === 0x8d);
}
