; String instructions: movs stos lods cmps scas at byte/word/dword, with rep,
; repe and repne, both directions, counts 0-15, a source segment override
; (fs: base 0x100) and 16-bit addressing (a16: SI/DI/CX move, the upper halves
; of ESI/EDI/ECX must stay). Source and destination buffers hold the same
; random bytes except one flipped byte, so compares stop at a known place.
; Every operation starts from the same pristine buffers.
; Line: n df so do eax | movs b w d, fs:movsd, a16 movsb (esi edi ecx dsthash) | stos b w d (edi ecx hash) |
; lods b w d (eax esi) | repe cmps b w d, repne cmpsb, a16 repe cmpsw (esi edi ecx flags) |
; repne scas b w d, repe scasb (edi ecx flags)
%define SEED 0x57A1B0C5
%define CASES_DEFAULT 1000
%include "lib.inc"
%include "macros.inc"

SRC      equ 0x8000           ; 128 bytes, pointers start in the middle
DST      equ 0x8200
PRISTINE equ 0x8400           ; 256 bytes: copy of SRC then DST
FS_BASE  equ 0x100
HIGH     equ 0x5A5A0000       ; upper halves for the a16 forms

n_  equ scratch + 0
df_ equ scratch + 4
so_ equ scratch + 8           ; source start offset within SRC
do_ equ scratch + 12

; restore: SRC and DST from PRISTINE (plain moves, not string instructions).
restore:
    push ecx
    push eax
    xor ecx, ecx
.l:
    mov eax, [PRISTINE + ecx*4]
    mov [SRC + ecx*4], eax
    mov eax, [PRISTINE + 128 + ecx*4]
    mov [DST + ecx*4], eax
    inc ecx
    cmp ecx, 32
    jne .l
    pop eax
    pop ecx
    ret

; hash of DST: h = rol(h, 5) xor word, over 32 dwords.
dsthash:
    push ecx
    push edx
    xor eax, eax
    xor ecx, ecx
.l:
    rol eax, 5
    xor eax, [DST + ecx*4]
    inc ecx
    cmp ecx, 32
    jne .l
    pop edx
    pop ecx
    ret

; SETUP: pristine buffers, and esi, edi, ecx, eax and EFLAGS (with DF) for one operation.
%macro SETUP 0
    call restore
    mov esi, [so_]
    add esi, SRC
    mov edi, [do_]
    add edi, DST
    mov ecx, [n_]
    mov eax, [va]
    LOADF
%endmacro

%macro SHOW_SDC 0 ; esi edi ecx hash
    pushfd
    push eax
    mov eax, esi
    call hex32
    mov eax, edi
    call hex32
    mov eax, ecx
    call hex32
    call dsthash
    call hex32
    pop eax
    popfd
%endmacro

%macro SHOW_SDCF 0 ; esi edi ecx flags
    pushfd
    mov eax, esi
    call hex32
    mov eax, edi
    call hex32
    mov eax, ecx
    call hex32
    pop eax
    and eax, ALL_FLAGS
    call hex12
%endmacro

%macro SHOW_DCF 0 ; edi ecx flags
    pushfd
    mov eax, edi
    call hex32
    mov eax, ecx
    call hex32
    pop eax
    and eax, ALL_FLAGS
    call hex12
%endmacro

group_main:
    ; pristine buffers: random source, destination = source with one byte flipped
    xor ecx, ecx
.fill:
    call rand
    mov [PRISTINE + ecx*4], eax
    mov [PRISTINE + 128 + ecx*4], eax
    inc ecx
    cmp ecx, 32
    jne .fill
    call rand
    and eax, 127
    not byte [PRISTINE + 128 + eax]
    call rand
    and eax, 15
    mov [n_], eax
    call rand
    and eax, 1
    mov [df_], eax
    call rand
    and eax, 3
    add eax, 0x3C
    mov [so_], eax
    call rand
    and eax, 3
    add eax, 0x3C
    mov [do_], eax
    call rand
    mov [va], eax
    call randflags            ; incoming flags, with DF as chosen
    mov edx, [df_]
    shl edx, 10
    or eax, edx
    mov [vf], eax
    mov eax, [n_]
    call hex8
    mov eax, [df_]
    call hex8
    mov eax, [so_]
    call hex8
    mov eax, [do_]
    call hex8
    mov eax, [va]
    call hex32
    SEP
    SETUP
    rep movsb
    SHOW_SDC
    SETUP
    rep movsw
    SHOW_SDC
    SETUP
    rep movsd
    SHOW_SDC
    SETUP
    sub esi, FS_BASE
    rep fs movsd
    SHOW_SDC
    SETUP
    or esi, HIGH
    or edi, HIGH
    or ecx, HIGH
    a16 rep movsb
    SHOW_SDC
    SEP
    SETUP
    rep stosb
    SHOW_SDC
    SETUP
    rep stosw
    SHOW_SDC
    SETUP
    rep stosd
    SHOW_SDC
    SEP
    SETUP
    lodsb
    call hex32
    mov eax, esi
    call hex32
    SETUP
    lodsw
    call hex32
    mov eax, esi
    call hex32
    SETUP
    lodsd
    call hex32
    mov eax, esi
    call hex32
    SEP
    SETUP
    mov edi, esi
    add edi, DST - SRC
    repe cmpsb
    SHOW_SDCF
    SETUP
    mov edi, esi
    add edi, DST - SRC
    repe cmpsw
    SHOW_SDCF
    SETUP
    mov edi, esi
    add edi, DST - SRC
    repe cmpsd
    SHOW_SDCF
    SETUP
    repne cmpsb
    SHOW_SDCF
    SETUP
    mov edi, esi
    add edi, DST - SRC
    or esi, HIGH
    or edi, HIGH
    or ecx, HIGH
    a16 repe cmpsw
    SHOW_SDCF
    SEP
    SETUP
    mov al, [edi + 5]
    repne scasb
    SHOW_DCF
    SETUP
    mov ax, [edi + 6]
    repne scasw
    SHOW_DCF
    SETUP
    mov eax, [edi + 8]
    repne scasd
    SHOW_DCF
    SETUP
    mov al, [edi]
    repe scasb
    SHOW_DCF
    cld
    ret

header: db "# string: n df so do eax | movsb movsw movsd fs:movsd a16movsb (esi edi ecx hash) | stosb stosw stosd | lodsb lodsw lodsd (eax esi) | repe cmpsb cmpsw cmpsd, repne cmpsb, a16 repe cmpsw (esi edi ecx f) | repne scasb scasw scasd, repe scasb (edi ecx f)", 10, 0
%include "end.inc"
