; CPUID dump: every basic leaf up to the maximum, then every extended leaf up
; to its maximum (when leaf 0x80000000 reports one), one line each:
; leaf subleaf eax ebx ecx edx (leaf 4 for subleaves 0-3, others subleaf 0). Recorded once per QEMU CPU model; the cpuid test
; compares Plugboard's models with these values, minus the features Plugboard
; does not implement. Runs a single "case".
%define SEED 1
%define CASES_DEFAULT 1
%include "lib.inc"

dump_range:                   ; esi = first leaf, edi = last leaf
.l:
    xor ebp, ebp
.sub:
    mov eax, esi
    call hex32
    mov eax, ebp
    call hex8
    mov eax, esi
    mov ecx, ebp
    cpuid
    call hex32
    mov eax, ebx
    call hex32
    mov eax, ecx
    call hex32
    mov eax, edx
    call hex32
    mov al, 10
    call putc
    inc ebp
    cmp esi, 4
    jne .next
    cmp ebp, 4
    jne .sub
.next:
    cmp esi, edi
    je .e
    inc esi
    jmp .l
.e:
    ret

group_main:
    xor eax, eax
    cpuid
    mov edi, eax
    xor esi, esi
    call dump_range
    mov eax, 0x80000000
    cpuid
    mov edi, eax
    and eax, 0xFFFF0000
    cmp eax, 0x80000000
    jne .done
    mov esi, 0x80000000
    call dump_range
.done:
    mov esi, end_of_dump
    call puts
    ret

end_of_dump: db "#", 0
header: db "# cpuid: leaf subleaf eax ebx ecx edx", 10, 0
%include "end.inc"
