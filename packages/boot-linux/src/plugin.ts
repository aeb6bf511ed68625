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
  /** Null until the first reset needed it (`prepareReset`): a restored machine may never decompress it. */
  readonly kernel: PreparedKernel | null;
  /** How the kernel is entered: its decompressed vmlinux, or the compressed kernel's own entry (and why). */
  readonly mode: string;
  prepareReset(): Promise<void>;
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
    // The files are read now, so a missing one fails the build (a restore's too).
    const image = parseBzImage(
      await ctx.readFile(kernelFile, 'a Linux kernel', MAX_KERNEL_BYTES),
      kernelFile,
    );
    const initrd = initrdFile ? await ctx.readFile(initrdFile, 'an initrd', MAX_INITRD_BYTES) : null;

    let kernel: PreparedKernel | null = null;
    let mode = 'not decompressed: no reset has needed the kernel yet';
    // Decompressing the payload is most of a second of CPU for the test guest: left to the first
    // reset, which a machine restored from a snapshot does not make until its guest reboots.
    const prepare = async () => {
      const unpacked = await decompressKernel(image, kernelFile);
      const vmlinux = 'elf' in unpacked ? unpacked.elf : null;
      mode =
        'elf' in unpacked
          ? 'vmlinux decompressed on the host'
          : `compressed kernel at code32_start (${unpacked.reason})`;
      if (!vmlinux) ctx.log(`${kernelFile}: entering the ${mode}`);
      kernel = prepareKernel(image, vmlinux, initrd, config.append, Math.min(ctx.memory.ramSize, 2 ** 32), {
        kernel: kernelFile,
        initrd: initrdFile,
      });
    };
    let preparing: Promise<void> | null = null;

    const boot = (cpu: Cpu) => {
      if (!kernel)
        throw new LinuxBootError(
          `/devices/${ctx.id}: a reset before the kernel was prepared (await the machine's prepareReset() first)`,
        );
      const acpi = setUpPlatform(ctx.pci, ctx.ports, ctx.memory);
      cpu.startProtectedMode(loadKernel(ctx.memory, kernel, acpi));
    };

    return {
      get kernel() {
        return kernel;
      },
      get mode() {
        return mode;
      },
      // It acts at reset only: what it set up is in RAM, the CPU and the chipset.
      vmstate: null,
      prepareReset() {
        preparing ??= prepare();
        return preparing;
      },
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
        kernel
          ? `${kernelFile}: ${mode}, entry ${hex(kernel.entry)}` +
            (kernel.initrd ? `; initrd ${kernel.initrd.length} bytes at ${hex(kernel.initrdAddress)}` : '')
          : `${kernelFile}: ${mode}`,
    };
  },
});
