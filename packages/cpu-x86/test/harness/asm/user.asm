; User-mode paging and privilege transitions. After setup the program runs at
; CPL 3 (entered by IRETD, IOPL 3 so it can print), with a TSS giving the
; ring-0 stack. Each case draws PDE and PTE bits (P, R/W, U/S, A, D), CR0.WP,
; read or write, and CPL 0 or 3, then accesses linear 0x40000123 (frame
; 0x20000). CPL-0 work goes through INT 0x81 (a DPL-3 interrupt gate): set
; WP, INVLPG, or the access itself. #PF from CPL 3 switches to the TSS stack
; and IRETs back to ring 3. Prints fault, error code (with U/S), CR2, the
; value read and the A/D bits after a successful access.
; Line: pde pte wp write cpl | fault err cr2 value pde-ad pte-ad | cs ss (after the case, CPL 3 selectors)
%define SEED 0x0BADC0DE
%define CASES_DEFAULT 1000
%include "lib.inc"
%include "macros.inc"

PD        equ 0x10000
PT_LOW    equ 0x11000
PT_TEST   equ 0x12000
FRAME     equ 0x20000
LIN       equ 0x40000000
OFF       equ 0x123
GDT2      equ 0x3000
TSS       equ 0x3800
RING0_ESP equ 0x9E000
PF_VECTOR equ 14
SERVICE   equ 0x81
SEL_CODE3 equ 0x23
SEL_DATA3 equ 0x2B
SEL_TSS   equ 0x30

pde_ equ scratch + 0
pte_ equ scratch + 4
wp_  equ scratch + 8
wr_  equ scratch + 12
cpl_ equ scratch + 16
err_ equ scratch + 20
cr2_ equ scratch + 24
val_ equ scratch + 28
ready equ scratch + 32

RANDOM_BITS equ 0x67

%macro GATE 3 ; vector, handler, type/attributes word
    mov eax, %2
    mov word [IDT + %1*8], ax
    mov word [IDT + %1*8 + 2], SEL_CODE
    mov word [IDT + %1*8 + 4], %3
    shr eax, 16
    mov word [IDT + %1*8 + 6], ax
%endmacro

; setup: page tables (first 4 MiB identity, user read/write), GDT in RAM with
; ring-3 segments and a TSS, gates, paging on; then IRETD to ring 3.
setup:
    xor ecx, ecx
.l:
    mov eax, ecx
    shl eax, 12
    or eax, 0x007
    mov [PT_LOW + ecx*4], eax
    mov dword [PD + ecx*4], 0
    inc ecx
    cmp ecx, 1024
    jne .l
    mov dword [PD], PT_LOW | 0x007
    ; GDT: the frame's four entries, ring-3 code and data, the TSS
    xor ecx, ecx
.g:
    mov eax, [gdt + ecx*4]
    mov [GDT2 + ecx*4], eax
    inc ecx
    cmp ecx, 8
    jne .g
    mov dword [GDT2 + 0x20], 0x0000FFFF
    mov dword [GDT2 + 0x24], 0x00CFFA00
    mov dword [GDT2 + 0x28], 0x0000FFFF
    mov dword [GDT2 + 0x2C], 0x00CFF200
    mov dword [GDT2 + 0x30], (TSS << 16) | 0x67
    mov dword [GDT2 + 0x34], 0x00008900 | ((TSS >> 16) & 0xFF)
    mov word [gdtr2], 0x37
    mov dword [gdtr2 + 2], GDT2
    lgdt [gdtr2]
    ; TSS: ring-0 stack, no I/O bitmap
    xor ecx, ecx
