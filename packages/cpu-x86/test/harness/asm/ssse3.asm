; SSSE3 (recorded and run on the core2duo model): pshufb phaddw phaddd
; phaddsw pmaddubsw phsubw phsubd phsubsw psignb psignw psignd pmulhrsw pabsb
; pabsw pabsd in their MMX and SSE forms (register and memory sources), and
; palignr with counts inside, at and past the operand width. Operands are
; random dwords biased to edge values, as in simd-int.
; Line: a(4) b(4) | mmx results (2 dwords each) | sse results (4 dwords each)
%define SEED 0x55e3cafe
%define CASES_DEFAULT 500
%include "lib.inc"
%include "macros.inc"

OPA  equ scratch + 0
OPB  equ scratch + 16
RES  equ scratch + 48

%macro MM 1
    movq mm0, [OPA]
    movq mm1, [OPB]
    %1
    movq [RES], mm0
    mov eax, [RES + 4]
    call hex32
    mov eax, [RES]
    call hex32
%endmacro

%macro XM 1
    movdqa xmm0, [OPA]
    movdqa xmm1, [OPB]
    %1
    movdqa [RES], xmm0
    SHOW128 RES
%endmacro

%macro BOTH 1-*
%rep %0
    MM {%1 mm0, mm1}
    MM {%1 mm0, [OPB]}
    XM {%1 xmm0, xmm1}
    XM {%1 xmm0, [OPB]}
%rotate 1
%endrep
%endmacro

group_main:
    mov eax, cr4
    or eax, 0x600
    mov cr4, eax
    mov ecx, 8
    mov edi, OPA
.fill:
    call operand
    mov [edi], eax
    add edi, 4
    dec ecx
    jnz .fill
    SHOW128 OPA, OPB
    SEP
    BOTH pshufb, phaddw, phaddd, phaddsw, pmaddubsw, phsubw, phsubd, phsubsw, psignb, psignw, psignd, pmulhrsw, pabsb, pabsw, pabsd
    SEP
    MM {palignr mm0, mm1, 0}
    MM {palignr mm0, [OPB], 3}
    MM {palignr mm0, mm1, 8}
    MM {palignr mm0, mm1, 12}
    MM {palignr mm0, mm1, 16}
    XM {palignr xmm0, xmm1, 0}
    XM {palignr xmm0, [OPB], 5}
    XM {palignr xmm0, xmm1, 16}
    XM {palignr xmm0, xmm1, 20}
    XM {palignr xmm0, xmm1, 32}
    emms
    ret

%include "sse-operands.inc"

header: db "# ssse3: a b | pshufb phaddw phaddd phaddsw pmaddubsw phsubw phsubd phsubsw psignb psignw psignd pmulhrsw pabsb pabsw pabsd (mm, mm-m, xmm, xmm-m each) | palignr", 10, 0

%include "end.inc"
