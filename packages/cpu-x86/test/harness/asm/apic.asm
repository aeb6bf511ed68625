; Local APIC as the CPU core sees it (no paging, CPL 0): software enable,
; self-IPIs through the ICR, IRR and ISR bits, TPR and PPR, delivery order
; by priority class after STI, EOI, and the one-shot timer (the count runs
; down, the vector waits in IRR while IF is 0). Each case draws two vectors,
; a TPR and a timer vector. Handlers for vectors 0x20-0xFF log the vector
; and the ISR bit seen on entry, then write EOI.
; Not compared, because QEMU 7.2 departs from the SDM there: the arbitration
; priority register (QEMU reads 0), reserved LVT bits (QEMU keeps them), and
; the illegal-vector ESR bits (QEMU never sets them).
; Line: v1 v2 tpr vt | irr(v1) irr(v2) ppr | taken-with-tpr | taken-after-tpr-0 | timer: irr(vt) count-zero taken | version svr
%define SEED 0xA91CA91C
%define CASES_DEFAULT 100
%include "lib.inc"
%include "macros.inc"

APIC      equ 0xFEE00000
A_VERSION equ APIC + 0x30
A_TPR     equ APIC + 0x80
A_PPR     equ APIC + 0xA0
A_EOI     equ APIC + 0xB0
A_SVR     equ APIC + 0xF0
A_ISR     equ APIC + 0x100
A_IRR     equ APIC + 0x200
A_ICR_LO  equ APIC + 0x300
A_ICR_HI  equ APIC + 0x310
A_LVT_TMR equ APIC + 0x320
A_INITIAL equ APIC + 0x380
A_CURRENT equ APIC + 0x390
A_DIVIDE  equ APIC + 0x3E0

v1_   equ scratch + 0
v2_   equ scratch + 4
tpr_  equ scratch + 8
vt_   equ scratch + 12
nlog  equ scratch + 16
logv  equ scratch + 32          ; up to 8 entries: vector | isr-bit << 8
ready equ scratch + 96
idtr2 equ scratch + 104

; A vector in 0x20-0xFF.
vector:
    call rand
    and eax, 0xFF
    cmp eax, 0x20
    jae .ok
    add eax, 0x20
.ok:
    ret

; irr_bit / isr_bit: eax = bit `eax` of the 256-bit register at ebx.
reg_bit:
    push ecx
    mov ecx, eax
    shr eax, 5
    shl eax, 4
    mov eax, [ebx + eax]
    and ecx, 31
    shr eax, cl
    and eax, 1
    pop ecx
    ret

setup:
    ; IDT entries 0x20-0xFF -> stubs; full-size IDT
    mov ecx, 0x20
.g:
    mov eax, ecx
    sub eax, 0x20
    shl eax, 4                ; stubs are 16 bytes apart
    add eax, stubs
    mov word [IDT + ecx*8], ax
    mov word [IDT + ecx*8 + 2], SEL_CODE
    mov word [IDT + ecx*8 + 4], 0x8E00
    shr eax, 16
    mov word [IDT + ecx*8 + 6], ax
    inc ecx
    cmp ecx, 0x100
    jne .g
    mov word [idtr2], 256 * 8 - 1
    mov dword [idtr2 + 2], IDT
    lidt [idtr2]
    ret

; Interrupt stubs: push the vector, then the common handler.
align 16
stubs:
%assign v 0x20
%rep 0xE0
    push dword v
    jmp irq_common
    align 16
%assign v v + 1
%endrep

irq_common:
    push eax
    push ebx
    push ecx
    mov eax, [esp + 12]
    mov ebx, A_ISR
    call reg_bit
    shl eax, 8
    or eax, [esp + 12]
    mov ecx, [nlog]
    cmp ecx, 8
    jae .full
    mov [logv + ecx*4], eax
    inc dword [nlog]
.full:
    mov dword [A_EOI], 0
    pop ecx
    pop ebx
    pop eax
    add esp, 4
    iretd

; print_log: the vectors taken since the last call, as "vv:i" items, then "-".
print_log:
    xor ecx, ecx
.l:
    cmp ecx, [nlog]
    je .e
    mov eax, [logv + ecx*4]
    call hex12
    inc ecx
    jmp .l
.e:
    mov al, '-'
    call putc
    mov al, ' '
    call putc
    mov dword [nlog], 0
    ret

group_main:
    cli
    cmp dword [ready], 0x600DF00D
    je .run
    mov dword [ready], 0x600DF00D
    call setup
.run:
    mov dword [nlog], 0
    mov dword [A_SVR], 0x1FF
    mov dword [A_TPR], 0
    call vector
    mov [v1_], eax
    call vector
    mov [v2_], eax
    call rand
    and eax, 0xFF
    mov [tpr_], eax
    call vector
    mov [vt_], eax
    mov eax, [v1_]
    call hex8
    mov eax, [v2_]
    call hex8
    mov eax, [tpr_]
    call hex8
    mov eax, [vt_]
    call hex8
    SEP
    ; two self-IPIs (fixed, edge, shorthand self) with IF clear
    mov dword [A_ICR_HI], 0
    mov eax, [v1_]
    or eax, 0x40000
    mov [A_ICR_LO], eax
    mov eax, [v1_]
    mov ebx, A_IRR
    call reg_bit
    call hex8
    mov eax, [tpr_]
    mov [A_TPR], eax
    mov eax, [v2_]
    or eax, 0x40000
    mov [A_ICR_LO], eax
    mov eax, [v2_]
    mov ebx, A_IRR
    call reg_bit
    call hex8
    mov eax, [A_PPR]
    call hex8
    SEP
    ; open the window: what the TPR lets through
    sti
    nop
    nop
    cli
    call print_log
    SEP
    mov dword [A_TPR], 0
    sti
    nop
    nop
    cli
    call print_log
    SEP
    ; one-shot timer: divide by 1, count 2000; wait for the count to reach 0
    mov dword [A_DIVIDE], 0xB
    mov eax, [vt_]
    mov [A_LVT_TMR], eax
    mov dword [A_INITIAL], 2000
    mov ecx, 10000000
.wait:
    cmp dword [A_CURRENT], 0
    je .zero
    dec ecx
    jnz .wait
.zero:
    ; the deadline may pass a little after the count reads 0: poll IRR briefly
    mov edx, 100000
.irr:
    mov eax, [vt_]
    mov ebx, A_IRR
    call reg_bit
    test eax, eax
    jnz .pending
    dec edx
    jnz .irr
.pending:
    call hex8
    mov eax, [A_CURRENT]
    call hex32
    sti
    nop
    nop
    cli
    call print_log
    SEP
    mov eax, [A_VERSION]
    call hex32
    mov eax, [A_SVR]
    call hex16
    ret

header: db "# apic: v1 v2 tpr vt | irr(v1) irr(v2) ppr | taken (vector, isr bit) | taken after tpr 0 | timer irr count taken | version svr", 10, 0
%include "end.inc"
