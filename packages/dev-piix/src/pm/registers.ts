import { defineRegisters } from '@plugboard/core';

/** DEVACTB bit 25 (byte 0x5B bit 1): APMC_EN, SMI on writes to 0xB2. */
export const APMC_EN_BYTE = 0x02;
/** PMREGMISC bit 0 / SMBHSTCFG bit 0: the I/O block decodes. */
export const IO_ENABLE = 0x01;

/**
 * PIIX4 function 3 (power management) configuration registers, 82371AB
 * datasheet names; SMBBA's reset value is the machine's (QEMU's pc: 0xB100).
 * CNTA to DEVRESJ (device monitoring and resources) are storage here.
 * SMM does not exist, so DEVACTB's APMC_EN reads as set from reset.
 */
export function piix4PmConfig(smbusBase: number) {
  return defineRegisters([
    { name: 'PMBA', offset: 0x40, width: 4, reset: 0x00000001, writable: 0x0000ffc0 },
    { name: 'CNTA', offset: 0x44, width: 4 },
    { name: 'CNTB', offset: 0x48, width: 4 },
    { name: 'GPICTL', offset: 0x4c, width: 4 },
    { name: 'DEVRESD', offset: 0x50, width: 4 },
    { name: 'DEVACTA', offset: 0x54, width: 4 },
    { name: 'DEVACTB', offset: 0x58, width: 4, reset: APMC_EN_BYTE << 24 },
    { name: 'DEVRESA', offset: 0x5c, width: 4 },
    { name: 'DEVRESB', offset: 0x60, width: 4 },
    { name: 'DEVRESC', offset: 0x64, width: 4 },
    { name: 'DEVRESE', offset: 0x68, width: 4 },
    { name: 'DEVRESF', offset: 0x6c, width: 4 },
    { name: 'DEVRESG', offset: 0x70, width: 4 },
    { name: 'DEVRESH', offset: 0x74, width: 4 },
    { name: 'DEVRESI', offset: 0x78, width: 4 },
    { name: 'DEVRESJ', offset: 0x7c, width: 4 },
    { name: 'PMREGMISC', offset: 0x80, width: 1, writable: IO_ENABLE },
    { name: 'SMBBA', offset: 0x90, width: 4, reset: (smbusBase & 0xfff0) | 1, writable: 0x0000fff0 },
    { name: 'SMBHSTCFG', offset: 0xd2, width: 1, reset: 0x09, writable: 0x0f },
    { name: 'SMBSLVC', offset: 0xd3, width: 1 },
    { name: 'SMBSHDW1', offset: 0xd4, width: 1 },
    { name: 'SMBSHDW2', offset: 0xd5, width: 1 },
    { name: 'SMBREV', offset: 0xd6, width: 1, writable: 0 },
  ]);
}

export const PIIX4_PM = piix4PmConfig(0).offsets;

/** PMSTS and PMEN bits (PMEN uses the same positions). */
export const PMSTS = {
  TMROF_STS: 0x0001,
  BM_STS: 0x0010,
  GBL_STS: 0x0020,
  PWRBTN_STS: 0x0100,
  RTC_STS: 0x0400,
  PWRBTNOR_STS: 0x0800,
  WAK_STS: 0x8000,
} as const;

/** The PMSTS events that raise SCI when enabled in PMEN. */
export const SCI_EVENTS = PMSTS.TMROF_STS | PMSTS.GBL_STS | PMSTS.PWRBTN_STS | PMSTS.RTC_STS;

/** PMCNTRL bits. */
export const PMCNTRL = {
  SCI_EN: 0x0001,
  BRLD_EN_BM: 0x0002,
  GBL_RLS: 0x0004,
  SUS_TYP_SHIFT: 10,
  SUS_TYP_MASK: 0x1c00,
  SUS_EN: 0x2000,
} as const;

/**
 * The power management I/O block (at PMBA), 64 bytes: PM1 status (bits a 1
 * clears), enable and control (GBL_RLS and SUS_EN are commands, never
 * stored), the read-only PM timer; the rest is storage for this model.
 */
export const PM_IO = defineRegisters(
  [
    { name: 'PMSTS', offset: 0x00, width: 2, writable: 0, w1c: 0x8d31 },
    { name: 'PMEN', offset: 0x02, width: 2, writable: 0x0521 },
    {
      name: 'PMCNTRL',
      offset: 0x04,
      width: 2,
      writable: PMCNTRL.SCI_EN | PMCNTRL.BRLD_EN_BM | PMCNTRL.SUS_TYP_MASK,
    },
    { name: 'PMTMR', offset: 0x08, width: 4, writable: 0 },
    { name: 'GPSTS', offset: 0x0c, width: 2, writable: 0, w1c: 0xffff },
    { name: 'GPEN', offset: 0x0e, width: 2 },
    { name: 'PCNTRL', offset: 0x10, width: 4 },
    { name: 'GLBSTS', offset: 0x18, width: 2 },
    { name: 'DEVSTS', offset: 0x1c, width: 4 },
    { name: 'GLBEN', offset: 0x20, width: 2 },
    { name: 'GLBCTL', offset: 0x28, width: 4 },
    { name: 'DEVCTL', offset: 0x2c, width: 4 },
    { name: 'GPIREG', offset: 0x30, width: 4 },
    { name: 'GPOREG', offset: 0x34, width: 4 },
  ],
  { size: 64 },
);
export const PMIO = PM_IO.offsets;
export const PMIO_SIZE = PM_IO.size;

/** SUS_TYP QEMU's \_S5 package names for soft-off. */
export const SUS_TYP_SOFT_OFF = 0;

/** The ACPI PM timer's rate, 3.579545 MHz. */
export const PM_TIMER_HZ = 3_579_545;

/** QEMU's APM ports: APMC (command) and APMS (status). */
export const APM_PORT = 0xb2;
/** ACPI_ENABLE and ACPI_DISABLE, as QEMU's FADT announces them for the SMI_CMD port. */
export const ACPI_ENABLE = 0xf1;
export const ACPI_DISABLE = 0xf0;

/** SMBus host I/O registers (at SMBBA), 16 bytes. */
export const SMB = {
  HSTSTS: 0x0,
  SLVSTS: 0x1,
  HSTCNT: 0x2,
  HSTCMD: 0x3,
  HSTADD: 0x4,
  HSTDAT0: 0x5,
  HSTDAT1: 0x6,
  BLKDAT: 0x7,
  SLVCNT: 0x8,
  SHDWCMD: 0x9,
  SLVEVT: 0xa,
  SLVDAT: 0xc,
} as const;
export const SMB_SIZE = 16;

export const SMBHSTSTS = {
  HOST_BUSY: 0x01,
  INTER: 0x02,
  DEV_ERR: 0x04,
  BUS_ERR: 0x08,
  FAILED: 0x10,
} as const;

export const SMBHSTCNT = {
  INTEREN: 0x01,
  KILL: 0x02,
  START: 0x40,
} as const;

/** SMBHSTCFG bits 3-1: interrupt select, 100b = IRQ9. */
export const SMB_INTRSELECT_IRQ9 = 0x4;
