; x87 beyond the arithmetic of the harness's x87 group: 80-bit load/store of
; any bit pattern, FXAM, FTST, FPREM and FPREM1 (first step and completed),
; FSCALE, FXTRACT, FISTP m64/m16, FBSTP, FBLD, FCOMI/FUCOMI, the constants
; under the case's rounding mode, and FNSTENV/FNSAVE images.
; Operands are random 80-bit values: near 1, anywhere in range, or a special
; (zero, denormal, pseudo-denormal, unnormal, pseudo-infinity, pseudo-NaN,
; infinity, QNaN, SNaN, 1, largest finite). Exceptions are masked; the status
; word is printed masked to IE ZE OE UE PE and the condition codes an
; instruction defines. Left out, because QEMU 7.2 departs from the SDM:
; - DE: QEMU never raises it for denormal operands.
; - C1 as the round-up indicator: QEMU does not maintain it.
; - the reserved upper halves of the 32-bit environment image: P6 writes
;   FFFFh there, QEMU zeros; the program prints the low halves only.
; - precision control: the SDM applies PC to FADD, FSUB(R), FMUL, FDIV(R) and
;   FSQRT only; QEMU also rounds FPREM, FPREM1 and FBLD results to it. Every
;   case runs with PC = 64 bits and a random RC.
; - FPREM1's quotient bits (C0 C3 C1): QEMU 7.2 reports 000 where the SDM's
;   Q2 Q1 Q0 of the rounded quotient are not (e.g. case 7: q = ...111b);
;   test/fpu-ops.test.ts checks them against exact quotients instead.
; - FPREM/FPREM1 partial remainders (C2 = 1): the SDM lets each CPU choose how
;   far one step reduces, so only completed steps and the final remainder of
;   the iteration are compared.
; Built and recorded by hand (scripts/record-cpu-fixtures.sh covers the
; harness's own groups only):
;   nasm -w-number-overflow -f bin -I test/harness/asm/ -o test/fixtures/fpu-ops.bin test/asm/fpu-ops.asm
;   qemu-system-i386 -M pc -cpu qemu32 -m 16 -nographic -display none -no-reboot -monitor none \
;     -serial none -bios test/fixtures/fpu-ops.bin -debugcon file:test/fixtures/fpu-ops.txt \
;     -global isa-debugcon.iobase=0xe9 -device isa-debug-exit,iobase=0xf4,iosize=0x04
%define SEED 0xF0F0A5A5
%define CASES_DEFAULT 1000
%include "lib.inc"
%include "macros.inc"

OPA    equ scratch + 0        ; 10 bytes
OPB    equ scratch + 16
RES    equ scratch + 32
FCW    equ scratch + 48
FSW    equ scratch + 52
COUNT  equ scratch + 56
ENV    equ scratch + 64       ; 108 bytes

FSW_EXC equ 0x3D              ; IE ZE OE UE PE
FSW_CC  equ 0x4500            ; C3 C2 C0
FSW_ALL equ 0x4700            ; C3 C2 C1 C0

; make80: a random 80-bit operand at [edi].
make80:
    call rand
    mov [edi], eax
    call rand
    or eax, 0x80000000
    mov [edi + 4], eax
    call rand
    mov edx, eax
    and edx, 0x8000
    test al, 6
    jz .anywhere
    test al, 1
    jz .special
    call rand
    and eax, 0x7F
    add eax, 0x3FFF - 0x40
    or eax, edx
    mov [edi + 8], ax
    ret
.anywhere:
    call rand
    and eax, 0x7FFF
    or eax, edx
    mov [edi + 8], ax
    ret
.special:
    call rand
    and eax, 15
    jmp [.table + eax*4]
.table:
    dd .zero, .denormal, .pseudoden, .unnormal, .pseudoinf, .pseudonan, .inf, .qnan
    dd .snan, .one, .max, .zero, .denormal, .one, .small, .big
.zero:
    mov dword [edi], 0
    mov dword [edi + 4], 0
    mov [edi + 8], dx
    ret
.denormal:
    and dword [edi + 4], 0x7FFFFFFF
    mov [edi + 8], dx
    ret
.pseudoden:
    mov [edi + 8], dx
    ret
.unnormal:
    and dword [edi + 4], 0x7FFFFFFF
    or edx, 0x3FF0
    mov [edi + 8], dx
    ret
.pseudoinf:
    mov dword [edi], 0
    mov dword [edi + 4], 0
    or edx, 0x7FFF
    mov [edi + 8], dx
    ret
.pseudonan:
    and dword [edi + 4], 0x7FFFFFFF
    or edx, 0x7FFF
    mov [edi + 8], dx
    ret
.inf:
    mov dword [edi], 0
    mov dword [edi + 4], 0x80000000
    or edx, 0x7FFF
    mov [edi + 8], dx
    ret
.qnan:
    or dword [edi + 4], 0xC0000000
    or edx, 0x7FFF
    mov [edi + 8], dx
    ret
.snan:
    and dword [edi + 4], 0xBFFFFFFF
    or dword [edi], 1
    or edx, 0x7FFF
    mov [edi + 8], dx
    ret
.one:
    mov dword [edi], 0
    mov dword [edi + 4], 0x80000000
    or edx, 0x3FFF
    mov [edi + 8], dx
    ret
.max:
    mov dword [edi], 0xFFFFFFFF
    mov dword [edi + 4], 0xFFFFFFFF
    or edx, 0x7FFE
    mov [edi + 8], dx
    ret
.small:
    call rand
    and eax, 0x3F
    add eax, 0x3FFF
    or eax, edx
    mov [edi + 8], ax
    ret
.big:
    call rand
    and eax, 0xFF
    add eax, 0x3FFF + 0x30
    or eax, edx
    mov [edi + 8], ax
    ret

print80:
    movzx eax, word [esi + 8]
    call hex16
    mov eax, [esi + 4]
    call hex32
    mov eax, [esi]
    call hex32
    ret

; Fresh FPU in the case's mode with b then a loaded: ST(0) = a, ST(1) = b.
%macro START 0
    fninit
    fldcw [FCW]
    fld tword [OPB]
    fld tword [OPA]
%endmacro

%macro FSWOUT 1
    fnstsw ax
    and eax, %1
    call hex16
%endmacro

; Pops ST(0) to memory, prints it.
%macro OUT80 0
    fstp tword [RES]
    mov esi, RES
    call print80
%endmacro

; FPREM or FPREM1: the first step's condition codes (masked by %2) when it
; completes (just C2 otherwise), then iterate to completion: remainder and
; exception flags.
%macro REMAINDER 2
    START
    %1
    fnstsw ax
    test eax, 0x400
    jz %%complete
    mov eax, 0x400
%%complete:
    and eax, %2
    call hex16
    mov dword [COUNT], 200
%%again:
    fnstsw ax
    test eax, 0x400
    jz %%done
    %1
    dec dword [COUNT]
    jnz %%again
%%done:
    FSWOUT FSW_EXC
    OUT80
%endmacro

group_main:
    mov edi, OPA
    call make80
    mov edi, OPB
    call make80
    call rand
    and eax, 0xC00
    or eax, 0x37F
    mov [FCW], eax
    call hex16
    mov esi, OPA
    call print80
    mov esi, OPB
    call print80
    SEP
    ; FLD m80 / FSTP m80 keep every bit pattern; nothing but the status.
    START
    OUT80
    FSWOUT FSW_EXC | FSW_ALL
    SEP
    START
    fxam
    FSWOUT FSW_ALL
    ftst
    FSWOUT FSW_CC | 1
    SEP
    REMAINDER fprem, FSW_ALL
    SEP
    REMAINDER fprem1, 0x400
    SEP
    START
    fscale
    FSWOUT FSW_EXC
    OUT80
    SEP
    START
    fxtract
    FSWOUT FSW_EXC
    OUT80
    OUT80
    SEP
    START
    fistp qword [RES]
    FSWOUT FSW_EXC
    mov eax, [RES + 4]
    call hex32
    mov eax, [RES]
    call hex32
    START
    fistp word [RES]
    FSWOUT FSW_EXC
    mov eax, [RES]
    call hex16
    SEP
    START
    fbstp [RES]
    FSWOUT FSW_EXC
    mov esi, RES
    call print80
    ; FBLD of a random valid BCD number, back as an 80-bit value.
    fninit
    fldcw [FCW]
    mov ecx, 9
    mov edi, RES
.digits:
    call rand
    and eax, 0x7777
    mov [edi], al
    inc edi
    dec ecx
    jnz .digits
    call rand
    and al, 0x80
    mov [edi], al
    fbld [RES]
    FSWOUT FSW_EXC
    OUT80
    SEP
    START
    fcomi st0, st1
    pushfd
    FSWOUT 1
    pop eax
    and eax, 0x45             ; ZF PF CF
    call hex12
    START
    fucomi st0, st1
    pushfd
    FSWOUT 1
    pop eax
    and eax, 0x45
    call hex12
    SEP
    fninit
    fldcw [FCW]
    fldpi
    OUT80
    fldl2t
    OUT80
    fldl2e
    OUT80
    fldlg2
    OUT80
    fldln2
    OUT80
    FSWOUT FSW_EXC
    SEP
    ; Environment after an instruction that raised flags, then FNSAVE's
    ; register area (ST(0) first) and the state after it.
    START
    fadd st0, st1
    fld1
    fnstenv [ENV]
    movzx eax, word [ENV]
    call hex16
    movzx eax, word [ENV + 4]
    and eax, 0xFFFD           ; not DE (see above)
    call hex16
    movzx eax, word [ENV + 8]
    call hex16
    fnstcw [RES]
    movzx eax, word [RES]
    call hex16
    fnsave [ENV]
    mov esi, ENV + 28
    call print80
    mov esi, ENV + 38
    call print80
    FSWOUT 0xFFFF
    fnstcw [RES]
    movzx eax, word [RES]
    call hex16
    ret

header: db "# fpu-ops: fcw a b | m80 (se hi lo fsw) | fxam ftst (fsw) | fprem (cc fsw se hi lo) | fprem1 | fscale | fxtract (fsw sig exp) | fistp64 fistp16 | fbstp fbld | fcomi fucomi (fsw flags) | fldpi l2t l2e lg2 ln2 fsw | env (fcw fsw ftw) fcw save st0 st1 fsw fcw", 10, 0
%include "end.inc"
