import type { CpuDebug } from '@plugboard/core';
import { CS, DS, EAX, EDI, ES, FLAGS_WRITABLE, FS, GS, SS } from './core/constants.js';
import type { X86 } from './core/x86.js';
import { debugTranslate } from './debug-disasm.js';
import { pageMappings } from './page-mappings.js';

/** GDB's i386 registers 10 to 15 (its `g` packet order): CS SS DS ES FS GS, as our segment indexes. */
const GDB_SEGMENTS = [CS, SS, DS, ES, FS, GS];
/** Registers 0-7 are the general registers in encoding order (EAX ECX EDX EBX ESP EBP ESI EDI), 8 EIP, 9 EFLAGS. */
const GDB_EIP = 8;
const GDB_EFLAGS = 9;

/** The processor as GDB's i386 target sees it (core's `CpuDebug`). */
export function x86Debug(core: X86): CpuDebug {
  return {
    gdbArchitecture: 'i386',
    gdbRegisterCount: 10 + GDB_SEGMENTS.length,
    readGdbRegister(n) {
      if (n <= EDI) return core.regs[n] >>> 0;
      if (n === GDB_EIP) return core.eip >>> 0;
      if (n === GDB_EFLAGS) return core.getFlags() >>> 0;
      return core.sel[GDB_SEGMENTS[n - 10]];
    },
    writeGdbRegister(n, value) {
      if (n >= EAX && n <= EDI) core.regs[n] = value | 0;
      else if (n === GDB_EIP) core.eip = core.code32 ? value >>> 0 : value & 0xffff;
      else if (n === GDB_EFLAGS) core.setFlags(value, FLAGS_WRITABLE);
      else {
        const s = GDB_SEGMENTS[n - 10];
        if (s === undefined) return false;
        if (core.sel[s] === (value & 0xffff)) return true;
        // A protected-mode selector would need its descriptor loaded, with checks a debugger should not fake.
        if (core.protectedMode && !core.v86) return false;
        core.setSegReal(s, value);
      }
      return true;
    },
    translate: (linear) => debugTranslate(core, linear),
    pageMappings: () => pageMappings(core),
    get pc() {
      return (core.segBase[CS] + core.eip) >>> 0;
    },
    get stopBefore() {
      return core.stopBefore;
    },
    set stopBefore(stop) {
      core.stopBefore = stop;
      // The run loop asks the hook on its attention path only: raised, it is asked from the next instruction.
      if (stop !== null) core.pins.attention = true;
    },
  };
}
