; BCD adjustments: daa das aaa aas, aam 10/16/0 (#DE), aad 10/16/7/0, over
; random AX and incoming flags. Defined flags: daa/das all but OF; aaa/aas CF
; and AF; aam/aad SF, ZF and PF.
; Line: ax f | daa das aaa aas aam10 aam16 aam0 aad10 aad16 aad7 aad0 (ax flags; "de" on fault)
%define SEED 0xBCDBCD01
%define CASES_DEFAULT 2000
%include "lib.inc"
%include "macros.inc"

%macro ADJ 2 ; instruction (with immediate), flag mask
    mov dword [fault], 0
    mov dword [resume], %%after
    mov eax, [va]
    LOADF
    %1
%%after:
    pushfd
    call hex16
    pop eax
    and eax, %2
    call hex12
    cmp dword [fault], 0
    je %%ok
    mov esi, de_text
    call puts
%%ok:
%endmacro

group_main:
    call operand
    mov [va], eax
    call randflags
    mov [vf], eax
    mov eax, [va]
    call hex16
    mov eax, [vf]
    call hex12
    SEP
    ADJ daa, ALL_FLAGS & ~0x800
    ADJ das, ALL_FLAGS & ~0x800
    ADJ aaa, 0x011
    ADJ aas, 0x011
    ADJ {aam 10}, 0x0C4
    ADJ {aam 16}, 0x0C4
    ADJ {aam 0}, 0x0C4
    ADJ {aad 10}, 0x0C4
    ADJ {aad 16}, 0x0C4
    ADJ {aad 7}, 0x0C4
    ADJ {aad 0}, 0x0C4
    ret

de_text: db "de ", 0
header: db "# bcd: ax f | daa das aaa aas aam10 aam16 aam0 aad10 aad16 aad7 aad0", 10, 0
%include "end.inc"
