/**
 * RTL8139C(L)+ registers, named as the Realtek datasheet names them. Offsets
 * are from the start of the I/O (BAR0) or memory (BAR1) window; both map the
 * same 256 bytes.
 */
export const IDR0 = 0x00;
export const MAR0 = 0x08;
export const TSD0 = 0x10;
export const TSAD0 = 0x20;
export const RBSTART = 0x30;
export const ERBCR = 0x34;
export const ERSR = 0x36;
export const CR = 0x37;
export const CAPR = 0x38;
export const CBR = 0x3a;
export const IMR = 0x3c;
export const ISR = 0x3e;
export const TCR = 0x40;
export const RCR = 0x44;
export const TCTR = 0x48;
export const MPC = 0x4c;
export const CR9346 = 0x50;
export const CONFIG0 = 0x51;
export const CONFIG1 = 0x52;
export const TimerInt = 0x54;
export const MSR = 0x58;
export const CONFIG3 = 0x59;
export const CONFIG4 = 0x5a;
export const HltClk = 0x5b;
export const MULINT = 0x5c;
export const RERID = 0x5e;
export const TSAD = 0x60;
export const BMCR = 0x62;
export const BMSR = 0x64;
export const ANAR = 0x66;
export const ANLPAR = 0x68;
export const ANER = 0x6a;
export const DIS = 0x6c;
export const FCSC = 0x6e;
export const NWAYTR = 0x70;
export const REC = 0x72;
export const CSCR = 0x74;
export const PHY1_PARM = 0x78;
export const TW_PARM = 0x7c;
export const PHY2_PARM = 0x80;
export const CONFIG5 = 0xd8;

// C+ mode registers (RTL8139C+ only). Several overlay C-mode ones.
/** Dump Tally Counter Command (64-bit), over TSD0/TSD1. */
export const DTCCR = 0x10;
/** Transmit Normal Priority Descriptors Start Address (64-bit), over TSAD0/TSAD1. */
export const TNPDS = 0x20;
/** Transmit High Priority Descriptors Start Address (64-bit), over TSAD2/TSAD3. */
export const THPDS = 0x28;
export const TPPoll = 0xd9;
/**
 * The RTL8169's Rx packet maximum size. The RTL8139 has nothing here (reads 0,
 * writes ignored): iPXE's realtek driver tells an RTL8169 by this reading back.
 */
export const RxMaxSize = 0xda;
export const CPCR = 0xe0;
export const IntrMitigate = 0xe2;
/** Receive Descriptor Start Address (64-bit). */
export const RDSAR = 0xe4;
export const ETTHR = 0xec;

/** CR: Command Register. */
export const CR_RST = 0x10;
export const CR_RE = 0x08;
export const CR_TE = 0x04;
export const CR_BUFE = 0x01;

/** ISR/IMR bits. In C+ mode bit 4 means "Rx descriptor unavailable" and bit 7 "Tx descriptor unavailable". */
export const ISR_ROK = 0x0001;
export const ISR_RER = 0x0002;
export const ISR_TOK = 0x0004;
export const ISR_TER = 0x0008;
export const ISR_RXOVW = 0x0010;
export const ISR_PUN_LINKCHG = 0x0020;
export const ISR_FOVW = 0x0040;
export const ISR_TDU = 0x0080;
export const ISR_SWINT = 0x0100;
export const ISR_LENCHG = 0x2000;
export const ISR_TIMEOUT = 0x4000;
export const ISR_SERR = 0x8000;
export const ISR_RDU = ISR_RXOVW;

/** TSD: Transmit Status of Descriptor. */
export const TSD_SIZE = 0x1fff;
export const TSD_OWN = 1 << 13;
export const TSD_TUN = 1 << 14;
export const TSD_TOK = 1 << 15;
export const TSD_TABT = 1 << 30;
/** The largest frame a C-mode descriptor may hold. */
export const TSD_MAX_SIZE = 1792;

/** RCR: Receive Configuration Register. */
export const RCR_AAP = 1 << 0;
export const RCR_APM = 1 << 1;
export const RCR_AM = 1 << 2;
export const RCR_AB = 1 << 3;
export const RCR_AR = 1 << 4;
export const RCR_AER = 1 << 5;
export const RCR_WRAP = 1 << 7;
export const RCR_RBLEN_SHIFT = 11;

/** TCR: Transmit Configuration Register; loopback mode in bits 18:17. */
export const TCR_LBK_SHIFT = 17;
/** Hardware version ids in TCR bits 30:26 and 23:22, as Linux's 8139too reads them. */
export const TCR_HWVERID_8139C = 0x74000000;
export const TCR_HWVERID_8139CPLUS = 0x74800000;
export const TCR_WRITABLE = 0x030f07f1;

/** Receive packet header status (C mode). */
export const RX_ROK = 1 << 0;
export const RX_BAR = 1 << 13;
export const RX_PAM = 1 << 14;
export const RX_MAR = 1 << 15;

