; Data movement and conditions: cbw cwde cwd cdq, movsx/movzx, bswap, xadd and
; cmpxchg at 8/16/32 bits (equal and unequal), cmpxchg8b, setcc and cmovcc for
; all 16 conditions under random flags (printed as 16-bit masks, condition 0
; in the top bit), lahf/sahf, xlatb, and lea with 16-bit and 32-bit addressing.
; Line: a b c f | cbw cwde cwd(dx ax) cdq(edx eax) | movsx8 movsx16 movzx8 movzx16 bswap |
; xadd8 xadd16 xadd32 (eax ebx flags) | cmpxchg8 cmpxchg16 cmpxchg32 (eax ebx flags) |
; cmpxchg8b (edx eax mem-hi mem-lo flags) | setcc cmovcc lahf sahf | xlatb lea16 lea32
%define SEED 0x3C3C5A5A
%define CASES_DEFAULT 1000
%include "lib.inc"
%include "macros.inc"

QWORD_AT equ scratch + 0        ; cmpxchg8b operand
TABLE    equ 0x4000             ; 256-byte xlat table, refilled each case

%macro XADD 3 ; dst, src, width
    mov eax, [va]
    mov ebx, [vb]
    LOADF
    xadd %1, %2
    pushfd
    call hex32
    mov eax, ebx
    call hex32
    pop eax
    and eax, ALL_FLAGS
    call hex12
%endmacro

%macro CMPXCHG 2 ; dst, src  (accumulator: eax = a; dst starts as b, or a when c is even)
    mov eax, [va]
    mov ebx, [vb]
    test byte [vc], 1
    jnz %%ne
    mov ebx, eax
%%ne:
    mov ecx, [vc]
    LOADF
    cmpxchg %1, %2
    pushfd
    call hex32
    mov eax, ebx
    call hex32
    pop eax
    and eax, ALL_FLAGS
    call hex12
%endmacro

; cc_mask: edx = 16-bit mask of SETcc over all conditions, flags from [vf].
%macro SETBIT 1
    LOADF
    set%1 al
    shl edx, 1
    or dl, al
%endmacro

%macro CMOVBIT 1
    LOADF
    mov ecx, 0
    cmov%1 ecx, esi
    shl edx, 1
    or edx, ecx
%endmacro

group_main:
    call operand
    mov [va], eax
    call operand
    mov [vb], eax
    call operand
    mov [vc], eax
    call randflags
    mov [vf], eax
    mov eax, [va]
    call hex32
    mov eax, [vb]
    call hex32
    mov eax, [vc]
    call hex32
    mov eax, [vf]
    call hex12
    SEP
    mov eax, [va]
    cbw
    call hex32
    mov eax, [va]
    cwde
    call hex32
    mov eax, [va]
    mov edx, [vb]
    cwd
    push eax
    mov eax, edx
    call hex32
    pop eax
    call hex32
    mov eax, [va]
    mov edx, [vb]
    cdq
    push eax
    mov eax, edx
    call hex32
    pop eax
    call hex32
    SEP
    mov ebx, [vb]
    mov eax, [va]
    movsx eax, bl
    call hex32
    movsx eax, bx
    call hex32
    movzx eax, bl
    call hex32
    movzx eax, bx
    call hex32
    mov eax, [va]
    bswap eax
    call hex32
    SEP
    XADD al, bl, 8
    XADD ax, bx, 16
    XADD eax, ebx, 32
    SEP
    CMPXCHG bl, cl
    CMPXCHG bx, cx
    CMPXCHG ebx, ecx
    SEP
    ; cmpxchg8b: memory = b:c, or a:b (equal to edx:eax) when c is even
    mov eax, [vb]
    mov edx, [va]
    mov ecx, [vc]
    mov [QWORD_AT], eax
    mov [QWORD_AT + 4], edx
    test cl, 1
    jz .eq
    mov [QWORD_AT], ecx
    mov eax, [vb]
    mov [QWORD_AT + 4], eax
.eq:
    mov eax, [vb]
    mov edx, [va]
    mov ebx, [vc]
    mov ecx, [va]
    not ecx
    LOADF
    cmpxchg8b [QWORD_AT]
    pushfd
    push eax
    mov eax, edx
    call hex32
    pop eax
    call hex32
    mov eax, [QWORD_AT + 4]
    call hex32
    mov eax, [QWORD_AT]
    call hex32
    pop eax
    and eax, ALL_FLAGS
    call hex12
    SEP
    xor edx, edx
    SETBIT o
    SETBIT no
    SETBIT b
    SETBIT ae
    SETBIT e
    SETBIT ne
    SETBIT be
    SETBIT a
    SETBIT s
    SETBIT ns
    SETBIT p
    SETBIT np
    SETBIT l
    SETBIT ge
    SETBIT le
    SETBIT g
    mov eax, edx
    call hex16
    xor edx, edx
    mov esi, 1
    CMOVBIT o
    CMOVBIT no
    CMOVBIT b
    CMOVBIT ae
    CMOVBIT e
    CMOVBIT ne
    CMOVBIT be
    CMOVBIT a
    CMOVBIT s
    CMOVBIT ns
    CMOVBIT p
    CMOVBIT np
    CMOVBIT l
    CMOVBIT ge
    CMOVBIT le
    CMOVBIT g
    mov eax, edx
    call hex16
    mov eax, [va]
    LOADF
    lahf
    call hex32
    mov eax, [vb]
    LOADF
    sahf
    pushfd
    pop eax
    and eax, ALL_FLAGS
    call hex12
    SEP
    xor ecx, ecx
.fill:
    call rand
    mov [TABLE + ecx*4], eax
    inc ecx
    cmp ecx, 64
    jne .fill
    mov ebx, TABLE
    mov eax, [va]
    xlatb
    call hex32
    mov ebx, [va]
    mov esi, [vb]
    mov eax, [vc]
    a16 lea ax, [bx + si + 0x8765]
    call hex32
    mov ebx, [va]
    mov ecx, [vb]
    lea eax, [ebx + ecx*8 - 0x12345]
    call hex32
    ret

header: db "# misc: a b c f | cbw cwde cwd cdq | movsx8 movsx16 movzx8 movzx16 bswap | xadd8 xadd16 xadd32 | cmpxchg8 cmpxchg16 cmpxchg32 | cmpxchg8b | setcc cmovcc lahf sahf | xlatb lea16 lea32", 10, 0
%include "end.inc"
