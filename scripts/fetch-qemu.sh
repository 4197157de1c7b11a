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
# apt lists only the files that the current directory lacks: ask from an
# empty one.
empty=$(mktemp -d)
trap 'rm -rf "$empty"' EXIT
uris=$(cd "$empty" && net_retry "asking apt for the qemu source package's files" \
           apt_private -qq source --print-uris "qemu${want:+=$want}") ||
    die "apt cannot find the qemu source package"
# The file name apt writes (qemu_10.0.13+ds.orig.tar.xz), not the URI's
# URL-encoded spelling of it (qemu_10.0.13%2bds.orig.tar.xz).
orig=$(print_uris_file 'qemu_*.orig.tar.*' <<< "$uris") || die "no orig tarball for qemu in: $uris"
case "$orig" in */*|.*) die "unexpected file name from apt: $orig" ;; esac
ver=${orig#qemu_}; ver=${ver%%.orig.tar.*}; ver=${ver%%+*}
case "$ver" in 10.0.*) ;; *) die "qemu source package is $ver, need 10.0.x (set QEMU_DEB_VERSION)";; esac

src=$UFSC_CACHE/qemu-src/$ver
if [ ! -f "$src/.complete" ]; then
    if [ ! -f "$dl/$orig" ]; then
        step "downloading QEMU $ver source package (40 MB)"
        (cd "$dl" && net_retry "downloading the qemu source package ($orig)" \
            apt_private -qq source --download-only "qemu${want:+=$want}" >/dev/null) ||
            die "downloading the qemu source package failed"
        [ -f "$dl/$orig" ] || die "apt downloaded the qemu source package, but $dl/$orig is not there"
    fi
    step "unpacking $orig"
    rm -rf "$src" "$src.tmp" && mkdir -p "$src.tmp"
    tar -xf "$dl/$orig" -C "$src.tmp" --strip-components=1 || { rm -rf "$src.tmp"; die "unpacking $orig failed"; }
    touch "$src.tmp/.complete"
    mv "$src.tmp" "$src"
fi
echo "$src"
