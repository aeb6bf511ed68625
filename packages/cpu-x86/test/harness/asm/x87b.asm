; x87, second group: classification and comparison (fxam, ftst, fucom,
; fcomi, fucomi), fabs/fchs, fxtract, fprem/fprem1 (with the quotient bits in
; C0 C3 C1 and C2 for an incomplete reduction), integer and BCD conversions
; (fild/fistp m16 and m64, fbstp), and the constants fldpi/fldl2e/fldlg2 under
; the case's rounding mode. Operands as in the x87 group. FSW bits compared:
; IE ZE OE UE PE (DE is left out, see x87.asm) and C0-C3 where the
; instruction defines them.
; fprem/fprem1 run with 64-bit precision control: the SDM makes the remainder
; exact, QEMU 7.2 rounds it to PC (and raises PE). After an incomplete
; reduction (C2 = 1, exponents 64 or more apart) the partial remainder and
; C0 C1 C3 depend on an implementation-chosen step (SDM: "N between 32 and
; 63"), so only C2 and the exception flags are printed then. For fprem1
; only C2 is printed at all: QEMU 7.2 often reports its quotient bits (C0 C3
; C1) as 0 where the SDM's round-to-nearest quotient has them set.
; Line: fcw a b | fxam ftst fucom (fsw) fcomi fucomi (eflags fsw) | fabs fchs (se hi lo) fxtract (sig exp fsw) |
; fprem fprem1 (se hi lo fsw) | fild64 (se hi lo) fistp16 fistp64 fbstp (value fsw) | fldpi fldl2e fldlg2 (se hi lo)
%define SEED 0x87B087B0
%define CASES_DEFAULT 1000
%include "lib.inc"
%include "macros.inc"

OPA    equ scratch + 0
OPB    equ scratch + 16
RES    equ scratch + 32
FCW    equ scratch + 48
FSW    equ scratch + 52
FCW_OP equ scratch + 56
RES2   equ scratch + 64

FSW_EXC  equ 0x3D
FSW_C    equ 0x4700
FSW_ALL  equ FSW_C | FSW_EXC

%include "x87-operands.inc"

%macro START 0-1 0 ; optional: bits to set in FCW for this operation
    fninit
    mov eax, [FCW]
    or eax, %1
    mov [FCW_OP], ax
    fldcw [FCW_OP]
    fld tword [OPB]
    fld tword [OPA]
%endmacro

%macro FSWOUT 1
    fnstsw ax
    and eax, %1
    call hex16
%endmacro

; STORE80: pops st0 to RES and prints it; keeps the status word of the operation in [FSW].
%macro KEEPFSW 1
    fnstsw ax
    and eax, %1
    mov [FSW], eax
%endmacro

%macro PRINT_RES80 0
    mov esi, RES
    call print80
%endmacro

group_main:
    mov edi, OPA
    call make80
    mov edi, OPB
    call make80
    call rand
    mov edx, eax
    and edx, 0xC00
    and eax, 3
    movzx eax, byte [pcs + eax]
    shl eax, 8
    or eax, edx
    or eax, 0x7F
    mov [FCW], eax
    call hex16
    mov esi, OPA
    call print80
    mov esi, OPB
    call print80
    SEP
    START
    fxam
    FSWOUT FSW_ALL & ~0x0200   ; C1 is the sign for fxam: keep it
    START
    fxam
    fnstsw ax
    and eax, 0x0200
    call hex16
    START
    ftst
    FSWOUT FSW_ALL
    START
    fucom st1
    FSWOUT FSW_ALL
    START
    fcomi st0, st1
    pushfd
    pop eax
    and eax, 0x45
    call hex8
    FSWOUT FSW_EXC
    START
    fucomi st0, st1
    pushfd
    pop eax
    and eax, 0x45
    call hex8
    FSWOUT FSW_EXC
    SEP
    START
    fabs
    fstp tword [RES]
    PRINT_RES80
    START
    fchs
    fstp tword [RES]
    PRINT_RES80
    START
    fxtract
    fstp tword [RES]
    fstp tword [RES2]
    KEEPFSW FSW_EXC
    PRINT_RES80
    mov esi, RES2
    call print80
    mov eax, [FSW]
    call hex16
    SEP
    START 0x300
    fprem
    KEEPFSW FSW_ALL
    call remainder_out
    START 0x300
    fprem1
    KEEPFSW 0x400 | FSW_EXC
    fstp tword [RES]
    call partial_out
    SEP
    ; fild m64 of the raw low 64 bits of a
    fninit
    fldcw [FCW_OP]
    fild qword [OPA]
    fstp tword [RES]
    PRINT_RES80
    START
    fistp word [RES]
    KEEPFSW FSW_EXC
    movzx eax, word [RES]
    call hex16
    mov eax, [FSW]
    call hex16
    START
    fistp qword [RES]
    KEEPFSW FSW_EXC
    mov eax, [RES + 4]
    call hex32
    mov eax, [RES]
    call hex32
    mov eax, [FSW]
    call hex16
    START
    fbstp tword [RES]
    KEEPFSW FSW_EXC
    PRINT_RES80
    mov eax, [FSW]
    call hex16
    SEP
    fninit
    mov eax, [FCW]
    or eax, 0x300
    mov [FCW_OP], ax
    fldcw [FCW_OP]
    fldpi
    fstp tword [RES]
    PRINT_RES80
    fldl2e
    fstp tword [RES]
    PRINT_RES80
    fldlg2
    fstp tword [RES]
    PRINT_RES80
    ret

; remainder_out: st0 and the status word of fprem/fprem1, which the caller keeps
; before the store: FSTP sets C1 by its own rounding (SDM vol. 1, 8.3.2), so a
; status word read after it would not show fprem's Q0; after an incomplete
; reduction, zeros for the partial remainder and only C2 of the condition codes.
remainder_out:
    fstp tword [RES]
partial_out:
    test dword [FSW], 0x400
    jz .complete
    and dword [FSW], 0x400 | FSW_EXC
    mov dword [RES], 0
    mov dword [RES + 4], 0
    mov word [RES + 8], 0
.complete:
    PRINT_RES80
    mov eax, [FSW]
    call hex16
    ret

pcs: db 0, 2, 3, 3

header: db "# x87b: fcw a b | fxam(c0-c3) fxam(c1) ftst fucom fcomi(zf pf cf, fsw) fucomi | fabs fchs fxtract(sig exp fsw) | fprem fprem1 (se hi lo fsw) | fild64 fistp16 fistp64 fbstp | fldpi fldl2e fldlg2", 10, 0
%include "end.inc"
