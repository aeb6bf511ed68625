#!/usr/bin/env bash
# Records the /proc/cpuinfo flags the test guest (npm run guests) reports on
# qemu-system-i386 with each SIMD CPU model test/integration/simd-guest.test.ts
# boots: the reference that test compares Plugboard's flags with (CI needs no
# QEMU). Needs qemu-system-i386 (Debian: qemu-system-x86) and the guest cache.
# Output: test/fixtures/linux/cpuinfo-<model>.txt, the flags, one line.
#
# cryptomgr.notests and plugboard.crypto=1: the flags are reported before any
# crypto work, and QEMU's self-tests are not what is recorded.
set -euo pipefail
cd "$(dirname "$0")/.."
guests="${PLUGBOARD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/plugboard}/guests"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p test/fixtures/linux
for model in qemu32 core2duo; do
  timeout 600 qemu-system-i386 -M pc -m 256 -cpu "$model" \
    -kernel "$guests/vmlinuz" -initrd "$guests/initrd.gz" \
    -append "console=ttyS0 panic=-1 quiet cryptomgr.notests plugboard.nic=none plugboard.crypto=1" \
    -net none -display none -no-reboot -serial "file:$work/$model.log" -monitor none 2>/dev/null
  grep -a '^PLUGBOARD flags ' "$work/$model.log" | tr -d '\r' | sed -e 's/^PLUGBOARD flags *//' \
    > "test/fixtures/linux/cpuinfo-$model.txt"
  [ -s "test/fixtures/linux/cpuinfo-$model.txt" ] || { echo "$model: the guest reported no flags" >&2; exit 1; }
  echo "recorded test/fixtures/linux/cpuinfo-$model.txt: $(cat "test/fixtures/linux/cpuinfo-$model.txt")"
done