.t:
    mov dword [TSS + ecx*4], 0
    inc ecx
    cmp ecx, 26
    jne .t
    mov dword [TSS + 4], RING0_ESP
    mov dword [TSS + 8], SEL_DATA
    mov word [TSS + 0x66], 0x68
    mov ax, SEL_TSS
    ltr ax
    GATE PF_VECTOR, pf_handler, 0x8E00
    GATE SERVICE, service, 0xEE00
    mov word [idtr2], 256 * 8 - 1
    mov dword [idtr2 + 2], IDT
    lidt [idtr2]
    mov eax, PD
    mov cr3, eax
    mov eax, cr0
    or eax, 0x80000000
    mov cr0, eax
    ; to ring 3 on the same stack, IOPL 3
    pop edx                   ; our return address
    mov eax, esp
    push dword SEL_DATA3
    push eax
    pushfd
    or dword [esp], 0x3000
    push dword SEL_CODE3
    push edx
    iretd

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

; INT 0x81: eax = 1 set CR0.WP to edx; 2 INVLPG [ebx]; 3 read (ecx = 0) or write [ebx], result in eax.
service:
    push ds
    push es
    push edx
    mov dx, SEL_DATA
    mov ds, dx
    mov es, dx
    pop edx
    cmp eax, 1
    jne .s2
    mov eax, cr0
    and eax, ~0x10000
    shl edx, 16
    or eax, edx
    mov cr0, eax
    jmp .done
.s2:
    cmp eax, 2
    jne .s3
    invlpg [ebx]
    jmp .done
.s3:
    mov dword [resume], .done
    mov eax, 0x5A5A5A5A
    test ecx, ecx
    jnz .w
    mov eax, [ebx]
    jmp .done
.w:
    mov [ebx], eax
.done:
    pop es
    pop ds
    iretd

group_main:
    cmp dword [ready], 0x600DF00D
    je .run
    mov dword [ready], 0x600DF00D
    call setup
    mov ax, SEL_DATA3
    mov ds, ax
    mov es, ax
.run:
    call rand
    and eax, RANDOM_BITS
    mov [pde_], eax
    call rand
    and eax, RANDOM_BITS
    mov [pte_], eax
    call rand
    and eax, 1
    mov [wp_], eax
    call rand
    and eax, 1
    mov [wr_], eax
    call rand
    and eax, 3
    mov [cpl_], eax
    mov eax, [pde_]
    call hex8
    mov eax, [pte_]
    call hex8
    mov eax, [wp_]
    call hex8
    mov eax, [wr_]
    call hex8
    mov eax, [cpl_]
    and eax, 1
    call hex8
    SEP
    mov eax, 1
    mov edx, [wp_]
    int SERVICE
    call rand
    mov [FRAME + OFF], eax
    mov eax, [pde_]
    or eax, PT_TEST
    mov [PD + (LIN >> 22) * 4], eax
    mov eax, [pte_]
    or eax, FRAME
    mov [PT_TEST], eax
    mov eax, 2
    mov ebx, LIN + OFF
    int SERVICE
    mov dword [fault], 0
    mov dword [err_], 0
    mov dword [cr2_], 0
    test dword [cpl_], 1
    jz .cpl0
    mov dword [resume], .after
    mov eax, 0x5A5A5A5A
    cmp dword [wr_], 0
    jne .w3
    mov eax, [ebx]
    jmp .after
.w3:
    mov [ebx], eax
    jmp .after
.cpl0:
    mov eax, 3
    mov ecx, [wr_]
    int SERVICE
.after:
    mov [val_], eax
    mov eax, [fault]
    call hex8
    mov eax, [err_]
    call hex8
    mov eax, [cr2_]
    call hex32
    mov eax, [val_]
    call hex32
    mov eax, [PD + (LIN >> 22) * 4]
    call hide_if_fault
    mov eax, [PT_TEST]
    call hide_if_fault
    SEP
    mov eax, cs
    call hex8
    mov eax, ss
    call hex8
    ret

hide_if_fault:
    and eax, 0x60
    cmp dword [fault], 0
    je .show
    xor eax, eax
.show:
    call hex8
    ret

gdtr2 equ scratch + 40
idtr2 equ scratch + 48

header: db "# user: pde pte wp write cpl3 | fault err cr2 value pde-ad pte-ad | cs ss", 10, 0
%include "end.inc"
