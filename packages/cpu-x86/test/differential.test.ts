import { readFileSync } from 'node:fs';
import { createMachineParts } from '@plugboard/core';
import { describe, expect, it } from 'vitest';
import { X86 } from '../src/core/x86.js';
import { X87 } from '../src/fpu/x87.js';
import { testModel } from './harness.js';

/**
 * Runs the differential ROMs (test/harness/asm) and compares their debug
 * console output with what QEMU printed for the same image (test/fixtures).
 */
function runRom(name: string): string {
  const image = new Uint8Array(readFileSync(new URL(`./fixtures/${name}.bin`, import.meta.url)));
  const parts = createMachineParts({ memoryBytes: 4 << 20 });
  parts.memory.mapBuffer(0xffff0000, image, 0, 0x10000, false);
  parts.memory.mapBuffer(0xf0000, image, 0, 0x10000, false);
  let out = '';
  let done = false;
  parts.ports.register('debugcon', 0xe9, 1, {
    read8: () => 0xe9,
    write8: (_o, v) => (out += String.fromCharCode(v)),
  });
  parts.ports.register('debug-exit', 0xf4, 1, { read8: () => 0xff, write8: () => (done = true) });
  const cpu = new X86({
    memory: parts.memory,
    ports: parts.ports,
    pins: parts.cpuPins,
    clock: parts.clock,
    apic: null,
    model: testModel,
    ferr: null,
    onTripleFault: () => {
      done = true;
    },
    fpu: (host) => new X87(host),
  });
  for (let slices = 0; slices < 2000 && !done && !cpu.halted; slices++) cpu.run(100_000);
  return out;
}

describe('differential ROMs against QEMU', () => {
  for (const name of ['alu', 'shift', 'muldiv', 'bcd', 'bitops', 'string']) {
    it(name, () => {
      const expected = readFileSync(new URL(`./fixtures/${name}.txt`, import.meta.url), 'utf8').split('\n');
      const got = runRom(name).split('\n');
      for (let n = 0; n < expected.length; n++) {
        expect(got[n], `line ${n + 1}`).toBe(expected[n]);
      }
    });
  }
});
