; A hostile guest for test/integration/worst-writes.test.ts: a 64 KiB BIOS
; image for `plugboard qemu -M pc -vga cirrus -net nic,model=rtl8139 -hda
; DISK` that loops forever on the most expensive register write of three
; devices, one after another:
;   - the Cirrus CL-GD5446: the largest BLT the engine accepts (8192 x 512
;     byte operations, all 4 MiB of video memory, colour-expanded pattern);
;   - the RTL8139C+: TPPoll on one C+ descriptor of a 65,535-byte large send
;     with the smallest MSS the model accepts (88): 744 frames;
;   - the PIIX3 IDE: READ DMA EXT of 65,536 sectors (32 MiB) through a PRD
;     table of 512 entries of 64 KiB, the longest transfer one command makes
;     (the start write moves its first 128 KiB step; the next round's stop
;     cancels the steps left and its start goes on with the drive's rest).
; After each write it prints a letter to the debug console (port 0xE9): B
; (BLT), N (NIC), D (disk), so the test sees that every write was made.
;
; Assemble: nasm -f bin -o worst-writes.bin worst-writes.asm

bits 16
org 0

RTL_IO      equ 0xc000          ; RTL8139 BAR0 (00:03.0)
BM_IO       equ 0xc100          ; PIIX3 IDE BMIBA (00:01.1)
TX_RING     equ 0x8000          ; the C+ normal-priority ring: one descriptor
PRD_TABLE   equ 0x9000
FRAME       equ 0x20000         ; the 65,535-byte frame
DMA_BUFFER  equ 0x100000        ; every PRD entry points here

; PCI configuration write: dword VALUE to bus 0, DEVFN, REG.
%macro pci_write32 3
    mov eax, 0x80000000 | ((%1) << 8) | (%2)
    mov dx, 0xcf8
    out dx, eax
    mov eax, (%3)
    mov dx, 0xcfc
    out dx, eax
%endmacro

%macro gr 2                     ; Cirrus graphics controller register %1 = %2
    mov ax, ((%2) << 8) | (%1)
    out dx, ax
%endmacro

%macro mark 1                   ; %1 to the debug console
    mov dx, 0xe9
    mov al, %1
    out dx, al
%endmacro

start:
    cli
    xor ax, ax
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov sp, 0x7000

    ; RTL8139 at 00:03.0: I/O BAR, I/O space and bus mastering on.
    pci_write32 (3 << 3), 0x10, RTL_IO | 1
    pci_write32 (3 << 3), 0x04, 0x0005
    ; PIIX3 IDE at 00:01.1: BMIBA, both channels decoding, I/O and bus mastering on.
    pci_write32 (1 << 3) | 1, 0x20, BM_IO | 1
    pci_write32 (1 << 3) | 1, 0x40, 0x80008000
    pci_write32 (1 << 3) | 1, 0x04, 0x0005

    ; The frame: an IPv4/TCP header (to 10.0.2.2:80), the rest zeros.
    mov ax, FRAME >> 4
    mov es, ax
    xor di, di
    mov si, frame_header
    mov cx, frame_header_end - frame_header
    cs rep movsb
    xor ax, ax
    mov es, ax

    ; RTL8139: reset, C+ transmit on, the ring at TX_RING, transmitter on.
    mov dx, RTL_IO + 0x37       ; CR
    mov al, 0x10                ; CR_RST
    out dx, al
    mov dx, RTL_IO + 0xe0       ; CPCR
    mov ax, 0x0001              ; CPTxE
    out dx, ax
    mov dx, RTL_IO + 0x20       ; TNPDS
    mov eax, TX_RING
    out dx, eax
    mov dx, RTL_IO + 0x24
    xor eax, eax
    out dx, eax
    mov dx, RTL_IO + 0x37
    mov al, 0x04                ; CR_TE
    out dx, al
    mov dword [TX_RING + 4], 0
    mov dword [TX_RING + 8], FRAME
    mov dword [TX_RING + 12], 0

    ; The PRD table: 512 entries of 64 KiB (a count of 0), the last with EOT.
    mov di, PRD_TABLE
    mov cx, 512
.prd:
    mov dword [di], DMA_BUFFER
    mov dword [di + 4], 0
    add di, 8
    loop .prd
    mov dword [di - 4], 0x80000000

    ; Cirrus: extensions unlocked, the BLT set up once; each start reuses it.
    mov dx, 0x3c4
    mov ax, 0x1206              ; SR06 = 0x12
    out dx, ax
    mov dx, 0x3ce
    gr 0x20, 0xff               ; width - 1 = 8191
    gr 0x21, 0x1f
    gr 0x22, 0xff               ; height - 1 = 511
    gr 0x23, 0x01
    gr 0x24, 0x00               ; destination pitch 8192
    gr 0x25, 0x20
    gr 0x26, 0x00               ; source pitch 8192
    gr 0x27, 0x20
    gr 0x28, 0x00               ; destination 0
    gr 0x29, 0x00
    gr 0x2a, 0x00
    gr 0x2c, 0x00               ; pattern at 0
    gr 0x2d, 0x00
    gr 0x2e, 0x00
    gr 0x30, 0xc0               ; pattern copy, colour expansion
    gr 0x32, 0x59               ; ROP: source XOR destination
    gr 0x33, 0x00

round:
    ; The largest BLT: GR31 START (the engine clears it when done).
    mov dx, 0x3ce
    gr 0x31, 0x02
    mark 'B'

    ; The large send: hand the descriptor back to the NIC and ring TPPoll.
    mov dword [TX_RING], 0xf858ffff ; OWN EOR FS LS LGSEN, MSS 88, 65,535 bytes
    mov dx, RTL_IO + 0xd9       ; TPPoll
    mov al, 0x40                ; NPQ
    out dx, al
    mark 'N'

    ; The longest transfer: stop the engine, clear its status, READ DMA EXT of
    ; 65,536 sectors from LBA 0 (ignored while the drive still has the last
    ; one's rest), start the engine (a step of the transfer runs now).
    mov dx, BM_IO               ; BMICP
    xor al, al
    out dx, al
    mov dx, BM_IO + 2           ; BMISP: clear interrupt and error
    mov al, 0x06
    out dx, al
    mov dx, 0x1f7
    in al, dx                   ; status: clears INTRQ
    mov dx, 0x1f6
    mov al, 0x40                ; LBA, master
    out dx, al
    mov dx, 0x1f2
    xor al, al
    out dx, al                  ; count bits 15:8, then 7:0: 0 is 65,536
    out dx, al
    mov dx, 0x1f3
    out dx, al
    out dx, al
    inc dx
    out dx, al
    out dx, al
    inc dx
    out dx, al
    out dx, al
    mov dx, 0x1f7
    mov al, 0x25                ; READ DMA EXT
    out dx, al
    mov dx, BM_IO + 4           ; BMIDTP
    mov eax, PRD_TABLE
    out dx, eax
    mov dx, BM_IO
    mov al, 0x09                ; start, write to memory
    out dx, al
    mark 'D'
    jmp round

frame_header:
    db 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 0x08, 0x00
    db 0x45, 0x00, 0xff, 0xf1, 0x12, 0x34, 0x40, 0x00, 0x40, 0x06, 0x00, 0x00
    db 10, 0, 2, 15, 10, 0, 2, 2
    db 0x04, 0x00, 0x00, 0x50, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00
    db 0x50, 0x10, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00
frame_header_end:

    times 0xfff0 - ($ - $$) db 0
reset:
    jmp 0xf000:start
    times 0x10000 - ($ - $$) db 0
