import { describe, expect, it } from 'vitest';
import { Feature } from '../src/cpuid.js';
import { runReal, testModel } from './harness.js';

/**
 * FXSAVE/FXRSTOR (0F AE /0 and /1) in real mode, as iPXE's virt_call uses them
 * around every switch to protected mode. The image is at 0000:1000; the
 * program first fills it with AAh so bytes the instruction must not write
 * (MXCSR and the XMM area: the test model has no SSE) stay recognisable.
 *
 * PROBE slot, instruction: runs the instruction with the #UD, #NM and #GP
 * vectors pointing at a handler that writes the vector to byte 600h+slot and
 * resumes after the instruction; FFh means no exception.
 */
const PROLOGUE = `
  xor ax, ax
  mov ds, ax
  mov es, ax
  mov ss, ax
  mov sp, 0x7000
  mov word [6 * 4], ud
  mov word [6 * 4 + 2], cs
  mov word [7 * 4], nm
  mov word [7 * 4 + 2], cs
  mov word [13 * 4], gp
  mov word [13 * 4 + 2], cs
  mov di, 0x1000
  mov cx, 256
  mov ax, 0xaaaa
  rep stosw
  jmp main
ud:
  push word 6
  jmp fault
nm:
  push word 7
  jmp fault
gp:
  push word 13
fault:
  pop ax
  mov bx, [0x5fc]
  mov [bx], al
  add sp, 6
  jmp word [0x5fe]

%macro PROBE 2+
  mov word [0x5fc], 0x600 + %1
  mov word [0x5fe], %%after
  mov byte [0x600 + %1], 0xff
  %2
%%after:
%endmacro

main:
`;

const IMAGE = 0x1000;

