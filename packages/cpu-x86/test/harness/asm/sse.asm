; SSE and SSE2 floating point with every exception masked, under a random
; MXCSR rounding control, DAZ and FTZ: add sub mul div min max sqrt (packed
; and scalar, single and double), rcp and rsqrt (single), cmpps/cmppd/cmpss/cmpsd with a random
; predicate, comiss ucomiss comisd ucomisd, and the conversions between
; singles, doubles and int32 (cvt and cvtt). Operands are four random singles
; or two random doubles each (zero, denormal, near 1.0, huge, infinity, QNaN,
; SNaN, anywhere). Each result prints as four dwords (highest first) and
; MXCSR's flags IE ZE OE UE PE, EFLAGS ZF PF CF after comis/ucomis.
; Where QEMU 7.2 departs from the SDM the program avoids the case:
; - DE (MXCSR bit 1) is masked out: the SDM sets it for a denormal source
;   operand when DAZ is clear, QEMU never sets it.
; - No lane has NaNs in both operands: QEMU picks between two NaNs by the x87
;   rule (the larger significand), the SDM's SSE rule takes the first source
;   (table 4-7). Such a b lane becomes 1.0 (test/simd.test.ts checks the rule).
; - min/max run with DAZ clear: QEMU returns a denormal operand unflushed
;   where the SDM converts it to zero first (test/simd.test.ts checks that).
; - rcp/rsqrt run with DAZ and FTZ set: the SDM counts a denormal source as
;   zero and flushes a tiny result whatever MXCSR says, QEMU only under DAZ
;   and FTZ (test/simd.test.ts checks that).
; Line: mxcsr a(4) b(4) c(4) d(4) | ps ops | ss ops | pd ops | sd ops | cmp | comis | cvt
%define SEED 0x55e55e55
%define CASES_DEFAULT 500
%include "lib.inc"
%include "macros.inc"

OPA  equ scratch + 0           ; four singles
OPB  equ scratch + 16
OPC  equ scratch + 32          ; two doubles
OPD  equ scratch + 48
RES  equ scratch + 64
MXC  equ scratch + 80          ; the case's MXCSR
MXS  equ scratch + 84
MXN  equ scratch + 92          ; MXC without DAZ
PRED equ scratch + 88
MXF  equ scratch + 96          ; MXC with DAZ and FTZ

MX_FLAGS equ 0x3D

; RUN src1, instruction[, mxcsr]: xmm0 = [src1], run, print xmm0 and the flags.
%macro RUN 2-3 MXC
    movaps xmm0, [%1]
    movaps xmm1, [OPB]
    movapd xmm2, [OPD]
    ldmxcsr [%3]
    %2
    stmxcsr [MXS]
    movaps [RES], xmm0
    SHOW128 RES
    mov eax, [MXS]
    and eax, MX_FLAGS
    call hex8
%endmacro

; COMI instruction: EFLAGS ZF PF CF and the flags.
%macro COMI 1
    movaps xmm0, [OPA]
    movapd xmm2, [OPC]
    ldmxcsr [MXC]
    push dword 0x8D5
    popfd
    %1
    pushfd
    stmxcsr [MXS]
    pop eax
    and eax, 0x8D5
    call hex12
    mov eax, [MXS]
    and eax, MX_FLAGS
    call hex8
%endmacro

; CVT2I instruction: the int32 result and the flags.
%macro CVT2I 1
    movaps xmm1, [OPB]
    movapd xmm2, [OPD]
    ldmxcsr [MXC]
    %1
    stmxcsr [MXS]
    call hex32
    mov eax, [MXS]
    and eax, MX_FLAGS
    call hex8
%endmacro
group_main:
    mov eax, cr4
    or eax, 0x600                  ; OSFXSR, OSXMMEXCPT
    mov cr4, eax

    mov edi, OPA
    call make_ps
    mov edi, OPB
    call make_ps
    mov edi, OPC
    call make_pd
    mov edi, OPD
    call make_pd
    ; Sometimes b is a near a, so differences cancel.
    call rand
    test al, 3
    jnz .far
    mov eax, [OPA]
    xor eax, 1
    mov [OPB], eax
    mov eax, [OPC + 4]
    mov [OPD + 4], eax
