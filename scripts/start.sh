#!/usr/bin/env bash
# npm start: boots machines/puredarwin-xmas.json with the test guest (npm run
# guests) through the built-in direct boot, user networking on, COM1 on the
# terminal and a busybox shell. Ctrl-A x quits, Ctrl-A c is the monitor;
# `poweroff -f` in the guest ends the run. cryptomgr.notests skips the kernel's
# crypto self-tests, nearly half of the boot (see scripts/guests/build-guests.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
guests="${PLUGBOARD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/plugboard}/guests"
exec node packages/cli/dist/bin.js run machines/puredarwin-xmas.json --nographic \
  --set devices.bios.type=linux-direct \
  --set "devices.bios.config.kernel=$guests/vmlinuz" \
  --set "devices.bios.config.initrd=$guests/initrd.gz" \
  --set "devices.bios.config.append=console=ttyS0 quiet cryptomgr.notests plugboard.shell=1"
