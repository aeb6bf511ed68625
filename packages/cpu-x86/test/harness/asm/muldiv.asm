; Multiply and divide: mul/imul (one operand) at 8, 16, 32 bits, imul r,r and
; imul r,r,imm at 16 and 32 bits, div/idiv at 8, 16, 32 bits. Only CF and OF
; are defined after a multiply, nothing after a divide. A divide that faults
; (#DE: divisor 0 or quotient overflow) prints "de" and the registers, which
; must be unchanged.
; Line: a h b f | mul8 mul16 mul32 imul8 imul16 imul32 (edx eax flags) | imul16rr imul32rr imul16rri imul32rri
; (result flags) | div8 div16 div32 idiv8 idiv16 idiv32 (edx eax, "de" on fault)
%define SEED 0xD1D1D1D1
%define CASES_DEFAULT 1000
%include "lib.inc"
%include "macros.inc"

MUL_FLAGS equ 0x801

%macro MUL1 2 ; insn, operand
    mov eax, [va]
    mov edx, [vh]
    mov ebx, [vb]
    LOADF
    %1 %2
    pushfd
    call print_edx_eax
    pop eax
    and eax, MUL_FLAGS
    call hex12
%endmacro

%macro IMULRR 3 ; dst, src, width
    mov eax, [va]
    mov ebx, [vb]
    LOADF
    imul %1, %2
    SHOW %3, MUL_FLAGS
%endmacro

%macro IMULRRI 4 ; dst, src, imm, width
    mov ebx, [vb]
    LOADF
    imul %1, %2, %3
    pushfd
    mov eax, ebx
    call hex%4
    pop eax
    and eax, MUL_FLAGS
    call hex12
%endmacro

%macro DIV1 2 ; insn, operand
    mov dword [fault], 0
    mov dword [resume], %%after
    mov eax, [va]
    mov edx, [vh]
    mov ebx, [vb]
    %1 %2
%%after:
    call print_edx_eax
    cmp dword [fault], 0
    je %%ok
    mov esi, de_text
    call puts
%%ok:
%endmacro

print_edx_eax:
    push eax
    mov eax, edx
    call hex32
    pop eax
    call hex32
    ret

; The high half of a dividend: zero, the sign extension of the low half, a
; small value or anything, so that divides succeed as often as they fault.
pick_high:
    call rand
    and eax, 3
    jz .zero
    cmp eax, 1
    je .sign
    cmp eax, 2
    je .small
    jmp operand
.zero:
    xor eax, eax
    ret
.sign:
    mov eax, [va]
    sar eax, 31
    ret
.small:
    call rand
    and eax, 0xFF
    ret

group_main:
    call operand
    mov [va], eax
    call pick_high
    mov [vh], eax
    call operand
    mov [vb], eax
    call randflags
    mov [vf], eax
    mov eax, [va]
    call hex32
    mov eax, [vh]
    call hex32
    mov eax, [vb]
    call hex32
    mov eax, [vf]
    call hex12
    SEP
    MUL1 mul, bl
    MUL1 mul, bx
    MUL1 mul, ebx
    MUL1 imul, bl
    MUL1 imul, bx
    MUL1 imul, ebx
    SEP
    IMULRR ax, bx, 16
    IMULRR eax, ebx, 32
    IMULRRI bx, bx, 0x7FFF, 16
    IMULRRI ebx, ebx, -3, 32
    IMULRRI bx, bx, -0x80, 16
    IMULRRI ebx, ebx, 0x12345678, 32
    SEP
    DIV1 div, bl
    DIV1 div, bx
    DIV1 div, ebx
    DIV1 idiv, bl
    DIV1 idiv, bx
    DIV1 idiv, ebx
    ret

de_text: db "de ", 0
header: db "# muldiv: a h b f | mul8 mul16 mul32 imul8 imul16 imul32 | imul16rr imul32rr imul16rri(7fff) imul32rri(-3) imul16rri(-80) imul32rri(12345678) | div8 div16 div32 idiv8 idiv16 idiv32", 10, 0
%include "end.inc"
