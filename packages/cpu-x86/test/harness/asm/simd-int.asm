; MMX and SSE2 integer instructions: every lane-wise operation (wrapping,
; saturating, compares, min/max, averages, multiplies, PMADDWD, PSADBW,
; logic) in its MMX form on the low quadwords and its SSE2 form on all 16
; bytes, unpacks and packs, shifts by a random register count (often past the
; lane width) and by immediates, shuffles, PMOVMSKB, PEXTRW/PINSRW, MOVD,
; MOVQ, MOVMSKPS/PD, SHUFPS/PD, UNPCKxPS/PD, the PS/PD logic, the fences;
; the store forms (MOVAPS/UPS/UPD, MOVLPS/HPS/LPD/HPD, MOVNT*,
; MASKMOVQ/DQU), MOVQ2DQ/MOVDQ2Q and the MMX
; conversions CVT(T)PI2PS/PD, CVT(T)PS2PI, CVT(T)PD2PI; then the x87 tags and TOP
; after an MMX instruction and after EMMS. Operands are random dwords biased
; to edge values (0, 1, 7F, 80, FF, 7FFF, 8000, FFFF, 80000000 ...).
; Line: a(4) b(4) count(2) | mmx results (2 dwords each) | sse2 results (4 dwords each) | x87 state
%define SEED 0x3a3a5c5c
%define CASES_DEFAULT 500
%include "lib.inc"
%include "macros.inc"

OPA  equ scratch + 0
OPB  equ scratch + 16
CNT  equ scratch + 32          ; shift count (low quadword)
RES  equ scratch + 48          ; 32 bytes
SAVEAREA equ 0x1000            ; 512-byte FXSAVE image

; MM instruction: mm0 = a, mm1 = b, run, print mm0.
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

; XM instruction: xmm0 = a, xmm1 = b, run, print xmm0.
%macro XM 1
    movdqa xmm0, [OPA]
    movdqa xmm1, [OPB]
    %1
    movdqa [RES], xmm0
    SHOW128 RES
%endmacro

; R32 instruction: the 32-bit result in eax.
%macro R32 1
    movq mm1, [OPB]
    movdqa xmm1, [OPB]
    mov eax, 0x5A5A5A5A
    %1
    call hex32
%endmacro