describe('FXSAVE and FXRSTOR', () => {
  it('stores the x87 state in the legacy image layout and leaves the FPU as it was', () => {
    const m = runReal(`${PROLOGUE}
      fninit
      mov word [0x620], 0x0f7f
      fldcw [0x620]
      fld1
      fldpi
      mov word [0x610], last_fp
    last_fp:
      fadd dword [0x700]
      fxsave [0x1000]
      fstp dword [0x630]
      fstp dword [0x634]
      hlt`);
    const mem = m.parts.memory;
    expect(mem.read16(IMAGE)).toBe(0x0f7f);
    // TOP = 6 after two loads; the abridged tag marks physical registers 6 and 7 as in use.
    expect(mem.read16(IMAGE + 2)).toBe(6 << 11);
    expect(mem.read8(IMAGE + 4)).toBe(0xc0);
    // FOP of FADD m32 with ModRM 06h, FCS:FIP at the FADD, FDS:FDP its operand.
    expect(mem.read16(IMAGE + 6)).toBe(0x0006);
    expect(mem.read32(IMAGE + 8)).toBe(mem.read16(0x610));
    expect(mem.read16(IMAGE + 12)).toBe(0xf000);
    expect(mem.read32(IMAGE + 16)).toBe(0x700);
    expect(mem.read16(IMAGE + 20)).toBe(0);
    // ST(0) = pi (FLDPI chopped under RC 11b) + 0.0 from the zero dword at 700h, ST(1) = 1.0, 16 bytes apart.
    expect([mem.read32(IMAGE + 32), mem.read32(IMAGE + 36), mem.read16(IMAGE + 40)]).toEqual([
      0x2168c234, 0xc90fdaa2, 0x4000,
    ]);
    expect([mem.read32(IMAGE + 48), mem.read32(IMAGE + 52), mem.read16(IMAGE + 56)]).toEqual([
      0, 0x80000000, 0x3fff,
    ]);
    // No SSE: MXCSR, MXCSR_MASK and the XMM area are not written.
    expect(mem.read32(IMAGE + 24)).toBe(0xaaaaaaaa);
    expect(mem.read32(IMAGE + 28)).toBe(0xaaaaaaaa);
    expect(mem.read32(IMAGE + 160)).toBe(0xaaaaaaaa);
    // Unlike FSAVE, FXSAVE does not reinitialise: both values are still on the stack (pi chopped, RC 11b).
    expect(mem.read32(0x630)).toBe(0x40490fda);
    expect(mem.read32(0x634)).toBe(0x3f800000);
  });

  it('restores control word, status, tags, pointers and registers from the image', () => {
    const m = runReal(`${PROLOGUE}
      fninit
      fld1
      fldpi
      fxsave [0x1000]
      fninit
      ; 2.0 into the ST(1) slot of the image, then back to the saved stack
      mov dword [0x1000 + 48], 0
      mov dword [0x1000 + 52], 0x80000000
      mov word [0x1000 + 56], 0x4000
      mov word [0x1000], 0x0c7f
      fxrstor [0x1000]
      fnstcw [0x620]
      fnstsw [0x622]
      fstp dword [0x630]
      fstp dword [0x634]
      fnstsw [0x624]
      hlt`);
    const mem = m.parts.memory;
    expect(mem.read16(0x620)).toBe(0x0c7f);
    expect(mem.read16(0x622) & 0x3800).toBe(6 << 11);
    // pi stored rounded toward zero: the restored control word's RC is 11b.
    expect(mem.read32(0x630)).toBe(0x40490fda);
    expect(mem.read32(0x634)).toBe(0x40000000);
    // Two pops from TOP 6 leave the stack empty without a stack fault (SF, IE clear).
    expect(mem.read16(0x624) & 0x3841).toBe(0);
  });

  it('raises #GP for an image not 16-byte aligned, #NM with CR0.TS, #UD for the register form', () => {
    const m = runReal(`${PROLOGUE}
      PROBE 0, fxsave [0x1008]
      PROBE 1, fxrstor [0x1004]
      PROBE 2, fxsave [0x1000]
      mov eax, cr0
      or al, 8
      mov cr0, eax
      PROBE 3, fxsave [0x1000]
      clts
      PROBE 4, db 0x0f, 0xae, 0xc0
      PROBE 5, db 0x0f, 0xae, 0x16, 0x00, 0x10
      mov eax, 0x200
      PROBE 6, mov cr4, eax
      hlt`);
    const slots = [0, 1, 2, 3, 4, 5, 6].map((n) => m.parts.memory.read8(0x600 + n));
    expect(slots).toEqual([13, 13, 0xff, 7, 6, 6, 0xff]);
    expect(m.cpu.cr4).toBe(0x200);
  });

  it('is #UD on a model without FXSR, as on a Pentium, whose CR4 has no OSFXSR bit either', () => {
    const m = runReal(
      `${PROLOGUE}
      PROBE 0, fxsave [0x1000]
      mov eax, 0x200
      PROBE 1, mov cr4, eax
      hlt`,
      undefined,
      { ...testModel, features: Feature.FPU },
    );
    expect(m.parts.memory.read8(0x600)).toBe(6);
    expect(m.parts.memory.read32(IMAGE)).toBe(0xaaaaaaaa);
    expect(m.parts.memory.read8(0x601)).toBe(13);
    expect(m.cpu.cr4).toBe(0);
  });

  it('with SSE and CR4.OSFXSR saves and restores MXCSR, MXCSR_MASK and XMM0-7; a reserved MXCSR bit is #GP', () => {
    const sse = {
      ...testModel,
      features: Feature.FPU | Feature.FXSR | Feature.MMX | Feature.SSE | Feature.SSE2,
    };
    const m = runReal(
      `${PROLOGUE}
      mov eax, 0x200
      mov cr4, eax
      mov dword [0x700], 0x3f80         ; RC down, every exception masked, no flags
      ldmxcsr [0x700]
      mov dword [0x710], 0x01020304
      mov dword [0x714], 0x05060708
      mov dword [0x718], 0x090a0b0c
      mov dword [0x71c], 0x0d0e0f10
      movups xmm0, [0x710]
      pshufd xmm7, xmm0, 0x1b
      fxsave [0x1000]
      ; Edit the image: XMM1 = XMM0's bytes + 1 (via the image), MXCSR FTZ|DAZ.
      mov dword [0x1000 + 24], 0x9fc0
      mov dword [0x1000 + 176], 0xdeadbeef
      xorps xmm0, xmm0
      fxrstor [0x1000]
      movups [0x740], xmm0
      movups [0x750], xmm1
      stmxcsr [0x760]
      mov dword [0x1000 + 24], 0x10000  ; reserved bit 16
      mov dword [0x1000 + 160], 0
      PROBE 0, fxrstor [0x1000]
      movd [0x764], xmm0
      hlt`,
      undefined,
      sse,
    );
    const mem = m.parts.memory;
    expect(mem.read8(0x600)).toBe(13);
    // The image: MXCSR_MASK with DAZ, XMM0 at 160 (its first dword zeroed by the last edit), XMM7 at 272.
    expect(mem.read32(IMAGE + 28)).toBe(0xffff);
    expect([160, 164, 168, 172].map((o) => mem.read32(IMAGE + o))).toEqual([
      0, 0x05060708, 0x090a0b0c, 0x0d0e0f10,
    ]);
    expect([272, 276, 280, 284].map((o) => mem.read32(IMAGE + o))).toEqual([
      0x0d0e0f10, 0x090a0b0c, 0x05060708, 0x01020304,
    ]);
    expect(mem.read32(IMAGE + 288)).toBe(0xaaaaaaaa);
    // Restored: XMM0 back from the image, XMM1's first dword edited, MXCSR edited; the faulting FXRSTOR loaded nothing.
    expect(mem.read32(0x740)).toBe(0x01020304);
    expect(mem.read32(0x750)).toBe(0xdeadbeef);
    expect(mem.read32(0x760)).toBe(0x9fc0);
    expect(mem.read32(0x764)).toBe(0x01020304);
  });
});
