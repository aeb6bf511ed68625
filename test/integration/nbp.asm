; A PXE network bootstrap program for the network boot test: the PXE ROM
; loads it at 0000:7C00 and enters it in real mode with ES:BX pointing at the
; PXENV+ structure and the !PXE structure's far pointer at SS:[SP+4]. It
; reports on the debug console (port 0x402) and COM1 which of the two
; signatures it found, then switches the machine off through the PIIX4 PM
; block (S5, SUS_TYP 0 as QEMU's \_S5 names it) at the base the firmware
; programmed into PMBA.

bits 16
org 0x7c00

start:
    cli
    mov bp, sp
    lds si, [ss:bp + 4]             ; !PXE
    xor ax, ax
    cmp dword [si], '!PXE'
    jne .pxenv
    inc ax
.pxenv:
    cmp dword [es:bx], 'PXEN'
    jne .report
    cmp word [es:bx + 4], 'V+'
    jne .report
    or al, 2
.report:
    xor cx, cx
    mov ds, cx
    mov si, banner
    call print
    mov si, pxe_bad
    test al, 1
    jz .1
    mov si, pxe_ok
.1: call print
    mov si, pxenv_bad
    test al, 2
    jz .2
    mov si, pxenv_ok
.2: call print

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

; Prints the NUL-terminated string at DS:SI to port 0x402 and to COM1.
print:
    push ax
.next:
    lodsb
    test al, al
    jz .done
    mov dx, 0x402
    out dx, al
    mov ah, al
    mov dx, 0x3fd
.wait:
    in al, dx
    test al, 0x20
    jz .wait
    mov al, ah
    mov dx, 0x3f8
    out dx, al
    jmp .next
.done:
    pop ax
    ret

banner:    db 'plugboard NBP: ', 0
pxe_ok:    db '!PXE ok, ', 0
pxe_bad:   db '!PXE missing, ', 0
pxenv_ok:  db 'PXENV+ ok', 13, 10, 0
pxenv_bad: db 'PXENV+ missing', 13, 10, 0
