import {
  type Cpu,
  type DeviceContext,
  definePlugin,
  MAX_INITRD_BYTES,
  MAX_KERNEL_BYTES,
  Tokens,
} from '@plugboard/core';
import { parseBzImage } from './bzimage.js';
import { LinuxBootError } from './errors.js';
import { loadKernel, type PreparedKernel, prepareKernel } from './load.js';
import { decompressKernel } from './payload.js';
import { missingChipset, setUpPlatform } from './platform/setup.js';

export interface LinuxDirectConfig {
  kernel: string;
  initrd?: string;
  append: string;
}

export interface LinuxDirectDevice {
  readonly kernel: PreparedKernel;
  /** How the kernel is entered: its decompressed vmlinux, or the compressed kernel's own entry (and why). */
  readonly mode: string;
  realize(): void;
  info(): string;
}

const hex = (v: number) => `0x${v.toString(16)}`;

export const linuxDirectPlugin = definePlugin<LinuxDirectConfig, LinuxDirectDevice>({
  meta: { id: 'linux-direct', name: 'Built-in Linux loader and platform set-up (no BIOS)' },
  kind: 'firmware',
  configSchema: {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    additionalProperties: false,
    required: ['kernel'],
    properties: {
      kernel: { type: 'string', minLength: 1, description: 'A bzImage (Linux x86 boot protocol 2.02+).' },
      initrd: { type: 'string', minLength: 1, description: 'Its initial ramdisk.' },
      append: { type: 'string', default: '', description: 'Its command line.' },
    },
  },
  async create(ctx: DeviceContext, config) {
    const kernelFile = ctx.resolvePath(config.kernel);
    const initrdFile = config.initrd ? ctx.resolvePath(config.initrd) : undefined;
    const image = parseBzImage(
      await ctx.readFile(kernelFile, 'a Linux kernel', MAX_KERNEL_BYTES),
      kernelFile,
    );
    const unpacked = await decompressKernel(image, kernelFile);
    const vmlinux = 'elf' in unpacked ? unpacked.elf : null;
    const mode =
      'elf' in unpacked
        ? 'vmlinux decompressed on the host'
        : `compressed kernel at code32_start (${unpacked.reason})`;
    if (!vmlinux) ctx.log(`${kernelFile}: entering the ${mode}`);
    const kernel = prepareKernel(
      image,
      vmlinux,
      initrdFile ? await ctx.readFile(initrdFile, 'an initrd', MAX_INITRD_BYTES) : null,
      config.append,
      Math.min(ctx.memory.ramSize, 2 ** 32),
      { kernel: kernelFile, initrd: initrdFile },
    );

    const boot = (cpu: Cpu) => {
      const acpi = setUpPlatform(ctx.pci, ctx.ports, ctx.memory);
      cpu.startProtectedMode(loadKernel(ctx.memory, kernel, acpi));
    };

    return {
      kernel,
      mode,
      // It acts at reset only: what it set up is in RAM, the CPU and the chipset.
      vmstate: null,
      realize() {
        const missing = missingChipset(ctx.pci);
        if (missing.length)
          throw new LinuxBootError(
            `/devices/${ctx.id}: linux-direct sets up the PC chipset; missing ${missing.join(', ')}`,
          );
        if (!ctx.container.isBound(Tokens.Cpu))
          throw new LinuxBootError(`/devices/${ctx.id}: the machine has no CPU`);
        const cpu = ctx.container.get<Cpu>(Tokens.Cpu);
        // Once now, so a machine whose BARs do not fit fails at build time rather than at a guest's reset.
        setUpPlatform(ctx.pci, ctx.ports, ctx.memory);
        // After every device's own reset, so the set-up is what the kernel finds.
        ctx.hooks.reset.tap(`${ctx.id} linux-direct`, () => boot(cpu));
      },
      info: () =>
        `${kernelFile}: ${mode}, entry ${hex(kernel.entry)}` +
        (kernel.initrd ? `; initrd ${kernel.initrd.length} bytes at ${hex(kernel.initrdAddress)}` : ''),
    };
  },
});
