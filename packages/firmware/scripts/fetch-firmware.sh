#!/usr/bin/env bash
# Fetches the firmware Plugboard runs (SeaBIOS, the iPXE option ROMs, QEMU's
# linuxboot_dma.bin for direct kernel boot) from
# Debian's archive and unpacks it into a cache directory, never into git.
#
#   PLUGBOARD_CACHE   cache root (default: $XDG_CACHE_HOME/plugboard, else ~/.cache/plugboard)
#   PLUGBOARD_FORCE=1 download again even when the cache is complete
#
# Idempotent: a second run with a complete cache downloads nothing. Works as
# root without sudo; as another user it needs sudo only for `apt-get update`.
set -euo pipefail

cache_root="${PLUGBOARD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/plugboard}"
firmware_dir="$cache_root/firmware"
debs_dir="$cache_root/debs"
packages=(seabios ipxe-qemu qemu-system-data)
# One file from each package proves it was unpacked.
markers=(usr/share/seabios/bios-256k.bin usr/lib/ipxe/qemu/efi-rtl8139.rom usr/share/qemu/linuxboot_dma.bin)

complete() {
  local m
  for m in "${markers[@]}"; do [[ -f "$firmware_dir/root/$m" ]] || return 1; done
}

as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi
}

if [[ "${PLUGBOARD_FORCE:-0}" != 1 ]] && complete; then
  echo "firmware already in $firmware_dir"
else
  command -v apt-get >/dev/null || { echo "fetch-firmware: apt-get not found (this script needs Debian or Ubuntu)" >&2; exit 1; }
  mkdir -p "$debs_dir" "$firmware_dir/root"
  # These packages are Architecture: all, so no foreign architecture is needed.
  # apt-get download needs package lists; update them once if apt knows none.
  if ! apt-cache show "${packages[0]}" >/dev/null 2>&1; then
    as_root apt-get update
  fi
  (cd "$debs_dir" && apt-get download "${packages[@]}")
  for pkg in "${packages[@]}"; do
    deb=$(ls -t "$debs_dir/${pkg}"_*.deb | head -n 1)
    echo "unpacking $(basename "$deb")"
    dpkg-deb -x "$deb" "$firmware_dir/root"
  done
  complete || { echo "fetch-firmware: unpacked packages lack an expected file (${markers[*]})" >&2; exit 1; }
fi

# Flat names for the image resolver: bios-256k.bin, vgabios-cirrus.bin, efi-rtl8139.rom, ...
for dir in usr/share/seabios usr/lib/ipxe/qemu; do
  for f in "$firmware_dir/root/$dir"/*; do
    [[ -f "$f" ]] && ln -sf "$f" "$firmware_dir/$(basename "$f")"
  done
done
# From qemu-system-data only the x86 option ROMs SeaBIOS loads through fw_cfg.
for name in linuxboot.bin linuxboot_dma.bin multiboot.bin multiboot_dma.bin pvh.bin; do
  ln -sf "$firmware_dir/root/usr/share/qemu/$name" "$firmware_dir/$name"
done
# Debian ships some ROMs as symlinks into /usr/lib/ipxe; point those at the unpacked copies.
for link in "$firmware_dir"/*; do
  target=$(readlink -f "$link" || true)
  if [[ -n "$target" && ! -e "$target" ]]; then
    rel=${target#/}
    [[ -f "$firmware_dir/root/$rel" ]] && ln -sf "$firmware_dir/root/$rel" "$link"
  fi
done

echo "SeaBIOS:    $firmware_dir/bios-256k.bin"
echo "VGA BIOS:   $firmware_dir/vgabios-cirrus.bin"
echo "iPXE ROMs:  $firmware_dir/efi-rtl8139.rom $firmware_dir/pxe-eepro100.rom"
echo "linuxboot:  $firmware_dir/linuxboot_dma.bin"
echo "cache:      $firmware_dir"
