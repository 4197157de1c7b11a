#!/usr/bin/env bash
# build-initramfs.sh ARCH: the guest initramfs of the end-to-end test.
#   ARCH: arm64 (alias aarch64) or x86_64 (alias x86, amd64)
#
# Contents: busybox from Debian's busybox-static for the guest architecture
# (downloaded with apt through a private configuration and unpacked with
# dpkg-deb -x, never installed), guest/ufsc-guest.c compiled statically,
# guest/init, guest/wrapped (rdinit=/wrapped) and the bench's guest/bench
# with guest/ufsc-bench.c.  The archive is cached in $UFSC_CACHE/initramfs, keyed by the
# content of all of these; prints the path of the .cpio.gz on stdout.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

[ $# -eq 1 ] || die "usage: $0 arm64|x86_64"
case "$1" in
arm64|aarch64) arch=arm64 debarch=arm64 gnu=aarch64-linux-gnu elf_machine=183 ;;
x86_64|x86|amd64) arch=x86_64 debarch=amd64 gnu=x86_64-linux-gnu elf_machine=62 ;;
*) die "unknown architecture: $1 (arm64 or x86_64)" ;;
esac

hostdeb=$(dpkg --print-architecture)
if [ "$debarch" = "$hostdeb" ]; then
    cc=gcc
    need_pkgs gcc libc6-dev cpio gzip
else
    cc=$gnu-gcc
    need_pkgs "gcc-$gnu" "libc6-dev-$debarch-cross" cpio gzip
fi

out=$UFSC_CACHE/initramfs
mkdir -p "$out"

# ELF e_machine of a file (bytes 18-19, little endian).
elf_machine() {
    od -An -t u2 -j 18 -N 2 "$1" | tr -d ' '
}

# 1. busybox-static for $debarch, downloaded once.
debdir=$out/debs
mkdir -p "$debdir"
deb=$(find "$debdir" -maxdepth 1 -name "busybox-static_*_${debarch}.deb" | sort | tail -1)
if [ -z "$deb" ]; then
    step "downloading busybox-static:$debarch (private apt configuration)"
    apt_private_init
    dl=$UFSC_APT/foreign-$debarch
    mkdir -p "$dl/lists/partial"
    echo "deb $(apt_mirror) bookworm main" > "$dl/sources.list"
    aopts=(-o APT::Architectures="$hostdeb,$debarch"
           -o Dir::Etc::SourceList="$dl/sources.list"
           -o Dir::State::Lists="$dl/lists"
           -o Dir::Cache::pkgcache="$dl/pkgcache.bin"
           -o Dir::Cache::srcpkgcache="$dl/srcpkgcache.bin")
    net_retry "apt-get update of the $debarch package lists" \
        apt_private -qq "${aopts[@]}" update >/dev/null ||
        die "apt-get update for $debarch failed: see apt's messages above"
    tmp=$(mktemp -d "$debdir/dl.XXXXXX")
    (cd "$tmp" && net_retry "downloading busybox-static:$debarch" \
        apt_private -qq "${aopts[@]}" download "busybox-static:$debarch" >/dev/null) ||
        { rm -rf "$tmp"; die "downloading busybox-static:$debarch failed"; }
    mv "$tmp"/busybox-static_*.deb "$debdir/"
    rmdir "$tmp"
    deb=$(find "$debdir" -maxdepth 1 -name "busybox-static_*_${debarch}.deb" | sort | tail -1)
    [ -n "$deb" ] || die "busybox-static:$debarch did not download"
fi

# 2. The key: everything that goes into the archive.
key=$( { echo "$arch"; sha256sum "$deb" | cut -d' ' -f1; "$cc" --version | head -1;
         cat "$UFSC_TOP/guest/init" "$UFSC_TOP/guest/wrapped" "$UFSC_TOP/guest/ufsc-guest.c" \
             "$UFSC_TOP/guest/bench" "$UFSC_TOP/guest/ufsc-bench.c" "$0"; } |
       sha256sum | cut -c1-12)
cpio_gz=$out/$arch-$key.cpio.gz
if [ -f "$cpio_gz" ]; then
    step "reusing cached initramfs $cpio_gz"
    echo "$cpio_gz"
    exit 0
fi

step "building the $arch initramfs ($(basename "$deb"))"
work=$(mktemp -d "$out/work.XXXXXX")
trap 'rm -rf "$work"' EXIT
root=$work/root
mkdir -p "$work/bb" "$root"/{bin,sbin,dev,proc,sys,tmp,mnt,usr/bin,usr/sbin}

dpkg-deb -x "$deb" "$work/bb"
[ -x "$work/bb/bin/busybox" ] || die "no bin/busybox in $(basename "$deb")"
[ "$(elf_machine "$work/bb/bin/busybox")" = "$elf_machine" ] ||
    die "bin/busybox of $(basename "$deb") is not an $arch binary"
cp "$work/bb/bin/busybox" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"

"$cc" -O2 -Wall -Wextra -Werror -static -o "$root/bin/ufsc-guest" "$UFSC_TOP/guest/ufsc-guest.c" ||
    die "compiling ufsc-guest failed"
"$gnu-strip" "$root/bin/ufsc-guest" 2>/dev/null || strip "$root/bin/ufsc-guest" 2>/dev/null || true
[ "$(elf_machine "$root/bin/ufsc-guest")" = "$elf_machine" ] || die "ufsc-guest is not an $arch binary"

install -m 0755 "$UFSC_TOP/guest/init" "$root/init"
# scripts/e2e-wrapped.sh boots with rdinit=/wrapped
install -m 0755 "$UFSC_TOP/guest/wrapped" "$root/wrapped"
# make bench boots with rdinit=/bench
"$cc" -O2 -Wall -Wextra -Werror -static -o "$root/bin/ufsc-bench" "$UFSC_TOP/guest/ufsc-bench.c" ||
    die "compiling ufsc-bench failed"
"$gnu-strip" "$root/bin/ufsc-bench" 2>/dev/null || strip "$root/bin/ufsc-bench" 2>/dev/null || true
install -m 0755 "$UFSC_TOP/guest/bench" "$root/bench"

# The kernel opens /dev/console before running /init, and devtmpfs is not
# mounted yet: the node has to be in the archive.
if [ "$(id -u)" = 0 ]; then
    mknod -m 0600 "$root/dev/console" c 5 1
    mknod -m 0666 "$root/dev/null" c 1 3
else
    step "warning: not root, no /dev/console in the initramfs (no early console output)"
fi

find "$root" -exec touch -h -d @0 {} +
(cd "$root" && find . -mindepth 1 | LC_ALL=C sort |
    cpio --quiet -o -H newc -R 0:0 --reproducible) | gzip -9 -n > "$work/initramfs.cpio.gz"
mv "$work/initramfs.cpio.gz" "$cpio_gz"
step "initramfs: $cpio_gz ($(du -k "$cpio_gz" | cut -f1) KiB)"
echo "$cpio_gz"