; ST16 instruction: RES (32 bytes) filled with AA, mm0/xmm0 = a, mm1/xmm1 = b,
; eax = 12345678h, edi = RES + 16 (MASKMOV*'s target); the store; RES's first 32 bytes printed.
%macro ST16 1
    mov edi, RES
    mov ecx, 8
    mov eax, 0xAAAAAAAA
    rep stosd
    movq mm0, [OPA]
    movq mm1, [OPB]
    movdqa xmm0, [OPA]
    movdqa xmm1, [OPB]
    mov eax, 0x12345678
    mov edi, RES + 16
    %1
    SHOW128 RES, RES + 16
%endmacro

; CVT instruction: as XM, then MXCSR's flags (cleared first).
%macro CVT 1
    ldmxcsr [mxcsr_reset]
    XM {%1}
    stmxcsr [RES]
    mov eax, [RES]
    and eax, ~2                    ; not DE: QEMU never sets it (see sse.asm)
    call hex16
%endmacro

; CVTM instruction: as MM with xmm1 = b too, then MXCSR's flags.
%macro CVTM 1
    ldmxcsr [mxcsr_reset]
    movdqa xmm1, [OPB]
    MM {%1}
    stmxcsr [RES]
    mov eax, [RES]
    and eax, ~2                    ; not DE: QEMU never sets it (see sse.asm)
    call hex16
%endmacro

%macro BOTH 1-*
%rep %0
    MM {%1 mm0, mm1}
%rotate 1
%endrep
%endmacro

%macro BOTHX 1-*
%rep %0
    XM {%1 xmm0, xmm1}
%rotate 1
%endrep
%endmacro

%define LANEOPS paddb, paddw, paddd, paddq, psubb, psubw, psubd, psubq, paddsb, paddsw, paddusb, paddusw, psubsb, psubsw, psubusb, psubusw, pcmpeqb, pcmpeqw, pcmpeqd, pcmpgtb, pcmpgtw, pcmpgtd, pminub, pmaxub, pminsw, pmaxsw, pavgb, pavgw, pmullw, pmulhw, pmulhuw, pmuludq, pmaddwd, psadbw, pand, pandn, por, pxor, punpcklbw, punpcklwd, punpckldq, punpckhbw, punpckhwd, punpckhdq, packsswb, packuswb, packssdw

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
    ; Shift count: mostly 0-70, sometimes a large quadword.
    call rand
    and eax, 0x7F
    sub eax, 0x8
    mov [CNT], eax
    call rand
    test al, 0x70
    mov dword [CNT + 4], 0
    jnz .count
    mov [CNT + 4], eax
.count:
    SHOW128 OPA, OPB
    mov eax, [CNT + 4]
    call hex32
    mov eax, [CNT]
    call hex32
    SEP
    BOTH LANEOPS
    MM {paddw mm0, [OPB]}
    MM {psrlw mm0, [CNT]}
    MM {psrld mm0, [CNT]}
    MM {psrlq mm0, [CNT]}
    MM {psraw mm0, [CNT]}
    MM {psrad mm0, [CNT]}
    MM {psllw mm0, [CNT]}
    MM {pslld mm0, [CNT]}
    MM {psllq mm0, [CNT]}
    MM {psrlw mm0, 3}
    MM {psraw mm0, 15}
    MM {psllw mm0, 16}
    MM {psrld mm0, 1}
    MM {psrad mm0, 40}
    MM {pslld mm0, 31}
    MM {psrlq mm0, 33}
    MM {psllq mm0, 63}
    MM {pshufw mm0, mm1, 0x1B}
    MM {pshufw mm0, [OPB], 0x93}
    MM {pinsrw mm0, [OPB + 2], 2}
    MM {movd mm0, [OPB + 4]}
    R32 {pmovmskb eax, mm1}
    R32 {pextrw eax, mm1, 3}
    R32 {movd eax, mm1}
    SEP
    BOTHX LANEOPS
    XM {punpcklqdq xmm0, xmm1}
    XM {punpckhqdq xmm0, [OPB]}
    XM {paddw xmm0, [OPB]}
    XM {psrlw xmm0, [CNT]}
    XM {psrld xmm0, [CNT]}
    XM {psrlq xmm0, [CNT]}
    XM {psraw xmm0, [CNT]}
    XM {psrad xmm0, [CNT]}
    XM {psllw xmm0, [CNT]}
    XM {pslld xmm0, [CNT]}
    XM {psllq xmm0, [CNT]}
    XM {psrlw xmm0, 3}
    XM {psraw xmm0, 15}
    XM {psllw xmm0, 16}
    XM {psrld xmm0, 1}
    XM {psrad xmm0, 40}
    XM {pslld xmm0, 31}
    XM {psrlq xmm0, 33}
    XM {psllq xmm0, 63}
    XM {psrldq xmm0, 5}
    XM {pslldq xmm0, 3}
    XM {psrldq xmm0, 17}
    XM {pshufd xmm0, xmm1, 0x1B}
    XM {pshufd xmm0, [OPB], 0x93}
    XM {pshuflw xmm0, xmm1, 0x1B}
    XM {pshufhw xmm0, [OPB], 0x39}
    XM {pinsrw xmm0, [OPB + 2], 6}
    XM {movd xmm0, [OPB + 4]}
    XM {movq xmm0, [OPB + 8]}
    XM {movq xmm0, xmm1}
    XM {movdqu xmm0, [OPB + 1]}
    XM {shufps xmm0, xmm1, 0x4E}
    XM {shufpd xmm0, [OPB], 1}
    XM {unpcklps xmm0, xmm1}
    XM {unpckhps xmm0, [OPB]}
    XM {unpcklpd xmm0, xmm1}
    XM {unpckhpd xmm0, [OPB]}
    XM {andps xmm0, xmm1}
    XM {andnpd xmm0, [OPB]}
    XM {orps xmm0, xmm1}
    XM {xorpd xmm0, [OPB]}
    XM {andpd xmm0, [OPB]}
    XM {andnps xmm0, xmm1}
    XM {orpd xmm0, xmm1}
    XM {xorps xmm0, [OPB]}
    XM {movupd xmm0, [OPB + 3]}
    XM {lfence}
    XM {mfence}
    XM {sfence}
    XM {movss xmm0, xmm1}
    XM {movss xmm0, [OPB + 4]}
    XM {movsd xmm0, xmm1}
    XM {movsd xmm0, [OPB + 8]}
    XM {movhlps xmm0, xmm1}
    XM {movlhps xmm0, xmm1}
    XM {movlps xmm0, [OPB + 8]}
    XM {movhpd xmm0, [OPB]}
    R32 {pmovmskb eax, xmm1}
    R32 {pextrw eax, xmm1, 5}
    R32 {movd eax, xmm1}
    R32 {movmskps eax, xmm1}
    R32 {movmskpd eax, xmm1}
    SEP
    ; Stores, and the conversions between MMX and XMM (MXCSR as reset: round
    ; to nearest, all masked), with the MXCSR flags after them.
    ST16 {movaps [RES], xmm1}
    ST16 {movups [RES + 16], xmm1}
    ST16 {movlps [RES], xmm1}
    ST16 {movhps [RES + 8], xmm1}
    ST16 {movlpd [RES + 8], xmm1}
    ST16 {movhpd [RES], xmm1}
    ST16 {movntps [RES], xmm1}
    ST16 {movupd [RES + 5], xmm1}
    ST16 {movntpd [RES + 16], xmm1}
    ST16 {movntdq [RES + 16], xmm1}
    ST16 {movq [RES + 4], xmm1}
    ST16 {movq [RES + 8], mm1}
    ST16 {movntq [RES], mm1}
    ST16 {movnti [RES + 12], eax}
    ST16 {maskmovq mm1, mm0}
    ST16 {maskmovdqu xmm1, xmm0}
    XM {movq2dq xmm0, mm1}
    MM {movdq2q mm0, xmm1}
    CVT {cvtpi2ps xmm0, mm1}
    CVT {cvtpi2pd xmm0, [OPB]}
    CVTM {cvtps2pi mm0, xmm1}
    CVTM {cvttps2pi mm0, [OPB]}
    CVTM {cvtpd2pi mm0, xmm1}
    CVTM {cvttpd2pi mm0, [OPB]}
    SEP
    ; x87 state: TOP and the abridged tags (FXSAVE) after an MMX
    ; instruction, then after EMMS. The full tag word of FNSTENV is left out:
    ; it classifies register contents, and an MMX write sets bits 64-79 to
    ; ones on Intel's processors (SDM vol. 1, 9.5.1) but not in QEMU 7.2.
    fninit
    fld1
    fld1
    movq mm2, [OPA]
    fxsave [SAVEAREA]
    mov eax, [SAVEAREA + 2]
    call hex16
    movzx eax, byte [SAVEAREA + 4]
    call hex8
    emms
    fxsave [SAVEAREA]
    mov eax, [SAVEAREA + 2]
    call hex16
    movzx eax, byte [SAVEAREA + 4]
    call hex8
    ret

%include "sse-operands.inc"

align 4
mxcsr_reset: dd 0x1F80

header: db "# simd-int: a b count | mmx | sse2 | stores and mmx conversions | x87", 10, 0

%include "end.inc"
