import type { PhysicalMemory, ProtectedModeStart } from '@plugboard/core';
import { layOutAcpi } from './acpi/layout.js';
import type { AcpiPlatform } from './acpi/platform.js';
import { buildBootParams } from './boot-params.js';
import type { BzImage } from './bzimage.js';
import type { ElfImage } from './elf.js';
import { LinuxBootError } from './errors.js';
import { BOOT_CS, BOOT_DS, bootGdt, e820Map, LAYOUT } from './layout.js';

/** A kernel ready to be put into RAM at every reset. */
export interface PreparedKernel {
  image: BzImage;
  /** The decompressed vmlinux, or null to enter the compressed kernel at code32_start. */
  vmlinux: ElfImage | null;
  initrd: Uint8Array | null;
  /** The command line, NUL-terminated. */
  cmdline: Uint8Array;
  initrdAddress: number;
  entry: number;
}

/**
 * Checks that the kernel, initrd and command line fit the machine and picks
 * the initrd's place: page-aligned, as high as initrd_addr_max and RAM allow,
 * above the kernel's run-time image.
 */
export function prepareKernel(
  image: BzImage,
  vmlinux: ElfImage | null,
  initrd: Uint8Array | null,
  append: string,
  ramSize: number,
  files: { kernel: string; initrd?: string },
): PreparedKernel {
  const text = new TextEncoder().encode(append);
  if (text.length > image.cmdlineSize)
    throw new LinuxBootError(
      `${files.kernel}: the command line's ${text.length} bytes exceed the kernel's cmdline_size ${image.cmdlineSize}`,
    );
  const cmdline = new Uint8Array(text.length + 1);
  cmdline.set(text);

  let kernelEnd: number;
  if (vmlinux) {
    for (const s of vmlinux.segments) {
      if (s.physical < LAYOUT.HIGH_MEMORY || s.physical + s.memorySize > ramSize)
        throw new LinuxBootError(
          `${files.kernel}: a vmlinux segment at 0x${s.physical.toString(16)}+0x${s.memorySize.toString(16)} lies outside RAM above 1 MiB`,
        );
    }
    kernelEnd = Math.max(...vmlinux.segments.map((s) => s.physical + s.memorySize));
  } else {
    // The decompressor runs where it was loaded and unpacks to pref_address, needing init_size there.
    kernelEnd = Math.max(
      image.code32Start + image.body.length,
      (image.prefAddress ?? 0) + (image.initSize ?? 0),
    );
    if (kernelEnd > ramSize)
      throw new LinuxBootError(`${files.kernel}: the kernel needs RAM up to 0x${kernelEnd.toString(16)}`);
  }

  let initrdAddress = 0;
  if (initrd) {
    const top = Math.min(image.initrdAddrMax + 1, ramSize);
    initrdAddress = Math.floor((top - initrd.length) / 4096) * 4096;
    if (initrdAddress < kernelEnd)
      throw new LinuxBootError(
        `${files.initrd ?? 'initrd'}: ${initrd.length} bytes do not fit between the kernel's end 0x${kernelEnd.toString(16)} and 0x${top.toString(16)}`,
      );
  }
  return {
    image,
    vmlinux,
    initrd,
    cmdline,
    initrdAddress,
    entry: vmlinux ? vmlinux.entry : image.code32Start,
  };
}

function put(memory: PhysicalMemory, address: number, bytes: Uint8Array): void {
  if (address < 0 || address + bytes.length > memory.ramSize)
    throw new RangeError(`0x${address.toString(16)}+${bytes.length} lies outside RAM`);
  memory.ram.set(bytes, address);
}

/**
 * Writes everything the kernel finds at its 32-bit entry into RAM: the BDA
 * fields and EBDA, the GDT, the ACPI tables, the command line, the zero
 * page, the kernel (its PT_LOAD segments with their BSS zeroed, or the
 * compressed body at code32_start) and the initrd. Returns the CPU state of
 * the hand-over: flat segments, ESI = boot_params, the rest zero.
 */
export function loadKernel(
  memory: PhysicalMemory,
  k: PreparedKernel,
  acpi: AcpiPlatform,
): ProtectedModeStart {
  const ram = memory.ram;
  const view = new DataView(ram.buffer, ram.byteOffset, ram.byteLength);
  ram.fill(0, 0x400, 0x500);
  view.setUint16(LAYOUT.BDA_EBDA_SEGMENT, LAYOUT.EBDA >>> 4, true);
  view.setUint16(LAYOUT.BDA_BASE_MEMORY_KIB, LAYOUT.EBDA / 1024, true);
  ram.fill(0, LAYOUT.EBDA, 0xa0000);
  ram[LAYOUT.EBDA] = (0xa0000 - LAYOUT.EBDA) / 1024; // EBDA size in KiB

  const gdt = bootGdt();
  put(memory, LAYOUT.GDT, gdt);

  ram.fill(0, LAYOUT.BIOS_AREA, LAYOUT.BIOS_AREA_END);
  for (const t of layOutAcpi(acpi, LAYOUT.BIOS_AREA).tables) put(memory, t.address, t.bytes);

  put(memory, LAYOUT.CMDLINE, k.cmdline);
  const e820 = e820Map(memory.ramSize);
  put(
    memory,
    LAYOUT.BOOT_PARAMS,
    buildBootParams({
      kernel: k.image,
      e820,
      ramSize: memory.ramSize,
      cmdlineAddress: LAYOUT.CMDLINE,
      initrd: k.initrd ? { address: k.initrdAddress, size: k.initrd.length } : null,
    }),
  );

  if (k.vmlinux) {
    for (const s of k.vmlinux.segments) {
      put(memory, s.physical, s.data);
      ram.fill(0, s.physical + s.data.length, s.physical + s.memorySize);
    }
  } else {
    put(memory, k.image.code32Start, k.image.body);
  }
  if (k.initrd) put(memory, k.initrdAddress, k.initrd);

  return {
    eip: k.entry,
    gdtBase: LAYOUT.GDT,
    gdtLimit: gdt.length - 1,
    codeSelector: BOOT_CS,
    dataSelector: BOOT_DS,
    registers: { esi: LAYOUT.BOOT_PARAMS },
  };
}
