#!/usr/bin/env bash
# Builds Plugboard's test guest from Debian's i386 packages into the cache
# (never into git): the 686 kernel, an initramfs with busybox, the modules the
# puredarwin-xmas devices and the USB controller and tablet need, an SSE2 crypto module and the e100 microcode, a bootable ISO
# (isolinux) and a bootable VMDK (syslinux on FAT) holding the same kernel
# and initramfs, and manifest.json with what the guest will report.
#
#   PLUGBOARD_CACHE    cache root (default ~/.cache/plugboard)
#   PLUGBOARD_FORCE=1  rebuild even when the guest is complete
#
# Host tools (Debian): apt-get, dpkg-deb, depmod (kmod), cpio, xorriso,
# isolinux, syslinux, syslinux-common, mtools, dosfstools, fdisk, qemu-utils.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache_root="${PLUGBOARD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/plugboard}"
out="$cache_root/guests"
# The guest's recipe: a cached guest built from other scripts is rebuilt.
recipe=$(cat "$here/build-guests.sh" "$here/init" "$here/guest-page" "$here/udhcpc.script" | sha256sum | cut -c1-16)
if [[ "${PLUGBOARD_FORCE:-0}" != 1 && -f "$out/manifest.json" ]] && grep -q "\"recipe\": \"$recipe\"" "$out/manifest.json"; then
  echo "test guest already in $out"
  exit 0
fi
# shellcheck source=apt-i386.sh
source "$here/apt-i386.sh"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/debs" "$work/pkg" "$out"

apt_i386_update
kernel_pkg=$(apt_i386_newest '^linux-image-6\.1\.0-[0-9]+-686$')
[[ -n "$kernel_pkg" ]] || { echo "build-guests: no linux-image-6.1.0-*-686 package found" >&2; exit 1; }
kver=${kernel_pkg#linux-image-}
apt_i386_download "$work/debs" "$kernel_pkg" busybox-static firmware-misc-nonfree
for deb in "$work"/debs/*.deb; do dpkg-deb -x "$deb" "$work/pkg"; done

# The initramfs: busybox, modules with their dependencies, microcode, /init.
root="$work/initramfs"
mkdir -p "$root"/{bin,sbin,etc,proc,sys,dev,tmp,lib/firmware/e100}
cp "$work/pkg/bin/busybox" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
cp "$here/init" "$root/init"
cp "$here/udhcpc.script" "$root/etc/udhcpc.script"
cp "$here/guest-page" "$root/bin/guest-page"
chmod 755 "$root/init" "$root/etc/udhcpc.script" "$root/bin/guest-page"
cp "$work/pkg/lib/firmware/e100/"*.bin "$root/lib/firmware/e100/"
# serpent_sse2_i586: an SSE2 cipher whose self-tests run when it loads (plugboard.crypto).
# uhci_hcd, usbhid and hid_generic: the PIIX3's USB controller and a USB tablet (-usb -usbdevice tablet).
modules=(8139too 8139cp e100 mii ata_piix ata_generic libata scsi_mod sd_mod sr_mod cdrom isofs serpent_sse2_i586
  uhci_hcd usbhid hid_generic)
depmod -b "$work/pkg" "$kver"
for m in "${modules[@]}"; do
  modprobe -d "$work/pkg" -S "$kver" --show-depends "$m" | awk '$1 == "insmod" {print $2}'
done | sort -u | while read -r ko; do
  rel=${ko#"$work/pkg/"}
  mkdir -p "$root/$(dirname "$rel")"
  case "$ko" in
    *.xz) xz -dc "$ko" >"$root/${rel%.xz}" ;;
    *.zst) zstd -qdc "$ko" >"$root/${rel%.zst}" ;;
    *) cp "$ko" "$root/$rel" ;;
  esac
done
cp "$work/pkg/lib/modules/$kver"/modules.{order,builtin,builtin.modinfo} "$root/lib/modules/$kver/"
depmod -b "$root" "$kver"
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) | gzip -9n >"$work/initrd.gz"
cp "$work/pkg/boot/vmlinuz-$kver" "$work/vmlinuz"

# cryptomgr.notests: Debian's kernel self-tests its crypto algorithms at
# late_initcall, some 3.7e9 instructions of a 7.9e9 boot to poweroff (the same
# on qemu-system-i386 -icount shift=0); they test the kernel, not the machine.
append="console=ttyS0,115200 panic=-1 quiet cryptomgr.notests"

# A bootable ISO: isolinux with the kernel and initramfs.
iso="$work/iso"
mkdir -p "$iso/isolinux"
cp /usr/lib/ISOLINUX/isolinux.bin /usr/lib/syslinux/modules/bios/ldlinux.c32 "$iso/isolinux/"
cp "$work/vmlinuz" "$work/initrd.gz" "$iso/"
printf 'SERIAL 0 115200\nDEFAULT linux\nPROMPT 0\nTIMEOUT 0\nLABEL linux\n  KERNEL /vmlinuz\n  APPEND initrd=/initrd.gz %s\n' "$append" >"$iso/isolinux/isolinux.cfg"
xorriso -as mkisofs -quiet -o "$work/guest.iso" -V PLUGBOARD -b isolinux/isolinux.bin -c isolinux/boot.cat \
  -no-emul-boot -boot-load-size 4 -boot-info-table "$iso"

# A bootable disk: one FAT16 partition at 1 MiB with syslinux, the same files.
disk_mib=64
part_kib=$(((disk_mib - 1) * 1024))
truncate -s "${disk_mib}M" "$work/disk.raw"
echo 'start=2048, type=6, bootable' | sfdisk -q "$work/disk.raw"
mkfs.fat -F 16 -h 2048 -n PLUGBOARD -C "$work/part.img" "$part_kib" >/dev/null
printf 'SERIAL 0 115200\nDEFAULT linux\nPROMPT 0\nTIMEOUT 0\nLABEL linux\n  KERNEL /vmlinuz\n  APPEND initrd=/initrd.gz %s\n' "$append" >"$work/syslinux.cfg"
mcopy -i "$work/part.img" "$work/vmlinuz" "$work/initrd.gz" "$work/syslinux.cfg" ::/
syslinux --install "$work/part.img"
dd if="$work/part.img" of="$work/disk.raw" bs=1M seek=1 conv=notrunc status=none
dd if=/usr/lib/syslinux/mbr/mbr.bin of="$work/disk.raw" bs=440 count=1 conv=notrunc status=none
qemu-img convert -f raw -O vmdk "$work/disk.raw" "$work/guest.vmdk"

first_mib() { head -c 1048576 "$1" | sha256sum | cut -d' ' -f1; }
cp "$work/vmlinuz" "$work/initrd.gz" "$work/guest.iso" "$work/guest.vmdk" "$out/"
cat >"$out/manifest.json" <<JSON
{
  "recipe": "$recipe",
  "kernelPackage": "$kernel_pkg",
  "kernelRelease": "$kver",
  "append": "$append",
  "kernel": "vmlinuz",
  "initrd": "initrd.gz",
  "iso": "guest.iso",
  "vmdk": "guest.vmdk",
  "diskBytes": $((disk_mib * 1048576)),
  "diskFirstMiB": "$(first_mib "$work/disk.raw")",
  "isoBytes": $(stat -c %s "$work/guest.iso"),
  "isoFirstMiB": "$(first_mib "$work/guest.iso")"
}
JSON
echo "test guest ($kernel_pkg) built in $out"
