; Benchmark programs for mips.bench.mjs, one per run: assembled with
; -DPHASE=1 (integer loop), 2 (REP MOVSD page copies) or 3 (x87 loop) and
; -DCOUNT=<iterations>. Each switches to flat 32-bit protected mode with 4 MiB
; PSE paging, runs its loop and writes 0 to QEMU's debug exit port (0xF4).
bits 16
org 0xF0000
start:
    cli
    o32 lgdt [cs:gdtr - $$]
    mov eax, cr0
    or al, 1
    mov cr0, eax
    jmp dword 0x08:pm
bits 32
pm:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov esp, 0x90000
    ; page directory at 0x100000: identity-map 0-4 MiB and the ROM's 4 MiB.
    mov edi, 0x100000
    xor eax, eax
    mov ecx, 1024
    rep stosd
    mov dword [0x100000], 0x83
    mov dword [0x100000 + 1023 * 4], 0xFFC00083
    mov eax, cr4
    or eax, 0x10
    mov cr4, eax
    mov eax, 0x100000
    mov cr3, eax
    mov eax, cr0
    or eax, 0x80000000
    mov cr0, eax
    mov ecx, COUNT

%if PHASE == 1
    ; ALU, shifts, loads and stores, a data-dependent branch.
    xor eax, eax
    mov ebx, 0x12345678
    mov esi, 0x200000
.int:
    add eax, ebx
    xor ebx, eax
    rol ebx, 3
    mov [esi], eax
    add edx, [esi]
    lea esi, [esi + 4]
    and esi, 0x20FFFF
    sub ebx, 7
    cmp eax, ebx
    jne .skip
    inc edi
.skip:
    dec ecx
    jnz .int
%elif PHASE == 2
    ; 4 KiB page copies, as a kernel's copy_page does them.
    mov edx, ecx
.copy:
    mov esi, 0x200000
    mov edi, 0x300000
    mov ecx, 1024
    rep movsd
    dec edx
    jnz .copy
%else
    fninit
    fld1
    fldz
.fpu:
    fadd st0, st1
    fld st0
    fmul st0, st0
    fsqrt
    fstp qword [0x200100]
    dec ecx
    jnz .fpu
%endif
    xor eax, eax
    out 0xF4, al
    hlt

align 8
gdt:
    dq 0
    dq 0x00CF9B000000FFFF
    dq 0x00CF93000000FFFF
gdtr:
    dw gdtr - gdt - 1
    dd gdt

    times 0xFFF0 - ($ - $$) db 0
bits 16
    jmp 0xF000:start - 0xF0000
    times 0x10000 - ($ - $$) db 0
