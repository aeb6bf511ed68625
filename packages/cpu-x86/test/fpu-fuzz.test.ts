import { describe, expect, it } from 'vitest';
import { Instr } from '../src/core/instr-record.js';
import { entryIndex } from '../src/ops/index.js';
import { EA, Fpu, MockFault, Rng, SW } from './fpu-host.js';

/** Whether the opcode table defines escape `opcode` with ModRM `modrm` (the core gives the rest #UD before the unit sees them). */
function defined(opcode: number, modrm: number): boolean {
  const i = new Instr();
  i.op = opcode;
  i.modrm = modrm;
  i.mod = modrm >> 6;
  i.reg = (modrm >> 3) & 7;
  i.rm = modrm & 7;
  return entryIndex(i) >= 0;
}

describe('x87 under random instruction streams', () => {
  it('never throws anything but the host fault, keeps TOP and tags consistent, for 50000 random escapes', () => {
    const f = new Fpu();
    const rng = new Rng();
    let executed = 0;
    for (let n = 0; n < 50000; n++) {
      if (n % 64 === 0) {
        for (let i = 0; i < 128; i++) f.host.mem[EA + i] = rng.int(256);
        f.host.operandSize32 = rng.int(2) === 1;
        f.host.protectedMode = rng.int(2) === 1;
        f.host.cf = rng.int(2) === 1;
        f.host.zf = rng.int(2) === 1;
        f.host.pf = rng.int(2) === 1;
      }
      const opcode = 0xd8 + rng.int(8);
      const modrm = rng.int(256);
      const mem = modrm < 0xc0;
      if (!defined(opcode, modrm)) continue;
      executed++;
      try {
        f.host.operandOffset = EA;
        f.x.execute(opcode, modrm, mem);
        if (n % 16 === 0) f.x.checkPendingException();
      } catch (e) {
        expect(e).toBeInstanceOf(MockFault);
      }
      expect(f.x.top).toBeGreaterThanOrEqual(0);
      expect(f.x.top).toBeLessThan(8);
      expect(f.x.controlWord & 0xe0c0).toBe(0x0040);
      const es = (f.x.status & ~f.x.controlWord & 0x3f) !== 0;
      expect((f.x.status & (SW.ES | SW.B)) !== 0, `${n} ${opcode.toString(16)} ${modrm.toString(16)}`).toBe(
        es,
      );
      for (let p = 0; p < 8; p++) expect(f.x.exponents[p]!).toBeLessThan(0x8000);
    }
    expect(executed).toBeGreaterThan(40000);
  });
});
