; SSE3 with every exception masked, under a random MXCSR rounding control,
; DAZ and FTZ: addsubps addsubpd haddps hsubps haddpd hsubpd (register and
; memory sources), movsldup movshdup movddup, lddqu from an unaligned address,
; and the x87 fisttp m16/m32/m64 of a single and of a double under a random
; x87 rounding control (fisttp truncates whatever it says). Operands as in the
; sse group. Results print as four dwords (highest first) and MXCSR's IE ZE
; OE UE PE; fisttp prints the integer and FSW's IE PE.
; As in the sse group, DE is masked out and no two operands of one addition
; are both NaNs: QEMU 7.2 picks between two NaNs by the x87 rule where the SDM
; takes the first source.
; Line: mxcsr fcw a b c d | addsub/hadd/hsub | dup/lddqu | fisttp
%define SEED 0x5e35e301
%define CASES_DEFAULT 500
%include "lib.inc"
%include "macros.inc"

OPA  equ scratch + 0
OPB  equ scratch + 16
OPC  equ scratch + 32
OPD  equ scratch + 48
RES  equ scratch + 64
MXC  equ scratch + 80
MXS  equ scratch + 84
FCW  equ scratch + 88
IRES  equ scratch + 96          ; 8 bytes

%macro RUN 2
    movaps xmm0, [%1]
    movaps xmm1, [OPB]
    movapd xmm2, [OPD]
    ldmxcsr [MXC]
    %2
    stmxcsr [MXS]
    movaps [RES], xmm0
    SHOW128 RES
    mov eax, [MXS]
    and eax, 0x3D
    call hex8
%endmacro

; FISTTP width, load: loads the operand, stores it truncated, prints it and FSW IE PE.
%macro FISTTP 2
    fninit
    fldcw [FCW]
    mov dword [IRES], 0x5A5A5A5A
    mov dword [IRES + 4], 0x5A5A5A5A
    %2
    fisttp %1 [IRES]
    fnstsw ax
    and eax, 0x21
    mov edx, eax
    mov eax, [IRES + 4]
    call hex32
    mov eax, [IRES]
    call hex32
    mov eax, edx
    call hex8
%endmacro

group_main:
    mov eax, cr4
    or eax, 0x600
    mov cr4, eax
    mov edi, OPA
    call make_ps
    mov edi, OPB
    call make_ps
    mov edi, OPC
    call make_pd
    mov edi, OPD
    call make_pd
    mov esi, OPA
    mov edi, OPB
    call unpair_ps
    mov esi, OPC
    mov edi, OPD
    call unpair_pd
    ; Horizontal operations add neighbours: no NaN pairs within a vector either.
    mov esi, OPA
    lea edi, [OPA + 4]
    call unpair_ps
    mov esi, OPB
    lea edi, [OPB + 4]
    call unpair_ps
    mov esi, OPC
    lea edi, [OPC + 8]
    call unpair_pd
    mov esi, OPD
    lea edi, [OPD + 8]
    call unpair_pd
    call rand
    and eax, 0x8040
    mov edx, eax
    call rand
    and eax, 0x6000
    or eax, edx
    or eax, 0x1F80
    mov [MXC], eax
    call hex16
    call rand
    and eax, 0x0C00                ; x87 RC
    or eax, 0x037F
    mov [FCW], eax
    call hex16
    SHOW128 OPA, OPB, OPC, OPD
    SEP
    RUN OPA, {addsubps xmm0, xmm1}
    RUN OPA, {addsubps xmm0, [OPB]}
    RUN OPC, {addsubpd xmm0, xmm2}
    RUN OPC, {addsubpd xmm0, [OPD]}
    RUN OPA, {haddps xmm0, xmm1}
    RUN OPA, {haddps xmm0, [OPB]}
    RUN OPA, {hsubps xmm0, xmm1}
    RUN OPA, {hsubps xmm0, [OPB]}
    RUN OPC, {haddpd xmm0, xmm2}
    RUN OPC, {haddpd xmm0, [OPD]}
    RUN OPC, {hsubpd xmm0, xmm2}
    RUN OPC, {hsubpd xmm0, [OPD]}
    RUN OPA, {haddps xmm0, xmm0}
    SEP
    RUN OPA, {movsldup xmm0, xmm1}
    RUN OPA, {movsldup xmm0, [OPB]}
    RUN OPA, {movshdup xmm0, xmm1}
    RUN OPA, {movshdup xmm0, [OPB]}
    RUN OPA, {movddup xmm0, xmm2}
    RUN OPA, {movddup xmm0, [OPD + 8]}
    RUN OPA, {lddqu xmm0, [OPB + 3]}
    SEP
    FISTTP word, {fld dword [OPA]}
    FISTTP dword, {fld dword [OPA]}
    FISTTP qword, {fld dword [OPA]}
    FISTTP word, {fld qword [OPC]}
    FISTTP dword, {fld qword [OPC]}
    FISTTP qword, {fld qword [OPC]}
    ret

%include "sse-operands.inc"

header: db "# sse3: mxcsr fcw a b c d | addsubps addsubps-m addsubpd addsubpd-m haddps haddps-m hsubps hsubps-m haddpd haddpd-m hsubpd hsubpd-m haddps-self | movsldup movsldup-m movshdup movshdup-m movddup movddup-m lddqu | fisttp16 fisttp32 fisttp64 of a, then of c", 10, 0

%include "end.inc"
