; x87 arithmetic with every exception masked: fadd fsub fsubr fmul fdiv fdivr
; (st0 = a, st1 = b), fsqrt and frndint of a, fcom a with b, fist a (int32),
; fst a as double and as single, under a random rounding mode and precision
; control. Operands are random 80-bit values: mostly normal numbers near 1 or
; anywhere in range, sometimes zero, denormal, infinity, QNaN, SNaN, 1 or the
; largest finite. Results print as sign+exponent, mantissa high, mantissa low,
; then the status word masked to the exception flags IE ZE OE UE PE, and
; C3 C2 C0 for fcom. C1 (round-up) is left out: QEMU does not maintain it.
; DE is left out too: the SDM sets it for a denormal source operand, QEMU 7.2
; never does.
; frndint runs with 64-bit precision control whatever the case's PC: the SDM
; applies PC to fadd/fsub/fmul/fdiv/fsqrt only, but QEMU 7.2 also rounds the
; frndint result to the PC precision.
; Line: fcw a(se hi lo) b(se hi lo) | fadd fsub fsubr fmul fdiv fdivr fsqrt frndint (se hi lo fsw) |
; fcom (fsw) | fist (int fsw) | fst m64 (hi lo fsw) | fst m32 (val fsw)
%define SEED 0x87878787
%define CASES_DEFAULT 1000
%include "lib.inc"
%include "macros.inc"

OPA  equ scratch + 0          ; 10 bytes
OPB  equ scratch + 16
RES  equ scratch + 32
FCW  equ scratch + 48
FSW  equ scratch + 52
FCW_OP equ scratch + 56       ; the FCW one operation loads

FSW_EXC  equ 0x3D            ; IE ZE OE UE PE (not DE: see above)
FSW_CMP  equ 0x4500 | FSW_EXC

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

%macro FSWOUT 1 ; mask
    fnstsw ax
    and eax, %1
    call hex16
%endmacro

%macro UNOP 1-2 0 ; instruction, FCW bits to set
    START %2
    %1
    fstp tword [RES]
    fnstsw ax
    and eax, FSW_EXC
    mov [FSW], eax
    mov esi, RES
    call print80
    mov eax, [FSW]
    call hex16
%endmacro

%macro BIN2 1
    START
    %1 st0, st1
    fstp tword [RES]
    fnstsw ax
    and eax, FSW_EXC
    mov [FSW], eax
    mov esi, RES
    call print80
    mov eax, [FSW]
    call hex16
%endmacro

group_main:
    mov edi, OPA
    call make80
    mov edi, OPB
    call make80
    ; fcw: all exceptions masked, random RC, PC one of 24/53/64 bits
    call rand
    mov edx, eax
    and edx, 0xC00
    and eax, 3
    movzx eax, byte [pcs + eax]
    shl eax, 8
    or eax, edx
    or eax, 0x7F              ; exception masks, and bit 6 (reserved, set after FNINIT)
    mov [FCW], eax
    call hex16
    mov esi, OPA
    call print80
    mov esi, OPB
    call print80
    SEP
    BIN2 fadd
    BIN2 fsub
    BIN2 fsubr
    BIN2 fmul
    BIN2 fdiv
    BIN2 fdivr
    UNOP fsqrt
    UNOP frndint, 0x300
    SEP
    START
    fcom st1
    FSWOUT FSW_CMP
    SEP
    START
    fistp dword [RES]
    fnstsw ax
    and eax, FSW_EXC
    mov [FSW], eax
    mov eax, [RES]
    call hex32
    mov eax, [FSW]
    call hex16
    SEP
    START
    fstp qword [RES]
    fnstsw ax
    and eax, FSW_EXC
    mov [FSW], eax
    mov eax, [RES + 4]
    call hex32
    mov eax, [RES]
    call hex32
    mov eax, [FSW]
    call hex16
    START
    fstp dword [RES]
    fnstsw ax
    and eax, FSW_EXC
    mov [FSW], eax
    mov eax, [RES]
    call hex32
    mov eax, [FSW]
    call hex16
    ret

pcs: db 0, 2, 3, 3

header: db "# x87: fcw a b | fadd fsub fsubr fmul fdiv fdivr fsqrt frndint (se hi lo fsw) | fcom (fsw) | fist32 (int fsw) | fst64 (hi lo fsw) fst32 (val fsw)", 10, 0
%include "end.inc"
