#!/usr/bin/env bash
# Installs the Debian tools Plugboard's tests use and fetches the firmware into
# the cache. Safe to run again: it installs only what is missing.
#   nasm             assembles the CPU test programs
#   qemu-utils       qemu-img and qemu-io, the reference VMDK writer and checker
#   qemu-system-x86  qemu-system-i386, the reference the CPU and network tests compare with
#   tshark           reads the pcap files the capture filter writes
#   socat, busybox, curl, iproute2
#                    the network-namespace guest the user-mode network is tested with
#   gvncviewer, chromium
#                    real VNC clients (gvnccapture; noVNC in headless Chromium)
#   cpio, kmod, xorriso, isolinux, syslinux, mtools, dosfstools, fdisk
#                    build the test guest's initramfs, ISO and bootable disk
#   acpica-tools     iasl, which disassembles the built-in firmware's ACPI tables in its tests
#   gdb              the debugger the gdbstub is tested with
#   redis-server     the job queue plugboard matrix --queue and plugboard worker share, in their test
#   xz-utils         xz, which compresses the test kernels as the kernel build does (boot-linux's XZ tests)
set -euo pipefail

as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi
}

needed=()
need() { command -v "$1" >/dev/null || needed+=("$2"); }
need nasm nasm
need qemu-img qemu-utils
need qemu-system-i386 qemu-system-x86
need tshark tshark
need socat socat
need busybox busybox
need curl curl
need ip iproute2
need cpio cpio
need depmod kmod
need xorriso xorriso
need syslinux syslinux
need mcopy mtools
need mkfs.fat dosfstools
need sfdisk fdisk
need iasl acpica-tools
need gdb gdb
need redis-server redis-server
need xz xz-utils
need gvnccapture gvncviewer
need chromium chromium
[[ -f /usr/lib/ISOLINUX/isolinux.bin ]] || needed+=(isolinux)
[[ -f /usr/lib/syslinux/modules/bios/ldlinux.c32 ]] || needed+=(syslinux-common)
if ((${#needed[@]})); then
  as_root apt-get update
  echo "wireshark-common wireshark-common/install-setuid boolean false" | as_root debconf-set-selections
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${needed[@]}"
fi

bash "$(dirname "$0")/../packages/firmware/scripts/fetch-firmware.sh"
bash "$(dirname "$0")/guests/build-guests.sh"
