; Descriptor checks at CPL 0 with random descriptors: each case writes a
; random descriptor (base, limit, G, D/B, AVL, P mostly set, S, type, DPL)
; into a GDT in RAM and picks a selector for it with a random RPL (sometimes
; the null selector, or one past the GDT limit). Then LAR, LSL, VERR, VERW,
; loading FS and SS (#GP, #NP, #SS recorded with their error codes; SS is
; restored at once), and ARPL. Prints ZF and results, the fault vector and
; error code of each load, and the descriptor's accessed bit after the loads.
; LAR's result is masked to 0x00F0FF00: bits 16-19 are undefined.
; Line: desc-hi desc-lo sel | lar(zf eax) lsl(zf eax) verr(zf) verw(zf) | fs(vec err) ss(vec err) accessed | arpl(zf result)
%define SEED 0xDE5C0001
%define CASES_DEFAULT 1000
%include "lib.inc"
%include "macros.inc"

GDT2     equ 0x3000
ENTRIES  equ 16
SLOT     equ 5                  ; the entry each case rewrites

hi_   equ scratch + 0
lo_   equ scratch + 4
sel_  equ scratch + 8
vec_  equ scratch + 12
err_  equ scratch + 16
ready equ scratch + 20
gdtr2 equ scratch + 24
idtr2 equ scratch + 32
word_ equ scratch + 40

%macro GATE 2 ; vector, handler
    mov eax, %2
    mov word [IDT + %1*8], ax
    shr eax, 16
    mov word [IDT + %1*8 + 6], ax
%endmacro

setup:
    xor ecx, ecx
.c:
    mov dword [GDT2 + ecx*4], 0
    inc ecx
    cmp ecx, ENTRIES * 2
    jne .c
    xor ecx, ecx
.g:
    mov eax, [gdt + ecx*4]
    mov [GDT2 + ecx*4], eax
    inc ecx
    cmp ecx, 8
    jne .g
    mov word [gdtr2], ENTRIES * 8 - 1
    mov dword [gdtr2 + 2], GDT2
    lgdt [gdtr2]
    GATE 11, np_entry
    GATE 12, ss_entry
    GATE 13, gp_entry
    ret

; #NP, #SS, #GP: record the error code (the entry stubs below record the vector), resume.
fault_handler:
    pop dword [err_]
    push eax
    mov eax, [resume]
    mov [esp + 4], eax
    pop eax
    mov dword [fault], 1
    iretd

np_entry:
    mov dword [vec_], 11
    jmp fault_handler
ss_entry:
    mov dword [vec_], 12
    jmp fault_handler
gp_entry:
    mov dword [vec_], 13
    jmp fault_handler

make_descriptor:
    call rand
    mov [lo_], eax            ; base 15:0, limit 15:0
    call rand
    and eax, 0xFFDFFFFF       ; bit 21 (L) is reserved on IA-32
    mov edx, eax
    call rand
    test al, 7
    jz .np
    or edx, 0x8000            ; present, 7 times out of 8
    jmp .done
.np:
    and edx, ~0x8000
.done:
    mov [hi_], edx
    mov eax, [lo_]
    mov [GDT2 + SLOT*8], eax
    mov [GDT2 + SLOT*8 + 4], edx
    ; selector: usually the slot with a random RPL; sometimes null or past the limit
    call rand
    mov edx, eax
    and edx, 3
    and eax, 0x70
    cmp eax, 0x10
    je .null
    cmp eax, 0x20
    je .far
    mov eax, SLOT * 8
    jmp .sel
.null:
    xor eax, eax
    jmp .sel
.far:
    mov eax, ENTRIES * 8
.sel:
    or eax, edx
    mov [sel_], eax
    ret

%macro ZFOUT 0
    pushfd
    pop eax
    shr eax, 6
    and eax, 1
    call hex8
%endmacro

%macro ZFVAL 1 ; ZF, then eax masked
    pushfd
    pop edx
    mov esi, eax
    mov eax, edx
    shr eax, 6
    and eax, 1
    call hex8
    mov eax, esi
    and eax, %1
    call hex32
%endmacro

%macro LOADSEG 1 ; segment register; prints vector and error code
    mov dword [fault], 0
    mov dword [vec_], 0
    mov dword [err_], 0
    mov dword [resume], %%after
    mov ax, %1
    mov cx, ax
    mov ax, [sel_]
    mov %1, ax
    mov %1, cx
%%after:
    mov eax, [vec_]
    call hex8
    mov eax, [err_]
    call hex16
%endmacro

group_main:
    cmp dword [ready], 0x600DF00D
    je .run
    mov dword [ready], 0x600DF00D
    call setup
.run:
    mov ax, SEL_FS
    mov fs, ax
    call make_descriptor
    mov eax, [hi_]
    call hex32
    mov eax, [lo_]
    call hex32
    mov eax, [sel_]
    call hex16
    SEP
    mov ebx, [sel_]
    mov eax, 0x12345678
    lar eax, ebx
    ZFVAL 0x00F0FF00
    mov ebx, [sel_]
    mov eax, 0x12345678
    lsl eax, ebx
    ZFVAL 0xFFFFFFFF
    mov ebx, [sel_]
    verr bx
    ZFOUT
    verw bx
    ZFOUT
    SEP
    LOADSEG fs
    LOADSEG ss
    mov eax, [GDT2 + SLOT*8 + 4]
    shr eax, 8
    and eax, 1
    call hex8
    mov ax, SEL_FS
    mov fs, ax
    SEP
    call rand
    mov [word_], ax
    mov ebx, [sel_]
    arpl [word_], bx
    ZFOUT
    movzx eax, word [word_]
    call hex16
    ret

header: db "# descriptors: hi lo sel | lar(zf eax) lsl(zf eax) verr verw | fs(vec err) ss(vec err) accessed | arpl(zf word)", 10, 0
%include "end.inc"
