/**
 * The UHCI registers (Universal Host Controller Interface Design Guide,
 * revision 1.1, chapter 2) and the PIIX3's USB function configuration
 * registers (82371SB datasheet, USB function), named as those documents name
 * them. Offsets are from the I/O base in BAR4.
 */

/** The I/O window BAR4 decodes: 32 bytes. */
export const UHCI_IO_SIZE = 0x20;

export const USBCMD = 0x00;
export const USBSTS = 0x02;
export const USBINTR = 0x04;
export const FRNUM = 0x06;
export const FRBASEADD = 0x08;
export const SOFMOD = 0x0c;
export const PORTSC1 = 0x10;
export const PORTSC2 = 0x12;
/** The root ports, PORTSC1 and PORTSC2. */
export const PORT_COUNT = 2;

/** USBCMD (2.1.1). */
export const CMD_RS = 1 << 0;
export const CMD_HCRESET = 1 << 1;
export const CMD_GRESET = 1 << 2;
export const CMD_EGSM = 1 << 3;
export const CMD_FGR = 1 << 4;
export const CMD_SWDBG = 1 << 5;
export const CMD_CF = 1 << 6;
export const CMD_MAXP = 1 << 7;
export const CMD_WRITABLE = 0xff;

/** USBSTS (2.1.2): every bit but HCHalted is write-one-to-clear. */
export const STS_USBINT = 1 << 0;
export const STS_USBERRINT = 1 << 1;
export const STS_RESUME_DETECT = 1 << 2;
export const STS_HOST_SYSTEM_ERROR = 1 << 3;
export const STS_HC_PROCESS_ERROR = 1 << 4;
export const STS_HCHALTED = 1 << 5;

/** USBINTR (2.1.3). */
export const INTR_TIMEOUT_CRC = 1 << 0;
export const INTR_RESUME = 1 << 1;
export const INTR_IOC = 1 << 2;
export const INTR_SHORT_PACKET = 1 << 3;
export const INTR_WRITABLE = 0x0f;

/** FRNUM (2.1.4): 11 bits; the low 10 index the 1024-entry frame list. */
export const FRNUM_MASK = 0x7ff;
export const FRAME_LIST_ENTRIES = 1024;
/** FRBASEADD (2.1.5): the frame list is 4 KiB aligned. */
export const FRBASEADD_MASK = 0xfffff000;
/** SOFMOD (2.1.6) at reset: 64, a 1 ms frame of 12000 bit times. */
export const SOFMOD_DEFAULT = 0x40;

/** PORTSC (2.1.7). */
export const PORT_CCS = 1 << 0;
export const PORT_CSC = 1 << 1;
export const PORT_PE = 1 << 2;
export const PORT_PEC = 1 << 3;
export const PORT_LINE_STATUS = 3 << 4;
export const PORT_RD = 1 << 6;
/** Reserved, reads as one: how drivers tell a port register from nothing. */
export const PORT_ALWAYS1 = 1 << 7;
export const PORT_LSDA = 1 << 8;
export const PORT_PR = 1 << 9;
export const PORT_SUSP = 1 << 12;
/** What software writes: enable, resume detect, reset, suspend; CSC and PEC clear on a one. */
export const PORT_WRITABLE = PORT_PE | PORT_RD | PORT_PR | PORT_SUSP;
export const PORT_WRITE_CLEAR = PORT_CSC | PORT_PEC;

/** Link pointers (3.1, 3.2.1, 3.3.1): terminate, QH (not TD), depth first (TD links only); 16-byte aligned. */
export const LINK_TERMINATE = 1 << 0;
export const LINK_QH = 1 << 1;
export const LINK_DEPTH_FIRST = 1 << 2;
export const LINK_ADDRESS_MASK = 0xfffffff0;

/** TD control and status, the TD's second dword (3.2.2). */
export const TD_ACTLEN_MASK = 0x7ff;
export const TD_BITSTUFF = 1 << 17;
export const TD_CRC_TIMEOUT = 1 << 18;
export const TD_NAK = 1 << 19;
export const TD_BABBLE = 1 << 20;
export const TD_DATA_BUFFER_ERROR = 1 << 21;
export const TD_STALLED = 1 << 22;
export const TD_ACTIVE = 1 << 23;
export const TD_IOC = 1 << 24;
export const TD_IOS = 1 << 25;
export const TD_LS = 1 << 26;
export const TD_C_ERR_SHIFT = 27;
export const TD_C_ERR_MASK = 3 << TD_C_ERR_SHIFT;
export const TD_SPD = 1 << 29;

/** TD token, the third dword (3.2.3): PID, device address, endpoint, data toggle, MaxLen (n-1; 0x7FF is none). */
export const TOKEN_PID_MASK = 0xff;
export const TOKEN_ADDRESS_SHIFT = 8;
export const TOKEN_ENDPOINT_SHIFT = 15;
export const TOKEN_MAXLEN_SHIFT = 21;

/** PCI configuration registers of the USB function. */
export const USB_SBRN = 0x60;
/** Serial bus release 1.0, as the PIIX3 (and QEMU) report it. */
export const USB_RELEASE_1 = 0x10;
export const LEGSUP = 0xc0;
/** LEGSUP at reset: USBPIRQDEN, the controller's interrupt routed to PIRQD. */
export const LEGSUP_DEFAULT = 0x2000;
export const LEGSUP_USBPIRQDEN = 1 << 13;
/** Read/write LEGSUP bits: PIRQ enable and the SMI/trap enables (bits 0-5, 7). */
export const LEGSUP_WRITABLE = 0x20bf;
/** The SMI status bits (8-11, 15), write-one-to-clear; never set here, since there is no SMM. */
export const LEGSUP_WRITE_CLEAR = 0x8f00;
