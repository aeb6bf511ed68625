/**
 * The subsystem IDs QEMU gives every PCI function that does not set its own
 * (Red Hat, "QEMU virtual machine"). Firmware reads them from 00:00.0 to tell
 * it runs on QEMU's board: SeaBIOS then moves the ACPI PM block to 0x600 and
 * trusts fw_cfg, exactly as on QEMU.
 */
export const QEMU_SUBSYSTEM = { subsystemVendorId: 0x1af4, subsystemId: 0x1100 } as const;
