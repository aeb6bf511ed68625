; Benchmark mix for bench/mips.ts: flat 32-bit protected mode with 4 MiB PSE
; paging, then three phases, each reporting through port 0xE9 when it ends:
; an integer loop, REP MOVSD block copies, and an x87 loop.
bits 16
org 0xF0000
start:
    cli
    o32 lgdt [cs:gdtr - 0xF0000]
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

    ; Phase 1: integer loop.
    mov ecx, [0xFFFE0]
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
    mov al, '1'
    out 0xE9, al

    ; Phase 2: block copies, 64 KiB at a time.
    mov edx, [0xFFFE4]
.copy:
    mov esi, 0x200000
    mov edi, 0x300000
    mov ecx, 16384
    rep movsd
    dec edx
    jnz .copy
    mov al, '2'
    out 0xE9, al

    ; Phase 3: x87 loop.
    mov ecx, [0xFFFE8]
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
    mov al, '3'
    out 0xE9, al
    hlt

align 8
gdt:
    dq 0
    dq 0x00CF9B000000FFFF
    dq 0x00CF93000000FFFF
gdtr:
    dw gdtr - gdt - 1
    dd gdt

    times 0xFFE0 - ($ - $$) db 0
    dd 2000000          ; integer loop iterations
    dd 200              ; 64 KiB copies
    dd 200000           ; x87 loop iterations
    dd 0
bits 16
    jmp 0xF000:start - 0xF0000
    times 0x10000 - ($ - $$) db 0
