import type { CmosService, DiskGeometry } from '@plugboard/core';
import {
  CMOS_BASE_MEMORY_HI,
  CMOS_BASE_MEMORY_LO,
  CMOS_BOOT_FLAGS_1,
  CMOS_BOOT_FLAGS_2,
  CMOS_DISK_TYPES,
  CMOS_DISK0_EXT_TYPE,
  CMOS_DISK0_PARAMS,
  CMOS_DISK1_EXT_TYPE,
  CMOS_DISK1_PARAMS,
  CMOS_EQUIPMENT,
  CMOS_EXT_MEMORY_HI,
  CMOS_EXT_MEMORY_LO,
  CMOS_EXT_MEMORY2_HI,
  CMOS_EXT_MEMORY2_LO,
  CMOS_FLOPPY_TYPES,
  CMOS_MEM_ABOVE_4G,
  CMOS_MEM_ABOVE_16M_HI,
  CMOS_MEM_ABOVE_16M_LO,
  CMOS_SIZE,
  CMOS_SMP_COUNT,
  RTC_REG_D,
} from './registers.js';

const KiB = 1024;
const MiB = 1024 * KiB;

export class Cmos implements CmosService {
  constructor(private readonly bytes: Uint8Array) {}

  get(index: number): number {
    checkIndex(index);
    return this.bytes[index];
  }

  set(index: number, value: number): void {
    checkIndex(index);
    if (index <= RTC_REG_D) throw new RangeError(`CMOS index 0x${index.toString(16)} is an RTC register`);
    this.bytes[index] = value;
  }

  setBootOrder(order: string): void {
    if (!/^[acdn]{0,3}$/.test(order))
      throw new RangeError(`boot order "${order}" is not up to three of a, c, d, n`);
    writeBootOrder(this.bytes, order, (this.bytes[CMOS_BOOT_FLAGS_2] & 1) === 0);
  }

  setHardDisk(unit: 0 | 1, geometry: DiskGeometry | null): void {
    const nibble = unit === 0 ? 0xf0 : 0x0f;
    const typeAt = unit === 0 ? CMOS_DISK0_EXT_TYPE : CMOS_DISK1_EXT_TYPE;
    const at = unit === 0 ? CMOS_DISK0_PARAMS : CMOS_DISK1_PARAMS;
    const b = this.bytes;
    if (geometry === null) {
      b[CMOS_DISK_TYPES] &= ~nibble;
      b[typeAt] = 0;
      b.fill(0, at, at + 9);
      return;
    }
    const { cylinders, heads, sectors } = geometry;
    // Type 15 in the nibble says "see the extended type", 47 there says "user-defined, parameters follow".
    b[CMOS_DISK_TYPES] |= nibble;
    b[typeAt] = 47;
    b[at] = cylinders;
    b[at + 1] = cylinders >> 8;
    b[at + 2] = heads;
    b[at + 3] = 0xff;
    b[at + 4] = 0xff;
    b[at + 5] = 0xc0 | (heads > 8 ? 0x08 : 0);
    b[at + 6] = cylinders;
    b[at + 7] = cylinders >> 8;
    b[at + 8] = sectors;
  }
}

function checkIndex(index: number): void {
  if (!Number.isInteger(index) || index < 0 || index >= CMOS_SIZE)
    throw new RangeError(`CMOS index ${index} is outside 0-127`);
}

/** Boot device letters as QEMU's -boot order spells them, to the nibbles SeaBIOS reads. */
const BOOT_NIBBLE: Record<string, number> = { a: 1, c: 2, d: 3, n: 4 };

export interface PcCmosOptions {
  ramBytes: number;
  cpus: number;
  /** QEMU -boot order: up to three of a, c, d, n. */
  boot: string;
  /** Whether the BIOS checks the floppy boot signature (0x38 bit 0 clear). */
  fdBootCheck: boolean;
}

/** The CMOS bytes QEMU's pc_cmos_init writes (memory sizes, equipment, CPUs, boot order); no floppy drives. */
export function initPcCmos(cmos: Uint8Array, o: PcCmosOptions): void {
  const below4g = Math.min(o.ramBytes, 0xe0000000);
  const above4g = o.ramBytes - below4g;
  const base = Math.min(below4g / KiB, 640);
  cmos[CMOS_BASE_MEMORY_LO] = base;
  cmos[CMOS_BASE_MEMORY_HI] = base >> 8;
  const ext = Math.min(below4g > MiB ? (below4g - MiB) / KiB : 0, 65535);
  cmos[CMOS_EXT_MEMORY_LO] = cmos[CMOS_EXT_MEMORY2_LO] = ext;
  cmos[CMOS_EXT_MEMORY_HI] = cmos[CMOS_EXT_MEMORY2_HI] = ext >> 8;
  const above16m = Math.min(below4g > 16 * MiB ? Math.floor((below4g - 16 * MiB) / (64 * KiB)) : 0, 65535);
  cmos[CMOS_MEM_ABOVE_16M_LO] = above16m;
  cmos[CMOS_MEM_ABOVE_16M_HI] = above16m >> 8;
  const high = Math.floor(above4g / (64 * KiB));
  cmos[CMOS_MEM_ABOVE_4G] = high;
  cmos[CMOS_MEM_ABOVE_4G + 1] = high >>> 8;
  cmos[CMOS_MEM_ABOVE_4G + 2] = high >>> 16;
  cmos[CMOS_FLOPPY_TYPES] = 0;
  // Equipment: no floppy drives, a math coprocessor (bit 1), a PS/2 mouse (bit 2).
  cmos[CMOS_EQUIPMENT] = 0x06;
  cmos[CMOS_SMP_COUNT] = o.cpus - 1;
  writeBootOrder(cmos, o.boot, o.fdBootCheck);
}

/** QEMU's set_boot_dev: first two devices in 0x3d, the third in 0x38's high nibble, bit 0 skips the floppy check. */
function writeBootOrder(cmos: Uint8Array, order: string, fdBootCheck: boolean): void {
  const nibble = (i: number) => BOOT_NIBBLE[order[i] ?? ''] ?? 0;
  cmos[CMOS_BOOT_FLAGS_1] = (nibble(1) << 4) | nibble(0);
  cmos[CMOS_BOOT_FLAGS_2] = (nibble(2) << 4) | (fdBootCheck ? 0 : 1);
}
