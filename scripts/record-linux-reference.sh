#!/usr/bin/env bash
# Records what the test guest (npm run guests) reports on QEMU's pc machine
# with each NIC model Plugboard offers QEMU also has: the reference
# test/integration/linux.test.ts compares Plugboard's boots against, line by
# line. Needs qemu-system-i386 (Debian: qemu-system-x86) and the guest cache.
# Output: test/fixtures/linux/qemu-<model>.txt, the guest's PLUGBOARD lines.
#
# The guest boots as the seed's command line has it (-hda VMDK -cdrom ISO) with
# -kernel so every model takes the same path; it downloads the test blob
# (test/integration/blob.mjs) from a host HTTP server through user networking
# and answers one request through a forwarded port. What depends on the guest
# build (kernel release, image checksums) is written as {placeholders} from the
# guest's manifest.json, so the reference outlives a new Debian kernel.
set -euo pipefail
cd "$(dirname "$0")/.."
guests="${PLUGBOARD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/plugboard}/guests"
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
node test/integration/blob.mjs serve 0 > "$work/port" &
for _ in $(seq 50); do [ -s "$work/port" ] && break; sleep 0.1; done
port=$(cat "$work/port")
mkdir -p test/fixtures/linux
manifest() { node -p "require('$guests/manifest.json').$1"; }
release=$(manifest kernelRelease)
disk=$(manifest diskFirstMiB)
iso=$(manifest isoFirstMiB)
isokib=$(($(manifest isoBytes) / 1024))
for model in rtl8139 i82557b i82551 i82559er; do
  hostport=$((20000 + RANDOM % 20000))
  # Fetch the guest's page once its nc listens (retry until then).
  (until curl -sf "http://127.0.0.1:$hostport/" > "$work/page-$model" 2>/dev/null; do sleep 0.5; done) &
  timeout 600 qemu-system-i386 -M pc,hpet=off,vmport=off -m 512 -vga cirrus \
    -kernel "$guests/vmlinuz" -initrd "$guests/initrd.gz" \
    -append "console=ttyS0 panic=-1 cryptomgr.notests plugboard.url=http://10.0.2.2:$port/blob plugboard.listen=8080" \
    -drive "file=$guests/guest.vmdk,if=ide,index=0,media=disk,snapshot=on" \
    -drive "file=$guests/guest.iso,if=ide,index=2,media=cdrom,readonly=on" \
    -net "nic,model=$model" -net "user,hostfwd=tcp:127.0.0.1:$hostport-:8080" -display none -no-reboot \
    -serial "file:$work/$model.log" -monitor none
  grep -qx plugboard-guest "$work/page-$model" || { echo "$model: the forwarded port did not answer" >&2; exit 1; }
  grep -a '^PLUGBOARD ' "$work/$model.log" | tr -d '\r' | sed -e 's/^PLUGBOARD //' \
    -e "s/^booted $release\$/booted {kernelRelease}/" -e "s/ $disk\$/ {diskFirstMiB}/" \
    -e "s/^disk sr0 $isokib $iso\$/disk sr0 {isoKiB} {isoFirstMiB}/" > "test/fixtures/linux/qemu-$model.txt"
  echo "recorded test/fixtures/linux/qemu-$model.txt ($(wc -l < "test/fixtures/linux/qemu-$model.txt") lines)"
done
