/** fw_cfg item keys, as QEMU's include/standard-headers/linux/qemu_fw_cfg.h names them (FW_CFG_*). */
export const FwCfgKey = {
  SIGNATURE: 0x00,
  ID: 0x01,
  UUID: 0x02,
  RAM_SIZE: 0x03,
  NOGRAPHIC: 0x04,
  NB_CPUS: 0x05,
  MACHINE_ID: 0x06,
  KERNEL_ADDR: 0x07,
  KERNEL_SIZE: 0x08,
  KERNEL_CMDLINE: 0x09,
  INITRD_ADDR: 0x0a,
  INITRD_SIZE: 0x0b,
  BOOT_DEVICE: 0x0c,
  NUMA: 0x0d,
  BOOT_MENU: 0x0e,
  MAX_CPUS: 0x0f,
  KERNEL_ENTRY: 0x10,
  KERNEL_DATA: 0x11,
  INITRD_DATA: 0x12,
  CMDLINE_ADDR: 0x13,
  CMDLINE_SIZE: 0x14,
  CMDLINE_DATA: 0x15,
  SETUP_ADDR: 0x16,
  SETUP_SIZE: 0x17,
  SETUP_DATA: 0x18,
  FILE_DIR: 0x19,
  FILE_FIRST: 0x20,
  /** Selector bit: the item is written, not read. */
  WRITE_CHANNEL: 0x4000,
  /** Selector bit: an architecture-specific item (the x86 ones below). */
  ARCH_LOCAL: 0x8000,
  ACPI_TABLES: 0x8000,
  SMBIOS_ENTRIES: 0x8001,
  IRQ0_OVERRIDE: 0x8002,
  E820_TABLE: 0x8003,
  HPET: 0x8004,
} as const;

/** Bits of FW_CFG_ID. */
export const FW_CFG_VERSION = 0x01;
export const FW_CFG_VERSION_DMA = 0x02;

/** Bits of FWCfgDmaAccess.control. */
export const FW_CFG_DMA_CTL_ERROR = 0x01;
export const FW_CFG_DMA_CTL_READ = 0x02;
export const FW_CFG_DMA_CTL_SKIP = 0x04;
export const FW_CFG_DMA_CTL_SELECT = 0x08;
export const FW_CFG_DMA_CTL_WRITE = 0x10;

/** What a read of the DMA address register returns: "QEMU CFG". */
export const FW_CFG_DMA_SIGNATURE = new TextEncoder().encode('QEMU CFG');

/** Length of a file name in the directory (FWCfgFile.name), NUL included. */
export const FW_CFG_MAX_FILE_PATH = 56;

/** Item numbers below 0x4000 per space (the selector's low 14 bits). */
export const FW_CFG_ENTRY_COUNT = 0x4000;
