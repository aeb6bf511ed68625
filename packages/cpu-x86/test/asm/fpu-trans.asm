; x87 transcendental instructions: fsin fcos fptan fsincos (a), f2xm1 (c in
; [-1, 1]), fyl2x fyl2xp1 fpatan (st0 = c, st1 = b), with round to nearest and
; 64-bit precision. Operands: random values in each instruction's domain, or
; specials (zeros, denormals, infinities, NaNs, unnormals, |a| >= 2^63 for the
; trigonometric range check, negative values for the logarithms).
; Plugboard computes finite results through float64 (see README-fpu.md), so
; test/fpu-diff.test.ts compares finite results to 2^-48 relative and
; everything else (NaNs, infinities, zeros, C2, exception flags) exactly.
; The status word is masked to IE ZE OE UE and C2: PE is raised by Plugboard
; for every approximated result, DE is never raised by QEMU 7.2, and C1 (the
; round-up indicator) is not maintained by QEMU.
; NaN operands carry payloads whose low 11 bits are zero: QEMU 7.2 computes
; fsin, fcos, fptan and fsincos through float64 and so truncates NaN payloads,
; where the SDM passes a QNaN operand through unchanged.
; The operand of the trigonometric instructions, a, is never an unnormal, a
; denormal, an SNaN or an infinity: QEMU 7.2 gives the QNaN indefinite
; without IE for an unnormal, the quieted NaN without IE for an SNaN, C2 = 1
; for an infinity, where the SDM (and P6) raise IE for all three; and zero
; for a denormal (float64 has no such small values), where sin x and tan x
; are x and cos x is 1 to 64 bits. test/fpu-ops.test.ts covers these cases.
; Built and recorded like fpu-ops.asm (see its header), as fpu-trans.bin/.txt.
%define SEED 0x7A11C0DE
%define CASES_DEFAULT 1000
%include "lib.inc"
%include "macros.inc"

OPA    equ scratch + 0
OPB    equ scratch + 16
RES    equ scratch + 32
OPC    equ scratch + 48

FSW_MASK equ 0x041D           ; C2, UE OE ZE IE

; make: a random operand at [edi]; ecx = largest exponent offset for the
; finite "in domain" values (exponent 0x3FFF - 64 .. 0x3FFF + ecx).
make:
    call rand
    mov [edi], eax
    call rand
    or eax, 0x80000000
    mov [edi + 4], eax
    call rand
    mov edx, eax
    and edx, 0x8000
    test al, 0x0E
    jz .special
    call rand
    and eax, 0x7F
    cmp eax, 64
    jbe .exp
    sub eax, 64
    cmp eax, ecx
    jbe .above
    mov eax, ecx
.above:
    add eax, 64
.exp:
    add eax, 0x3FFF - 64
    or eax, edx
    mov [edi + 8], ax
    ret
.special:
    call rand
    and eax, 7
    jmp [.table + eax*4]
.table:
    dd .zero, .denormal, .inf, .qnan, .snan, .unnormal, .huge, .one
.zero:
    mov dword [edi], 0
    mov dword [edi + 4], 0
    mov [edi + 8], dx
    ret
.denormal:
    cmp ecx, 64               ; not for a: see above
    ja .zero
    and dword [edi + 4], 0x7FFFFFFF
    mov [edi + 8], dx
    ret
.inf:
    cmp ecx, 64               ; not for a: see above
    ja .huge
    mov dword [edi], 0
    mov dword [edi + 4], 0x80000000
    or edx, 0x7FFF
    mov [edi + 8], dx
    ret
.qnan:
    and dword [edi], 0xFFFFF800   ; payloads QEMU can pass through float64 (see above)
    or dword [edi + 4], 0xC0000000
    or edx, 0x7FFF
    mov [edi + 8], dx
    ret
.snan:
    cmp ecx, 64               ; not for a: see above
    ja .qnan
    and dword [edi + 4], 0xBFFFFFFF
    and dword [edi], 0xFFFFF800
    or dword [edi], 0x800
    or edx, 0x7FFF
    mov [edi + 8], dx
    ret
.unnormal:
    cmp ecx, 64               ; not for a: see above
    ja .zero
    and dword [edi + 4], 0x7FFFFFFF
    or edx, 0x3FFF
    mov [edi + 8], dx
    ret
.huge:
    call rand
    and eax, 0xFF
    add eax, 0x3FFF + 63
    or eax, edx
    mov [edi + 8], ax
    ret
.one:
    mov dword [edi], 0
    mov dword [edi + 4], 0x80000000
    or edx, 0x3FFF
    mov [edi + 8], dx
    ret

print80:
    movzx eax, word [esi + 8]
    call hex16
    mov eax, [esi + 4]
    call hex32
    mov eax, [esi]
    call hex32
    ret

%macro OUT80 0
    fstp tword [RES]
    mov esi, RES
    call print80
%endmacro

%macro FSWOUT 0
    fnstsw ax
    and eax, FSW_MASK
    call hex16
%endmacro

; One-operand instruction on a fresh stack holding %2: prints the status, the
; stack depth, then the results from ST(0) down.
%macro ONE 2
    fninit
    fld tword [%2]
    %1
    FSWOUT
    fnstsw ax
    shr eax, 11
    and eax, 7
    call hex8
    mov ecx, eax
    neg ecx
    add ecx, 8
    and ecx, 7
%%pop:
    OUT80
    dec ecx
    jnz %%pop
%endmacro

; Two-operand instruction (ST(1) = b, ST(0) = c), one result.
%macro TWO 1
    fninit
    fld tword [OPB]
    fld tword [OPC]
    %1
    FSWOUT
    OUT80
%endmacro

group_main:
    mov edi, OPA
    mov ecx, 70               ; trigonometric: up to 2^70, beyond the 2^63 limit
    call make
    mov edi, OPB
    mov ecx, 20
    call make
    mov edi, OPC
    mov ecx, 20
    call make
    mov esi, OPA
    call print80
    mov esi, OPB
    call print80
    mov esi, OPC
    call print80
    SEP
    ONE fsin, OPA
    SEP
    ONE fcos, OPA
    SEP
    ONE fptan, OPA
    SEP
    ONE fsincos, OPA
    SEP
    TWO fpatan
    SEP
    TWO fyl2x
    SEP
    ; f2xm1 and fyl2xp1 in their domains: c scaled down to |c| < 1/4 (the
    ; SDM leaves f2xm1 undefined outside [-1, 1], infinities included).
    mov ax, [OPC + 8]
    and ax, 0x7FFF
    cmp ax, 0x3FFC
    jb .small
    cmp ax, 0x7FFF
    jne .scale
    cmp dword [OPC + 4], 0x80000000
    jne .small
    cmp dword [OPC], 0
    jne .small
.scale:
    mov ax, [OPC + 8]
    and ax, 0x8000
    or ax, 0x3FFC
    mov [OPC + 8], ax
.small:
    ONE f2xm1, OPC
    SEP
    TWO fyl2xp1
    ret

header: db "# fpu-trans: a b c | fsin | fcos | fptan | fsincos (fsw top results) | fpatan | fyl2x | f2xm1 | fyl2xp1 (fsw result)", 10, 0
%include "end.inc"
