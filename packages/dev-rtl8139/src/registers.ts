import { defineRegisters } from '@plugboard/core';

/**
 * RTL8139C(L)+ registers, named as the Realtek datasheet names them. Offsets
 * are from the start of the I/O (BAR0) or memory (BAR1) window; both map the
 * same 256 bytes. The register table at the end is the one source of the
 * offsets, reset values, write masks and trace names.
 */

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

/** ISR and IMR share their bits. */
const ISR_BITS = {
  ROK: ISR_ROK,
  RER: ISR_RER,
  TOK: ISR_TOK,
  TER: ISR_TER,
  RXOVW: ISR_RXOVW,
  'PUN/LinkChg': ISR_PUN_LINKCHG,
  FOVW: ISR_FOVW,
  TDU: ISR_TDU,
  SWInt: ISR_SWINT,
  LenChg: ISR_LENCHG,
  TimeOut: ISR_TIMEOUT,
  SERR: ISR_SERR,
};

/**
 * The register window of one model: the RTL8139C+ and RTL8139C differ in
 * their reset values only (TCR's hardware version, RERID). `softReset` marks
 * what CR.RST puts back; read-only registers have `writable: 0`; the CONFIG
 * registers are `locked` unless 9346CR selects config-write mode.
 */
function registerTable(cplus: boolean) {
  return defineRegisters([
    { name: 'IDR0', offset: 0x00, width: 1, count: 6 },
    { name: 'MAR0', offset: 0x08, width: 1, count: 8 },
    {
      name: 'TSD0',
      offset: 0x10,
      width: 4,
      count: 4,
      reset: TSD_OWN | TSD_TABT,
      softReset: true,
      bits: { OWN: TSD_OWN, TUN: TSD_TUN, TOK: TSD_TOK, TABT: TSD_TABT },
    },
    { name: 'TSAD0', offset: 0x20, width: 4, count: 4, softReset: true },
    { name: 'RBSTART', offset: 0x30, width: 4 },
    { name: 'ERBCR', offset: 0x34, width: 2 },
    { name: 'ERSR', offset: 0x36, width: 1, writable: 0 },
    {
      name: 'CR',
      offset: 0x37,
      width: 1,
      reset: CR_BUFE,
      softReset: true,
      bits: { RST: CR_RST, RE: CR_RE, TE: CR_TE, BUFE: CR_BUFE },
    },
    { name: 'CAPR', offset: 0x38, width: 2, reset: 0xfff0, softReset: true },
    { name: 'CBR', offset: 0x3a, width: 2, writable: 0, softReset: true },
    { name: 'IMR', offset: 0x3c, width: 2, softReset: true, bits: ISR_BITS },
    { name: 'ISR', offset: 0x3e, width: 2, writable: 0, w1c: 0xffff, softReset: true, bits: ISR_BITS },
    {
      name: 'TCR',
      offset: 0x40,
      width: 4,
      reset: cplus ? TCR_HWVERID_8139CPLUS : TCR_HWVERID_8139C,
      writable: TCR_WRITABLE,
      softReset: true,
    },
    {
      name: 'RCR',
      offset: 0x44,
      width: 4,
      softReset: true,
      bits: { AAP: RCR_AAP, APM: RCR_APM, AM: RCR_AM, AB: RCR_AB, AR: RCR_AR, AER: RCR_AER, WRAP: RCR_WRAP },
    },
    { name: 'TCTR', offset: 0x48, width: 4 },
    { name: 'MPC', offset: 0x4c, width: 4 },
    { name: '9346CR', key: 'CR9346', offset: 0x50, width: 1 },
    { name: 'CONFIG0', offset: 0x51, width: 1, writable: 0 },
    // IOMAP | MEMMAP: both BARs decode.
    { name: 'CONFIG1', offset: 0x52, width: 1, reset: 0x0c, locked: true },
    { name: 'TimerInt', offset: 0x54, width: 4 },
    { name: 'MSR', offset: 0x58, width: 1, writable: 0 },
    { name: 'CONFIG3', offset: 0x59, width: 1, locked: true },
    { name: 'CONFIG4', offset: 0x5a, width: 1, locked: true },
    { name: 'HltClk', offset: 0x5b, width: 1 },
    { name: 'MULINT', offset: 0x5c, width: 2 },
    { name: 'RERID', offset: 0x5e, width: 1, reset: cplus ? 0x20 : 0x10, writable: 0 },
    { name: 'TSAD', offset: 0x60, width: 2, writable: 0 },
    { name: 'BMCR', offset: 0x62, width: 2, reset: BMCR_ANE | BMCR_SPD100 | BMCR_DUPLEX },
    { name: 'BMSR', offset: 0x64, width: 2, writable: 0 },
    { name: 'ANAR', offset: 0x66, width: 2, reset: 0x05e1 },
    { name: 'ANLPAR', offset: 0x68, width: 2, reset: 0x45e1, writable: 0 },
    { name: 'ANER', offset: 0x6a, width: 2, reset: 0x0001, writable: 0 },
    { name: 'DIS', offset: 0x6c, width: 2 },
    { name: 'FCSC', offset: 0x6e, width: 2 },
    { name: 'NWAYTR', offset: 0x70, width: 2 },
    { name: 'REC', offset: 0x72, width: 2 },
    { name: 'CSCR', offset: 0x74, width: 2, reset: 0x0720 },
    { name: 'PHY1_PARM', offset: 0x78, width: 4 },
    { name: 'TW_PARM', offset: 0x7c, width: 4 },
    { name: 'PHY2_PARM', offset: 0x80, width: 1 },
    { name: 'CONFIG5', offset: 0xd8, width: 1, locked: true },
    {
      name: 'TPPoll',
      offset: 0xd9,
      width: 1,
      softReset: true,
      bits: { HPQ: TPPoll_HPQ, NPQ: TPPoll_NPQ, FSWInt: TPPoll_FSWInt },
    },
    /**
     * The RTL8169's Rx packet maximum size. The RTL8139 has nothing here (reads 0,
     * writes ignored): iPXE's realtek driver tells an RTL8169 by this reading back.
     */
    { name: 'RxMaxSize', offset: 0xda, width: 2, writable: 0 },
    {
      name: 'CPCR',
      offset: 0xe0,
      width: 2,
      softReset: true,
      bits: {
        CPTxE: CPCR_CPTxE,
        CPRxE: CPCR_CPRxE,
        MulRW: CPCR_MulRW,
        DAC: CPCR_DAC,
        RxChkSum: CPCR_RxChkSum,
        RxVLAN: CPCR_RxVLAN,
      },
    },
    { name: 'IntrMitigate', offset: 0xe2, width: 2 },
    /** Receive Descriptor Start Address (64-bit), C+ mode. */
    { name: 'RDSAR', offset: 0xe4, width: 4, softReset: true },
    { name: 'RDSAR_HI', offset: 0xe8, width: 4, softReset: true },
    { name: 'ETTHR', offset: 0xec, width: 1 },
    // C+ mode names over C mode registers.
    /** Dump Tally Counter Command (64-bit), over TSD0/TSD1. */
    { name: 'DTCCR', offset: 0x10, width: 8, overlay: true },
    /** Transmit Normal Priority Descriptors Start Address (64-bit), over TSAD0/TSAD1. */
    { name: 'TNPDS', offset: 0x20, width: 8, overlay: true },
    /** Transmit High Priority Descriptors Start Address (64-bit), over TSAD2/TSAD3. */
    { name: 'THPDS', offset: 0x28, width: 8, overlay: true },
  ]);
}

export const REGISTERS_CPLUS = registerTable(true);
export const REGISTERS_C = registerTable(false);

export const {
  IDR0,
  MAR0,
  TSD0,
  TSAD0,
  RBSTART,
  ERBCR,
  ERSR,
  CR,
  CAPR,
  CBR,
  IMR,
  ISR,
  TCR,
  RCR,
  TCTR,
  MPC,
  CR9346,
  CONFIG0,
  CONFIG1,
  TimerInt,
  MSR,
  CONFIG3,
  CONFIG4,
  HltClk,
  MULINT,
  RERID,
  TSAD,
  BMCR,
  BMSR,
  ANAR,
  ANLPAR,
  ANER,
  DIS,
  FCSC,
  NWAYTR,
  REC,
  CSCR,
  PHY1_PARM,
  TW_PARM,
  PHY2_PARM,
  CONFIG5,
  TPPoll,
  RxMaxSize,
  CPCR,
  IntrMitigate,
  RDSAR,
  RDSAR_HI,
  ETTHR,
  DTCCR,
  TNPDS,
  THPDS,
} = REGISTERS_CPLUS.offsets;
