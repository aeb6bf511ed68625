/** MC146818A register indexes (datasheet names), as the PC reaches them through port 0x70. */
export const RTC_SECONDS = 0x00;
export const RTC_SECONDS_ALARM = 0x01;
export const RTC_MINUTES = 0x02;
export const RTC_MINUTES_ALARM = 0x03;
export const RTC_HOURS = 0x04;
export const RTC_HOURS_ALARM = 0x05;
export const RTC_DAY_OF_WEEK = 0x06;
export const RTC_DATE_OF_MONTH = 0x07;
export const RTC_MONTH = 0x08;
export const RTC_YEAR = 0x09;
export const RTC_REG_A = 0x0a;
export const RTC_REG_B = 0x0b;
export const RTC_REG_C = 0x0c;
export const RTC_REG_D = 0x0d;

/** Register A. */
export const REG_A_UIP = 0x80;
export const REG_A_DV_MASK = 0x70;
/** DV2-0 = 010: the 32.768 kHz time base, running. 11x holds the divider in reset. */
export const REG_A_DV_32KHZ = 0x20;
export const REG_A_RS_MASK = 0x0f;

/** Register B. */
export const REG_B_SET = 0x80;
export const REG_B_PIE = 0x40;
export const REG_B_AIE = 0x20;
export const REG_B_UIE = 0x10;
export const REG_B_SQWE = 0x08;
export const REG_B_DM = 0x04;
export const REG_B_24H = 0x02;
export const REG_B_DSE = 0x01;

/** Register C (read-only, cleared by reading). */
export const REG_C_IRQF = 0x80;
export const REG_C_PF = 0x40;
export const REG_C_AF = 0x20;
export const REG_C_UF = 0x10;

/** Register D. */
export const REG_D_VRT = 0x80;

/** An alarm byte with both top bits set matches every value. */
export const ALARM_DONT_CARE = 0xc0;

/** The PC's CMOS bytes (QEMU's pc_cmos_init and the IBM AT layout). */
export const CMOS_FLOPPY_TYPES = 0x10;
export const CMOS_DISK_TYPES = 0x12;
export const CMOS_EQUIPMENT = 0x14;
export const CMOS_BASE_MEMORY_LO = 0x15;
export const CMOS_BASE_MEMORY_HI = 0x16;
export const CMOS_EXT_MEMORY_LO = 0x17;
export const CMOS_EXT_MEMORY_HI = 0x18;
export const CMOS_DISK0_EXT_TYPE = 0x19;
export const CMOS_DISK1_EXT_TYPE = 0x1a;
export const CMOS_DISK0_PARAMS = 0x1b;
export const CMOS_DISK1_PARAMS = 0x24;
export const CMOS_EXT_MEMORY2_LO = 0x30;
export const CMOS_EXT_MEMORY2_HI = 0x31;
export const CMOS_CENTURY = 0x32;
export const CMOS_MEM_ABOVE_16M_LO = 0x34;
export const CMOS_MEM_ABOVE_16M_HI = 0x35;
export const CMOS_BOOT_FLAGS_2 = 0x38;
export const CMOS_BOOT_FLAGS_1 = 0x3d;
export const CMOS_MEM_ABOVE_4G = 0x5b;
export const CMOS_SMP_COUNT = 0x5f;

export const CMOS_SIZE = 128;
