; A 1.44 MB floppy's boot sector for floppy.test.ts. SeaBIOS loads it at
; 0000:7C00 from drive A:. It prints, on COM1, what INT 13h reports of the
; drive (AH=08h: CMOS type, last cylinder, sectors, last head), the strings
; in sector 2 (C0 H0 S2) and in the disk's last sector (C79 H1 S18), writes
; itself to C0 H0 S3 and reads that back, then switches the machine off
; through the PIIX4 PM block.
bits 16
org 0x7c00

; Variables live outside the sector, so the copy in memory stays what is written to S3.
drive equ 0x0600
func  equ 0x0601

start:
    cli
    xor ax, ax
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov sp, 0x7c00
    sti
    mov [drive], dl

    mov si, hello
    call say
    mov al, [drive]
    call hex8
    call newline

    ; Drive parameters (ES:DI comes back pointing at a table): BL type, CH last cylinder, CL last sector, DH last head.
    mov ah, 0x08
    mov dl, [drive]
    int 0x13
    jc failed
    push ds                         ; AH=08h points ES:DI at the diskette parameter table
    pop es
    push dx
    push cx
    mov si, params
    call say
    mov al, bl
    call hex8
    mov si, cyl
    call print
    pop cx
    push cx
    mov al, ch
    call hex8
    mov si, sec
    call print
    pop cx
    mov al, cl
    and al, 0x3f
    call hex8
    mov si, heads
    call print
    pop dx
    mov al, dh
    call hex8
    call newline

    mov bx, 0x8000
    mov cx, 0x0002                  ; C0 S2
    mov dh, 0
    mov ah, 0x02
    call disk
    mov si, 0x8000
    call print

    mov bx, 0x8200
    mov cx, (79 << 8) | 18          ; C79 S18
    mov dh, 1
    mov ah, 0x02
    call disk
    mov si, 0x8200
    call print

    mov bx, 0x7c00
    mov cx, 0x0003                  ; C0 S3
    mov dh, 0
    mov ah, 0x03
    call disk
    mov bx, 0x8400
    mov cx, 0x0003
    mov dh, 0
    mov ah, 0x02
    call disk
    mov si, 0x7c00
    mov di, 0x8400
    mov cx, 512
    cld
    repe cmpsb
    mov si, write_bad
    jne .report
    mov si, write_ok
.report:
    call say
    jmp off

; One sector: AH function, CX cylinder/sector, DH head, ES:BX buffer; retried once after a reset.
disk:
    mov [func], ah
    mov dl, [drive]
    mov al, 1
    int 0x13
    jnc .ok
    mov ah, 0x00
    mov dl, [drive]
    int 0x13
    mov ah, [func]
    mov dl, [drive]
    mov al, 1
    int 0x13
    jc failed
.ok:
    ret

failed:
    push ax
    mov si, error
    call say
    pop ax
    mov al, ah
    call hex8
    call newline

off:
    ; PMBA, config offset 40h of 00:01.3, holds the PM I/O base.
    mov dx, 0xcf8
    mov eax, 0x80000b40
    out dx, eax
    mov dl, 0xfc
    in eax, dx
    and ax, 0xffc0
    add ax, 4                       ; PMCNTRL
    mov dx, ax
    mov ax, 0x2000                  ; SUS_EN, SUS_TYP 0: soft-off
    out dx, ax
.halt:
    hlt
    jmp .halt

; A fact line: the prefix, then the string at DS:SI.
say:
    push si
    mov si, prefix
    call print
    pop si
    jmp print

newline:
    mov si, crlf
    ; fall through
; Prints the NUL-terminated string at DS:SI to COM1.
print:
    push ax
.next:
    lodsb
    test al, al
    jz .done
    call putc
    jmp .next
.done:
    pop ax
    ret

; AL as two hex digits.
hex8:
    push ax
    shr al, 4
    call .digit
    pop ax
    and al, 0x0f
.digit:
    add al, '0'
    cmp al, '9'
    jbe putc
    add al, 'a' - '9' - 1
putc:
    push dx
    push ax
    mov dx, 0x3fd
.wait:
    in al, dx
    test al, 0x20
    jz .wait
    pop ax
    mov dx, 0x3f8
    out dx, al
    pop dx
    ret

prefix:    db 'PLUGBOARD floppy: ', 0
hello:     db 'boot sector from drive ', 0
params:    db 'type ', 0
cyl:       db ' last cylinder ', 0
sec:       db ' sectors ', 0
heads:     db ' last head ', 0
write_ok:  db 'sector 3 written and read back', 13, 10, 0
write_bad: db 'sector 3 read back differs', 13, 10, 0
error:     db 'INT 13h error ', 0
crlf:      db 13, 10, 0

    times 510 - ($ - $$) db 0
    dw 0xaa55
