; Bit operations: bt bts btr btc with a register bit offset (16 and 32 bit),
; with an immediate (taken modulo the width), and on a memory bit string with
; a signed register offset (reaching below and above the addressed word);
; bsf/bsr at 16 and 32 bits. Only CF is defined after bt*, only ZF after
; bsf/bsr, whose destination is undefined for a zero source (printed as 0).
; Line: a b f | bt bts btr btc r32,r32 | r16,r16 | r32,imm 3 and 35 | [mem],r32 | [mem],r16
; (memory forms print the touched dword) | bsf32 bsr32 bsf16 bsr16
%define SEED 0xB17B17B1
%define CASES_DEFAULT 1000
%include "lib.inc"
%include "macros.inc"

BUF      equ 0x4000           ; 256 bytes; operations address its middle
BUF_MID  equ BUF + 128

%macro BTRR 3 ; insn, dst, src, width
    mov eax, [va]
    mov ebx, [vb]
    LOADF
    %1 %2, %3
%endmacro

%macro BTOUT 1
    SHOW %1, 0x001
%endmacro

%macro BTMEM32 1 ; insn
    call fill_buf
    mov ebx, [vc]
    LOADF
    %1 dword [BUF_MID], ebx
    pushfd
    mov eax, ebx
    sar eax, 5
    mov eax, [BUF_MID + eax*4]
    call hex32
    pop eax
    and eax, 1
    call hex12
%endmacro

%macro BTMEM16 1 ; insn
    call fill_buf
    mov ebx, [vc]
    LOADF
    %1 word [BUF_MID], bx
    pushfd
    movsx eax, bx
    sar eax, 4
    movzx eax, word [BUF_MID + eax*2]
    call hex16
    pop eax
    and eax, 1
    call hex12
%endmacro

%macro BSX 3 ; insn, dst, src (dst starts as b; undefined result when a's low part is 0)
    mov eax, [va]
    mov ebx, [vb]
    LOADF
    %1 %2, %3
    pushfd
    mov eax, ebx
    jnz %%nz
    xor eax, eax
%%nz:
    call hex32
    pop eax
    and eax, 0x040
    call hex12
%endmacro

; fill_buf: 256 random bytes.
fill_buf:
    push ecx
    push eax
    xor ecx, ecx
.l:
    call rand
    mov [BUF + ecx*4], eax
    inc ecx
    cmp ecx, 64
    jne .l
    pop eax
    pop ecx
    ret

group_main:
    call operand
    mov [va], eax
    call operand
    mov [vb], eax
    call rand                 ; memory bit offset in -1024..1023
    and eax, 0x7FF
    sub eax, 0x400
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
    BTRR bt, eax, ebx
    BTOUT 32
    BTRR bts, eax, ebx
    BTOUT 32
    BTRR btr, eax, ebx
    BTOUT 32
    BTRR btc, eax, ebx
    BTOUT 32
    SEP
    BTRR bt, ax, bx
    BTOUT 16
    BTRR bts, ax, bx
    BTOUT 16
    BTRR btr, ax, bx
    BTOUT 16
    BTRR btc, ax, bx
    BTOUT 16
    SEP
    BTRR bt, eax, 3
    BTOUT 32
    BTRR bts, eax, 35
    BTOUT 32
    BTRR btr, ax, 3
    BTOUT 16
    BTRR btc, ax, 19
    BTOUT 16
    SEP
    BTMEM32 bt
    BTMEM32 bts
    BTMEM32 btr
    BTMEM32 btc
    SEP
    BTMEM16 bt
    BTMEM16 bts
    BTMEM16 btr
    BTMEM16 btc
    SEP
    BSX bsf, ebx, eax
    BSX bsr, ebx, eax
    BSX bsf, bx, ax
    BSX bsr, bx, ax
    ret

header: db "# bitops: a b off f | bt bts btr btc r32 | r16 | bt32,3 bts32,35 btr16,3 btc16,19 | [m],r32 | [m],r16 | bsf32 bsr32 bsf16 bsr16", 10, 0
%include "end.inc"
