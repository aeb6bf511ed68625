// The seed's network boot (SeaBIOS, the NIC's iPXE ROM, DHCP and TFTP through
// slirp, the NBP of test/integration/pxe.test.ts, which powers off) with the
// clock's fast-forward on: process CPU time, instructions, virtual time and
// how much of it was skipped. Without fast-forward the same boot is some 16
// billion instructions (iPXE's ProxyDHCP and IPv6 waits); with
// BENCH_FF_OFF_LIMIT=N the bench also runs it without, for N instructions, to
// show the rate at which that costs CPU.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRegistry } from '@plugboard/cli';
import { buildMachine, loadProfile } from '@plugboard/core';
import { firmwareCacheDir, SYSTEM_FIRMWARE_DIRS } from '@plugboard/firmware';

const root = join(import.meta.dirname, '..');
const tftp = mkdtempSync(join(tmpdir(), 'plugboard-bench-tftp-'));
execFileSync('nasm', ['-f', 'bin', '-o', join(tftp, 'plugboard.0'), join(root, 'test/integration/nbp.asm')]);

async function boot(nic, romfile, fastForward, maxInstructions) {
  const profile = loadProfile(join(root, 'machines/puredarwin-xmas.json'), [
    {
      clock: { fastForward },
      netdevs: { net0: { type: 'slirp', config: { tftp, bootfile: 'plugboard.0' } } },
      devices: {
        bios: { config: { boot: 'n' } },
        nic: { type: nic, config: { netdev: 'net0', romfile } },
        com1: { config: { backend: { type: 'memory' } } },
        'fw-cfg': { config: { sercon: true } },
      },
    },
  ]);
  const machine = await buildMachine(profile, await createRegistry(), {
    firmwareDirs: [firmwareCacheDir(), ...SYSTEM_FIRMWARE_DIRS],
  });
  const start = process.cpuUsage();
  const event = await machine.run({ maxInstructions });
  const cpu = process.cpuUsage(start);
  const result = {
    reason: event.reason,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    instructions: machine.cpu.instructionCount,
    virtualSeconds: machine.clock.now / 1e9,
    skippedSeconds: machine.clock.skipped / 1e9,
  };
  await machine.destroy();
  return result;
}

const show = (label, r) =>
  console.log(
    `${label}: ${r.reason}, ${r.cpuSeconds.toFixed(1)} s CPU, ${(r.instructions / 1e6).toFixed(1)}M instructions, ` +
      `${r.virtualSeconds.toFixed(2)} s virtual (${r.skippedSeconds.toFixed(2)} s skipped)`,
  );

for (const [nic, romfile] of [
  ['rtl8139', 'efi-rtl8139.rom'],
  ['i82557b', 'pxe-eepro100.rom'],
]) {
  show(`network boot, ${nic}, fast-forward`, await boot(nic, romfile, true, 500_000_000));
}
const offLimit = Number(process.env.BENCH_FF_OFF_LIMIT ?? 0);
if (offLimit > 0)
  show('network boot, rtl8139, no fast-forward', await boot('rtl8139', 'efi-rtl8139.rom', false, offLimit));
