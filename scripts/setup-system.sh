#!/usr/bin/env bash
# Installs the Debian tools Plugboard's tests use and fetches the firmware into
# the cache. Safe to run again: it installs only what is missing.
#   nasm         assembles the CPU test programs
#   qemu-utils   qemu-img, the reference VMDK writer and checker
#   tshark       reads the pcap files the capture filter writes
set -euo pipefail

as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi
}

needed=()
command -v nasm >/dev/null || needed+=(nasm)
command -v qemu-img >/dev/null || needed+=(qemu-utils)
command -v tshark >/dev/null || needed+=(tshark)
if ((${#needed[@]})); then
  as_root apt-get update
  echo "wireshark-common wireshark-common/install-setuid boolean false" | as_root debconf-set-selections
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${needed[@]}"
fi

bash "$(dirname "$0")/../packages/firmware/scripts/fetch-firmware.sh"
