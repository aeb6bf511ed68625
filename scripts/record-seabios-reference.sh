#!/usr/bin/env bash
# Records SeaBIOS's debug log (port 0x402) on QEMU's `pc` machine with the
# puredarwin-xmas hardware: the reference test/integration/seabios.test.ts
# compares Plugboard's boot against. Needs qemu-system-i386 and qemu-img
# (Debian: qemu-system-x86, qemu-utils) and the firmware cache. Run once;
# the output is checked in as test/fixtures/seabios-pc-qemu.log.
#
# QEMU's pc machine has devices puredarwin-xmas does not (HPET, vmport,
# a parallel port): hpet and vmport are switched off here; the test compares
# only the lines both machines must agree on.
set -euo pipefail
cd "$(dirname "$0")/.."
cache="${PLUGBOARD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/plugboard}/firmware/root"
seabios="$cache/usr/share/seabios"
ipxe="$cache/usr/lib/ipxe/qemu"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# An empty 64 MiB disk, attached as the hard disk and as the CD-ROM, as the seed's
# `-hda x.vmdk -cdrom x.vmdk` does; neither is bootable, so SeaBIOS tries every device.
qemu-img create -q -f vmdk "$work/disk.vmdk" 64M
mkdir -p "$work/roms"
cp "$seabios"/*.bin "$ipxe"/efi-rtl8139.rom "$work/roms/"
timeout 6 qemu-system-i386 -M pc,hpet=off,vmport=off -m 512 \
  -bios "$seabios/bios-256k.bin" -L "$work/roms" -vga cirrus \
  -net nic,model=rtl8139 -net user \
  -drive "file=$work/disk.vmdk,if=ide,index=0,media=disk,file.locking=off" \
  -drive "file=$work/disk.vmdk,if=ide,index=2,media=cdrom,readonly=on,file.locking=off" \
  -boot d -chardev "file,id=dbg,path=$work/seabios.log" -device isa-debugcon,iobase=0x402,chardev=dbg \
  -display none -no-reboot -serial null -monitor none || true
cp "$work/seabios.log" test/fixtures/seabios-pc-qemu.log
echo "recorded test/fixtures/seabios-pc-qemu.log ($(wc -l < test/fixtures/seabios-pc-qemu.log) lines)"
