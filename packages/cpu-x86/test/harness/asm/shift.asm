; Shifts and rotates: shl shr sar rol ror rcl rcr (by CL and by 1) at 8, 16
; and 32 bits, and shld/shrd (by CL) at 16 and 32 bits. The count comes from
; a table of edges (0, 1, width-1, width, width+1, 31, 32, 33, 255) or is
; random. Flags are masked to what the SDM defines for the masked count:
; count 0 changes nothing; OF only for count 1; AF never after a non-zero
; shift; CF of shl/shr undefined once the count reaches the width; a 16-bit
; shld/shrd count above 16 leaves result and flags undefined.
; Line: a b count f | 8-bit shl shr sar rol ror rcl rcr shl1 shr1 sar1 rol1 ror1 rcl1 rcr1 |
; 16-bit (same, then shld shrd) | 32-bit (same).
%define SEED 0x5EED0001
%define CASES_DEFAULT 1000
%include "lib.inc"
%include "macros.inc"

; Masks per case, computed from the masked count.
m_shl8  equ scratch + 0
m_shl16 equ scratch + 4
m_shl32 equ scratch + 8
m_sar   equ scratch + 12
m_rot   equ scratch + 16
m_shd16 equ scratch + 20
m_shd32 equ scratch + 24
r_shd16 equ scratch + 28
m_one   equ scratch + 32

%macro SH 4 ; insn, reg, width, mask variable
    mov eax, [va]
    mov ecx, [vc]
    LOADF
    %1 %2, cl
    pushfd
    call hex%3
    pop eax
    and eax, [%4]
    call hex12
%endmacro

%macro SH1 4 ; by-one form: D0/D1 encodings
    mov eax, [va]
    LOADF
    %1 %2, 1
    pushfd
    call hex%3
    pop eax
    and eax, %4
    call hex12
%endmacro

%macro SHD 4 ; insn, dst, src, width (then SHDOUT prints)
    mov eax, [va]
    mov ebx, [vb]
    mov ecx, [vc]
    LOADF
    %1 %2, %3, cl
    pushfd
%endmacro

%macro WIDTH 3 ; reg, width, shl mask variable
    SEP
    SH shl, %1, %2, %3
    SH shr, %1, %2, %3
    SH sar, %1, %2, m_sar
    SH rol, %1, %2, m_rot
    SH ror, %1, %2, m_rot
    SH rcl, %1, %2, m_rot
    SH rcr, %1, %2, m_rot
    SH1 shl, %1, %2, ALL_FLAGS & ~0x10
    SH1 shr, %1, %2, ALL_FLAGS & ~0x10
    SH1 sar, %1, %2, ALL_FLAGS & ~0x10
    SH1 rol, %1, %2, ALL_FLAGS
    SH1 ror, %1, %2, ALL_FLAGS
    SH1 rcl, %1, %2, ALL_FLAGS
    SH1 rcr, %1, %2, ALL_FLAGS
%endmacro

; pick_count: eax = an edge count (half the time) or a random byte.
pick_count:
    call rand
    test al, 1
    jz .random
    call rand
    and eax, 15
    movzx eax, byte [counts + eax]
    ret
.random:
    call rand
    and eax, 0xFF
    ret

compute_masks:
    mov ecx, [vc]
    and ecx, 31
    ; OF is defined for count 1 only.
    xor edx, edx
    cmp ecx, 1
    jne .n1
    mov edx, 0x800
.n1:
    mov [m_one], edx
    cmp ecx, 0
    jne .nz
    mov eax, ALL_FLAGS
    mov [m_shl8], eax
    mov [m_shl16], eax
    mov [m_shl32], eax
    mov [m_sar], eax
    mov [m_rot], eax
    mov [m_shd16], eax
    mov [m_shd32], eax
    mov dword [r_shd16], 0xFFFF
    ret
.nz:
    mov eax, 0xC4
    or eax, edx
    mov [m_shl8], eax
    mov [m_shl16], eax
    mov [m_shl32], eax
    cmp ecx, 8
    jae .a8
    or dword [m_shl8], 1
.a8:
    cmp ecx, 16
    jae .a16
    or dword [m_shl16], 1
.a16:
    or dword [m_shl32], 1
    mov eax, 0xC5
    or eax, edx
    mov [m_sar], eax
    mov [m_shd32], eax
    mov [m_shd16], eax
    mov dword [r_shd16], 0xFFFF
    cmp ecx, 16
    jbe .s16
    mov dword [m_shd16], 0
    mov dword [r_shd16], 0
.s16:
    mov eax, 0xD5
    or eax, edx
    mov [m_rot], eax
    ret

%macro SHDOUT 3 ; width, mask variable, result mask variable or none
    pop edx
%ifnidn %3, none
    and eax, [%3]
%endif
    call hex%1
    mov eax, edx
    and eax, [%2]
    call hex12
%endmacro

group_main:
    call operand
    mov [va], eax
    call operand
    mov [vb], eax
    call pick_count
    mov [vc], eax
    call randflags
    mov [vf], eax
    call compute_masks
    mov eax, [va]
    call hex32
    mov eax, [vb]
    call hex32
    mov eax, [vc]
    call hex8
    mov eax, [vf]
    call hex12
    WIDTH al, 8, m_shl8
    WIDTH ax, 16, m_shl16
    SHD shld, ax, bx, 16
    SHDOUT 16, m_shd16, r_shd16
    SHD shrd, ax, bx, 16
    SHDOUT 16, m_shd16, r_shd16
    WIDTH eax, 32, m_shl32
    SHD shld, eax, ebx, 32
    SHDOUT 32, m_shd32, none
    SHD shrd, eax, ebx, 32
    SHDOUT 32, m_shd32, none
    ret

counts: db 0, 1, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 255, 2, 24, 25

header: db "# shift: a b count f | 8-bit shl shr sar rol ror rcl rcr shl1 shr1 sar1 rol1 ror1 rcl1 rcr1 | 16-bit ... shld shrd | 32-bit ... shld shrd", 10, 0
%include "end.inc"