/** 9346CR: EEPROM mode (EEM1:0) and the pins in programming mode. */
export const CR9346_EEM_SHIFT = 6;
export const CR9346_EEM_NORMAL = 0;
export const CR9346_EEM_AUTOLOAD = 1;
export const CR9346_EEM_PROGRAM = 2;
export const CR9346_EEM_CONFIG_WRITE = 3;
export const CR9346_EECS = 1 << 3;
export const CR9346_EESK = 1 << 2;
export const CR9346_EEDI = 1 << 1;
export const CR9346_EEDO = 1 << 0;

/** BMCR/BMSR bits of the internal PHY. */
export const BMCR_RESET = 1 << 15;
export const BMCR_SPD100 = 1 << 13;
export const BMCR_ANE = 1 << 12;
export const BMCR_RESTART_AN = 1 << 9;
export const BMCR_DUPLEX = 1 << 8;
/** 100BASE-TX full/half, 10BASE-T full/half, AN complete, AN capable, link up, extended. */
export const BMSR_LINKED = 0x782d;
export const BMSR_LINK = 1 << 2;
/** MSR: Media Status Register. */
export const MSR_LINKB = 1 << 2;
export const MSR_SPEED_10 = 1 << 3;

/** CPCR: C+ Command Register. */
export const CPCR_CPTxE = 1 << 0;
export const CPCR_CPRxE = 1 << 1;
export const CPCR_MulRW = 1 << 3;
export const CPCR_DAC = 1 << 4;
export const CPCR_RxChkSum = 1 << 5;
export const CPCR_RxVLAN = 1 << 6;

/** TPPoll bits. */
export const TPPoll_HPQ = 1 << 7;
export const TPPoll_NPQ = 1 << 6;
export const TPPoll_FSWInt = 1 << 0;

/** C+ descriptor bits (dword 0: command/status; dword 1: VLAN). */
export const DESC_OWN = 1 << 31;
export const DESC_EOR = 1 << 30;
export const DESC_FS = 1 << 29;
export const DESC_LS = 1 << 28;
export const TXD_LGSEN = 1 << 27;
export const TXD_MSS_SHIFT = 16;
export const TXD_MSS_MASK = 0x7ff;
export const TXD_IPCS = 1 << 18;
export const TXD_UDPCS = 1 << 17;
export const TXD_TCPCS = 1 << 16;
export const TXD_TAGC = 1 << 17;
export const TXD_LENGTH = 0xffff;
export const RXD_LENGTH = 0x1fff;
export const RXD_BUFFER_SIZE = 0x1fff;
export const RXD_PID_SHIFT = 16;
export const RXD_PID_TCP = 1;
export const RXD_PID_UDP = 2;
export const RXD_PID_IP = 3;
export const RXD_IPF = 1 << 15;
export const RXD_UDPF = 1 << 14;
export const RXD_TCPF = 1 << 13;
export const RXD_MAR = 1 << 26;
export const RXD_PAM = 1 << 25;
export const RXD_BAR = 1 << 24;
export const RXD_TAVA = 1 << 16;
/** DTCCR: bit 3 starts a dump of the tally counters to the 64-byte-aligned address. */
export const DTCCR_CMD = 1 << 3;

/** Register names for traces: by offset, the widest register starting there. */
export const REGISTER_NAMES: Record<number, string> = {
  0: 'IDR0',
  1: 'IDR1',
  2: 'IDR2',
  3: 'IDR3',
  4: 'IDR4',
  5: 'IDR5',
  8: 'MAR0',
  12: 'MAR4',
  16: 'TSD0',
  20: 'TSD1',
  24: 'TSD2',
  28: 'TSD3',
  32: 'TSAD0',
  36: 'TSAD1',
  40: 'TSAD2',
  44: 'TSAD3',
  48: 'RBSTART',
  52: 'ERBCR',
  54: 'ERSR',
  55: 'CR',
  56: 'CAPR',
  58: 'CBR',
  60: 'IMR',
  62: 'ISR',
  64: 'TCR',
  68: 'RCR',
  72: 'TCTR',
  76: 'MPC',
  80: '9346CR',
  81: 'CONFIG0',
  82: 'CONFIG1',
  84: 'TimerInt',
  88: 'MSR',
  89: 'CONFIG3',
  90: 'CONFIG4',
  91: 'HltClk',
  92: 'MULINT',
  94: 'RERID',
  96: 'TSAD',
  98: 'BMCR',
  100: 'BMSR',
  102: 'ANAR',
  104: 'ANLPAR',
  106: 'ANER',
  108: 'DIS',
  110: 'FCSC',
  112: 'NWAYTR',
  114: 'REC',
  116: 'CSCR',
  120: 'PHY1_PARM',
  124: 'TW_PARM',
  128: 'PHY2_PARM',
  216: 'CONFIG5',
  217: 'TPPoll',
  218: 'RxMaxSize',
  224: 'CPCR',
  226: 'IntrMitigate',
  228: 'RDSAR',
  232: 'RDSAR_HI',
  236: 'ETTHR',
};
