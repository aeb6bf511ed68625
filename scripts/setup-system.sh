#!/usr/bin/env bash
# Installs the Debian tools Plugboard's tests use and fetches the firmware into
# the cache. Safe to run again: it installs only what is missing.
#   nasm         assembles the CPU test programs
#   qemu-utils   qemu-img, the reference VMDK writer and checker
#   tshark       reads the pcap files the capture filter writes
#   cpio, kmod, xorriso, isolinux, syslinux, mtools, dosfstools, fdisk
#                build the test guest's initramfs, ISO and bootable disk
set -euo pipefail

as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi
}

needed=()
command -v nasm >/dev/null || needed+=(nasm)
command -v qemu-img >/dev/null || needed+=(qemu-utils)
command -v tshark >/dev/null || needed+=(tshark)
command -v cpio >/dev/null || needed+=(cpio)
command -v depmod >/dev/null || needed+=(kmod)
command -v xorriso >/dev/null || needed+=(xorriso)
[[ -f /usr/lib/ISOLINUX/isolinux.bin ]] || needed+=(isolinux)
command -v syslinux >/dev/null || needed+=(syslinux)
[[ -f /usr/lib/syslinux/modules/bios/ldlinux.c32 ]] || needed+=(syslinux-common)
command -v mcopy >/dev/null || needed+=(mtools)
command -v mkfs.fat >/dev/null || needed+=(dosfstools)
command -v sfdisk >/dev/null || needed+=(fdisk)
if ((${#needed[@]})); then
  as_root apt-get update
  echo "wireshark-common wireshark-common/install-setuid boolean false" | as_root debconf-set-selections
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${needed[@]}"
fi

bash "$(dirname "$0")/../packages/firmware/scripts/fetch-firmware.sh"
bash "$(dirname "$0")/guests/build-guests.sh"
