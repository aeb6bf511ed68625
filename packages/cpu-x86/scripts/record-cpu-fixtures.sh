#!/bin/sh
# Records the differential CPU test fixtures from QEMU.
#
# For each test program <group>.asm in test/harness/asm or test/asm (default:
# all of them; they include test/harness/asm/lib.inc): assembles it into a
# 64 KiB BIOS image (test/fixtures/<group>.bin, what the Plugboard side runs),
# boots it as the BIOS of qemu-system-i386 (TCG, -cpu qemu32) and keeps what
# it prints on the debug console as test/fixtures/<group>.txt. The CPUID
# program is recorded once per CPU model as cpuid-<model>.txt; ssse3 runs on
# core2duo, the one model with SSSE3.
#
# Needs nasm and qemu-system-i386. CI only reads the results.
# Usage: scripts/record-cpu-fixtures.sh [group ...]
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
asm="$here/test/harness/asm"
out="$here/test/fixtures"
qemu=${QEMU:-qemu-system-i386}
mkdir -p "$out"

run() { # image output cpu
  rm -f "$2.tmp"
  status=0
  timeout 600 "$qemu" -M pc -cpu "$3" -m 16 -nographic -display none -no-reboot -monitor none -serial none \
    -bios "$1" -debugcon "file:$2.tmp" -global isa-debugcon.iobase=0xe9 \
    -device isa-debug-exit,iobase=0xf4,iosize=0x04 || status=$?
  # isa-debug-exit reports (value << 1) | 1: the programs write 0 when done.
  if [ "$status" -ne 1 ] || [ "$(tail -n 1 "$2.tmp")" != "# end" ]; then
    echo "$1: QEMU exited with $status; output ends: $(tail -n 1 "$2.tmp")" >&2
    exit 1
  fi
  mv "$2.tmp" "$2"
}

source_of() { # group -> its .asm
  for dir in "$asm" "$here/test/asm"; do
    if [ -f "$dir/$1.asm" ]; then
      echo "$dir/$1.asm"
      return
    fi
  done
  echo "no program $1.asm in $asm or $here/test/asm" >&2
  exit 1
}

if [ $# -gt 0 ]; then
  groups=$*
else
  groups=$(for f in "$asm"/*.asm "$here"/test/asm/*.asm; do [ -f "$f" ] && basename "$f" .asm; done)
fi
for g in $groups; do
  src=$(source_of "$g")
  nasm -w-number-overflow -f bin -I "$asm/" -o "$out/$g.bin" "$src"
  if [ "$g" = cpuid ]; then
    for model in qemu32 pentium pentium2 pentium3 coreduo core2duo; do
      run "$out/$g.bin" "$out/cpuid-$model.txt" "$model"
      echo "cpuid-$model: $(wc -l < "$out/cpuid-$model.txt") lines"
    done
  elif [ "$g" = ssse3 ]; then
    run "$out/$g.bin" "$out/$g.txt" core2duo
  else
    run "$out/$g.bin" "$out/$g.txt" qemu32
    echo "$g: $(wc -l < "$out/$g.txt") lines"
  fi
done
