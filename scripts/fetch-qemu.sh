#!/usr/bin/env bash
# fetch-qemu.sh: print the path of a pristine QEMU 10.0.x source tree, fetching
# Debian's qemu source package (upstream-derived orig tarball only) into the
# cache on first use.  Debian's own patches are not applied.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

want=${QEMU_DEB_VERSION:-}          # e.g. 10.0.13+ds-0+deb13u1; empty: newest 10.0.x
dl=$UFSC_CACHE/qemu-dl
mkdir -p "$dl"

apt_private_init
uris=$(cd "$dl" && apt_private source --print-uris "qemu${want:+=$want}" 2>/dev/null) ||
    die "apt cannot find the qemu source package"
orig=$(echo "$uris" | grep -o "qemu_[^ ']*\.orig\.tar\.[a-z0-9]*" | head -1 || true)
[ -n "$orig" ] || die "no orig tarball for qemu"
ver=${orig#qemu_}; ver=${ver%%+*}; ver=${ver%%.orig*}
case "$ver" in 10.0.*) ;; *) die "qemu source package is $ver, need 10.0.x (set QEMU_DEB_VERSION)";; esac

src=$UFSC_CACHE/qemu-src/$ver
if [ ! -f "$src/.complete" ]; then
    if [ ! -f "$dl/$orig" ]; then
        step "downloading QEMU $ver source package (40 MB)"
        (cd "$dl" && apt_private -qq source --download-only "qemu${want:+=$want}" >/dev/null 2>&1) ||
            die "downloading the qemu source package failed"
    fi
    step "unpacking $orig"
    rm -rf "$src" && mkdir -p "$src"
    tar -xf "$dl/$orig" -C "$src" --strip-components=1
    touch "$src/.complete"
fi
echo "$src"