.far:
    mov esi, OPA
    mov edi, OPB
    call unpair_ps
    mov esi, OPC
    mov edi, OPD
    call unpair_pd
    call rand
    and eax, 0x8040                ; FTZ, DAZ
    mov edx, eax
    call rand
    and eax, 0x6000                ; RC
    or eax, edx
    or eax, 0x1F80                 ; every exception masked
    mov [MXC], eax
    and eax, ~0x40
    mov [MXN], eax
    or eax, 0x8040
    mov [MXF], eax
    mov eax, [MXC]
    call hex16
    SHOW128 OPA, OPB, OPC, OPD
    SEP
    RUN OPA, {addps xmm0, xmm1}
    RUN OPA, {subps xmm0, [OPB]}
    RUN OPA, {mulps xmm0, xmm1}
    RUN OPA, {divps xmm0, [OPB]}
    RUN OPA, {minps xmm0, xmm1}, MXN
    RUN OPA, {maxps xmm0, [OPB]}, MXN
    RUN OPA, {sqrtps xmm0, xmm1}
    RUN OPA, {rcpps xmm0, [OPB]}, MXF
    RUN OPA, {rsqrtps xmm0, xmm1}, MXF
    SEP
    RUN OPA, {addss xmm0, [OPB]}
    RUN OPA, {subss xmm0, xmm1}
    RUN OPA, {mulss xmm0, [OPB]}
    RUN OPA, {divss xmm0, xmm1}
    RUN OPA, {minss xmm0, [OPB]}, MXN
    RUN OPA, {maxss xmm0, xmm1}, MXN
    RUN OPA, {sqrtss xmm0, [OPB]}
    RUN OPA, {rcpss xmm0, xmm1}, MXF
    RUN OPA, {rsqrtss xmm0, [OPB]}, MXF
    SEP
    RUN OPC, {addpd xmm0, xmm2}
    RUN OPC, {subpd xmm0, [OPD]}
    RUN OPC, {mulpd xmm0, xmm2}
    RUN OPC, {divpd xmm0, [OPD]}
    RUN OPC, {minpd xmm0, xmm2}, MXN
    RUN OPC, {maxpd xmm0, [OPD]}, MXN
    RUN OPC, {sqrtpd xmm0, xmm2}
    SEP
    RUN OPC, {addsd xmm0, [OPD]}
    RUN OPC, {subsd xmm0, xmm2}
    RUN OPC, {mulsd xmm0, [OPD]}
    RUN OPC, {divsd xmm0, xmm2}
    RUN OPC, {minsd xmm0, [OPD]}, MXN
    RUN OPC, {maxsd xmm0, xmm2}, MXN
    RUN OPC, {sqrtsd xmm0, [OPD]}
    SEP
    call rand
    and eax, 7
    mov [PRED], eax
    call hex8
    ; The predicate is an immediate: dispatch through a table of the eight.
    mov eax, [PRED]
    call [cmp_table + eax*4]
    SEP
    COMI {comiss xmm0, [OPB]}
    COMI {ucomiss xmm0, [OPB]}
    COMI {comisd xmm2, [OPD]}
    COMI {ucomisd xmm2, [OPD]}
    SEP
    RUN OPA, {cvtps2pd xmm0, xmm1}
    RUN OPA, {cvtpd2ps xmm0, xmm2}
    RUN OPA, {cvtss2sd xmm0, [OPB]}
    RUN OPA, {cvtsd2ss xmm0, xmm2}
    RUN OPA, {cvtps2dq xmm0, [OPB]}
    RUN OPA, {cvttps2dq xmm0, xmm1}
    RUN OPA, {cvtpd2dq xmm0, [OPD]}
    RUN OPA, {cvttpd2dq xmm0, xmm2}
    RUN OPA, {cvtdq2ps xmm0, xmm1}
    RUN OPA, {cvtdq2pd xmm0, [OPB]}
    RUN OPA, {cvtsi2ss xmm0, [OPB]}
    RUN OPA, {cvtsi2sd xmm0, [OPB + 4]}
    CVT2I {cvtss2si eax, xmm1}
    CVT2I {cvttss2si eax, [OPB]}
    CVT2I {cvtsd2si eax, [OPD]}
    CVT2I {cvttsd2si eax, xmm2}
    ret

%assign p 0
%rep 8
cmp_ %+ p:
    RUN OPA, {cmpps xmm0, xmm1, p}
    RUN OPA, {cmpss xmm0, [OPB], p}
    RUN OPC, {cmppd xmm0, [OPD], p}
    RUN OPC, {cmpsd xmm0, xmm2, p}
    ret
%assign p p + 1
%endrep

align 4
cmp_table:
%assign p 0
%rep 8
    dd cmp_ %+ p
%assign p p + 1
%endrep

%include "sse-operands.inc"

header: db "# sse: mxcsr a b c d | addps subps mulps divps minps maxps sqrtps rcpps rsqrtps | addss subss mulss divss minss maxss sqrtss rcpss rsqrtss | addpd subpd mulpd divpd minpd maxpd sqrtpd | addsd subsd mulsd divsd minsd maxsd sqrtsd | pred cmpps cmpss cmppd cmpsd | comiss ucomiss comisd ucomisd | cvtps2pd cvtpd2ps cvtss2sd cvtsd2ss cvtps2dq cvttps2dq cvtpd2dq cvttpd2dq cvtdq2ps cvtdq2pd cvtsi2ss cvtsi2sd cvtss2si cvttss2si cvtsd2si cvttsd2si", 10, 0

%include "end.inc"
