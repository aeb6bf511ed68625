import type { AcpiPlatform } from './platform.js';
import { HEADER_SIZE, table } from './table.js';

/** ACPI 1.0 FADT: 116 bytes in all. */
const FADT_REV1_BODY = 116 - HEADER_SIZE;

/** Flags (ACPI 6.5 table 5.10): WBINVD, PROC_C1, SLP_BUTTON, RTC_S4, USE_PLATFORM_CLOCK; TMR_VAL_EXT clear (24-bit timer). */
const FLAGS = (1 << 0) | (1 << 2) | (1 << 5) | (1 << 7) | (1 << 15);
/** C2/C3 latencies over 100 and 1000 us: those states are not supported. */
const C2_UNSUPPORTED = 0x0fff;
const C3_UNSUPPORTED = 0x0fff;
/** The CMOS index of the century, as QEMU's RTC keeps it. */
const RTC_CENTURY = 0x32;

/**
 * The Fixed ACPI Description Table, revision 1 (the layout QEMU gives the
 * PIIX4): the PM1a event and control blocks and the PM timer of the PIIX4
 * PM function, GPE0, the SCI and the APM port that switches SCI_EN.
 */
export function buildFadt(p: AcpiPlatform, facsAddress: number, dsdtAddress: number): Uint8Array {
  const body = new Uint8Array(FADT_REV1_BODY);
  const v = new DataView(body.buffer);
  const at = (offset: number) => offset - HEADER_SIZE;
  v.setUint32(at(36), facsAddress, true); // FIRMWARE_CTRL
  v.setUint32(at(40), dsdtAddress, true); // DSDT
  body[at(44)] = 1; // INT_MODEL (ACPI 1.0): APIC model available
  v.setUint16(at(46), p.sciIrq, true); // SCI_INT
  v.setUint32(at(48), p.smiCommand, true); // SMI_CMD
  body[at(52)] = p.acpiEnable;
  body[at(53)] = p.acpiDisable;
  v.setUint32(at(56), p.pmBase, true); // PM1a_EVT_BLK
  v.setUint32(at(64), p.pmBase + 4, true); // PM1a_CNT_BLK
  v.setUint32(at(76), p.pmBase + 8, true); // PM_TMR_BLK
  v.setUint32(at(80), p.gpe0Base, true); // GPE0_BLK
  body[at(88)] = 4; // PM1_EVT_LEN
  body[at(89)] = 2; // PM1_CNT_LEN
  body[at(91)] = 4; // PM_TMR_LEN
  body[at(92)] = p.gpe0Length; // GPE0_BLK_LEN
  v.setUint16(at(96), C2_UNSUPPORTED, true); // P_LVL2_LAT
  v.setUint16(at(98), C3_UNSUPPORTED, true); // P_LVL3_LAT
  body[at(108)] = RTC_CENTURY;
  v.setUint32(at(112), FLAGS, true);
  return table('FACP', 1, body);
}
