; ALU group: add adc sub sbb and or xor cmp inc dec neg not at 8, 16 and 32
; bits, register forms, over random operands and random incoming flags (so
; adc/sbb see both carries and inc/dec/not must keep what they do not define).
; Line: a b f | then per width: add adc sub sbb and or xor cmp inc dec neg not,
; each "result flags" (cmp: flags only). AF is undefined after and/or/xor.
%define SEED 0xA1B2C3D4
%define CASES_DEFAULT 1000
%include "lib.inc"
%include "macros.inc"

LOGIC_FLAGS equ ALL_FLAGS & ~0x10

%macro BIN 4 ; insn, dst, src, width
    mov eax, [va]
    mov ebx, [vb]
    LOADF
    %1 %2, %3
%ifidn %1, cmp
    SHOWF ALL_FLAGS
%elifidn %1, and
    SHOW %4, LOGIC_FLAGS
%elifidn %1, or
    SHOW %4, LOGIC_FLAGS
%elifidn %1, xor
    SHOW %4, LOGIC_FLAGS
%else
    SHOW %4, ALL_FLAGS
%endif
%endmacro

%macro UN 3 ; insn, reg, width
    mov eax, [va]
    LOADF
    %1 %2
    SHOW %3, ALL_FLAGS
%endmacro

%macro WIDTH 3 ; a-reg, b-reg, width
    SEP
    BIN add, %1, %2, %3
    BIN adc, %1, %2, %3
    BIN sub, %1, %2, %3
    BIN sbb, %1, %2, %3
    BIN and, %1, %2, %3
    BIN or, %1, %2, %3
    BIN xor, %1, %2, %3
    BIN cmp, %1, %2, %3
    UN inc, %1, %3
    UN dec, %1, %3
    UN neg, %1, %3
    UN not, %1, %3
%endmacro

group_main:
    call operand
    mov [va], eax
    call operand
    mov [vb], eax
    call randflags
    mov [vf], eax
    mov eax, [va]
    call hex32
    mov eax, [vb]
    call hex32
    mov eax, [vf]
    call hex12
    WIDTH al, bl, 8
    WIDTH ax, bx, 16
    WIDTH eax, ebx, 32
    ret

header: db "# alu: a b f | 8-bit add adc sub sbb and or xor cmp(f) inc dec neg not | 16-bit ... | 32-bit ...", 10, 0
%include "end.inc"
