; Two-level paging at CPL 0: random PDE and PTE permission bits (P, R/W, U/S,
; A, D), CR0.WP on or off, a read or a write through a 4 KiB page and through
; a 4 MiB (PSE) page. Prints whether it faulted, the #PF error code and CR2,
; the value read, and the entries' A and D bits after a successful access
; (hidden after a fault: the SDM lets a processor set accessed flags of
; entries it walked before faulting, and QEMU sets some).
; The first 8 MiB are identity mapped (code, stack, IDT, frames); the test page is
; linear 0x40000123 (PDE 256 -> table at 0x12000 -> frame 0x20000) and the
; large page linear 0x40634564 (PDE 257 -> 0x400000).
; Line: pde pte big-pde wp write | 4k: fault err cr2 value pde-ad pte-ad | 4m: fault err cr2 value pde-ad
%define SEED 0xFA9EFA9E
%define CASES_DEFAULT 1000
%include "lib.inc"
%include "macros.inc"

PD       equ 0x10000
PT_LOW   equ 0x11000
PT_TEST  equ 0x12000
FRAME    equ 0x20000
BIG      equ 0x400000
LIN      equ 0x40000000
LIN_BIG  equ 0x40400000
OFF      equ 0x123
BIG_OFF  equ 0x234564
PF_VECTOR equ 14

pde_     equ scratch + 0
pte_     equ scratch + 4
big_     equ scratch + 8
wp_      equ scratch + 12
wr_      equ scratch + 16
err_     equ scratch + 20
cr2_     equ scratch + 24

; Flag bits drawn at random: P, R/W, U/S, A, D (D only matters in a PTE or a 4 MiB PDE).
RANDOM_BITS equ 0x67

setup_paging:
    ; identity map 0-4 MiB with 4 KiB pages, supervisor read/write
    xor ecx, ecx
.l:
    mov eax, ecx
    shl eax, 12
    or eax, 0x003
    mov [PT_LOW + ecx*4], eax
    inc ecx
    cmp ecx, 1024
    jne .l
    xor ecx, ecx
.z:
    mov dword [PD + ecx*4], 0
    inc ecx
    cmp ecx, 1024
    jne .z
    mov dword [PD], PT_LOW | 0x003
    mov dword [PD + 4], BIG | 0x083   ; 4-8 MiB identity (a 4 MiB page), to reach the large page's frame
    ; #PF gate
    mov eax, pf_handler
    mov word [IDT + PF_VECTOR*8], ax
    shr eax, 16
    mov word [IDT + PF_VECTOR*8 + 6], ax
    mov eax, PD
    mov cr3, eax
    mov eax, cr4
    or eax, 0x10              ; PSE
    mov cr4, eax
    mov eax, cr0
    or eax, 0x80000000
    mov cr0, eax
    jmp .flush
.flush:
    ret

pf_handler:
    pop dword [err_]
    push eax
    mov eax, cr2
    mov [cr2_], eax
    mov eax, [resume]
    mov [esp + 4], eax
    pop eax
    mov dword [fault], 1
    iretd

; access: eax = linear address; reads or writes [eax] per [wr_]; prints fault err cr2 value.
access:
    mov dword [fault], 0
    mov dword [err_], 0
    mov dword [cr2_], 0
    mov dword [resume], .after
    mov ebx, eax
    mov eax, 0x5A5A5A5A
    invlpg [ebx]
    cmp dword [wr_], 0
    jne .write
    mov eax, [ebx]
    jmp .after
.write:
    mov [ebx], eax
.after:
    push eax
    mov eax, [fault]
    call hex8
    mov eax, [err_]
    call hex8
    mov eax, [cr2_]
    call hex32
    pop eax
    call hex32
    ret

group_main:
    mov eax, cr0
    test eax, 0x80000000
    jnz .run
    call setup_paging
.run:
    call rand
    and eax, RANDOM_BITS
    mov [pde_], eax
    call rand
    and eax, RANDOM_BITS
    mov [pte_], eax
    call rand
    and eax, RANDOM_BITS
    mov [big_], eax
    call rand
    and eax, 1
    mov [wp_], eax
    call rand
    and eax, 1
    mov [wr_], eax
    mov eax, [pde_]
    call hex8
    mov eax, [pte_]
    call hex8
    mov eax, [big_]
    call hex8
    mov eax, [wp_]
    call hex8
    mov eax, [wr_]
    call hex8
    SEP
    ; CR0.WP
    mov eax, cr0
    and eax, ~0x10000
    mov edx, [wp_]
    shl edx, 16
    or eax, edx
    mov cr0, eax
    ; the 4 KiB page
    call rand
    mov [FRAME + OFF], eax
    mov eax, [pde_]
    or eax, PT_TEST
    mov [PD + (LIN >> 22) * 4], eax
    mov eax, [pte_]
    or eax, FRAME
    mov [PT_TEST], eax
    mov eax, LIN + OFF
    call access
    call show_ad
    SEP
    ; the 4 MiB page
    call rand
    mov [BIG + BIG_OFF], eax
    mov eax, [big_]
    or eax, BIG | 0x80
    mov [PD + (LIN_BIG >> 22) * 4], eax
    mov eax, LIN_BIG + BIG_OFF
    call access
    mov eax, [PD + (LIN_BIG >> 22) * 4]
    call hide_if_fault
    ret

; show_ad: A/D bits of the 4 KiB page's PDE and PTE, or zeros after a fault.
show_ad:
    mov eax, [PD + (LIN >> 22) * 4]
    call hide_if_fault
    mov eax, [PT_TEST]
    call hide_if_fault
    ret

hide_if_fault:
    and eax, 0x60
    cmp dword [fault], 0
    je .show
    xor eax, eax
.show:
    call hex8
    ret

header: db "# paging: pde pte bigpde wp write | 4k: fault err cr2 value pde-ad pte-ad | 4m: fault err cr2 value pde-ad", 10, 0
%include "end.inc"
