#!/usr/bin/env bash
# install.sh install|uninstall [PREFIX]: what "make install" and "make
# uninstall" run.
#
# install: builds QEMU if needed and installs, under PREFIX (default
# /usr/local/ufs-crypto), bin/qemu-system-aarch64, bin/qemu-system-x86_64,
# bin/qemu-img and the firmware they load from share/qemu (SeaBIOS, iPXE's
# ROMs and QEMU's option ROMs, copied from where the build finds them).
# QEMU finds share/qemu relative to its binary, so the prefix can be moved.
# What was installed (files, and the directories made for them) is listed in
# PREFIX/share/ufs-crypto/installed-files.
# A prefix whose bin/ holds files of a Debian package (/usr, say) is
# refused: Debian's own qemu-* are never overwritten.
#
# uninstall: removes exactly the files of that list, then the directories
# that install created and that are now empty.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

[ $# -ge 1 ] || die "usage: $0 install|uninstall [PREFIX]"
action=$1
prefix=${2:-/usr/local/ufs-crypto}
case "$prefix" in /*) ;; *) prefix=$(pwd)/$prefix ;; esac
prefix=${prefix%/}
[ -n "$prefix" ] || die "PREFIX must not be /"
manifest=$prefix/share/ufs-crypto/installed-files

bins=(qemu-system-aarch64 qemu-system-x86_64 qemu-img)

uninstall() {
    [ -f "$manifest" ] || die "nothing installed by ufs-crypto in $prefix (no $manifest)"
    local lines n=0 l
    mapfile -t lines < "$manifest"
    rm -f "$manifest"
    for l in "${lines[@]}"; do
        case "$l" in file\ *) rm -f "$prefix/${l#file }"; n=$((n + 1)) ;; esac
    done
    # The directories install made (the manifest's among them), deepest
    # first, if they are empty now.
    printf '%s\n' "${lines[@]}" | sed -n 's/^dir //p' | sort -r |
        while IFS= read -r l; do rmdir "$prefix/$l" 2>/dev/null || true; done
    step "removed $n files from $prefix"
}

if [ "$action" = uninstall ]; then
    uninstall
    exit 0
fi
[ "$action" = install ] || die "usage: $0 install|uninstall [PREFIX]"

# Never over a packaged QEMU.
for b in "${bins[@]}"; do
    if [ -e "$prefix/bin/$b" ] && dpkg -S "$prefix/bin/$b" >/dev/null 2>&1; then
        die "$prefix/bin/$b belongs to Debian's $(dpkg -S "$prefix/bin/$b" | cut -d: -f1): choose another PREFIX (default /usr/local/ufs-crypto)"
    fi
done
case "$prefix" in /usr|/usr/bin|/bin) die "refusing to install into $prefix: choose another PREFIX" ;; esac

build=$(default_build)
for b in "${bins[@]}"; do
    [ -x "$build/$b" ] || die "$build/$b was not built"
done
datadir=$build/qemu-bundle/usr/local/share/qemu
[ -d "$datadir" ] || die "no firmware directory $datadir in the build"

# An earlier install in the same prefix is replaced whole.
[ -f "$manifest" ] && uninstall

# Remember which directories are new, so that uninstall removes only those.
dirs=()
mkd() {
    local d=$1
    until [ -d "$d" ] || [ "$d" = "$prefix" ]; do
        dirs+=("dir ${d#"$prefix"/}")
        d=$(dirname "$d")
    done
    mkdir -p "$1"
}
mkd "$prefix/bin"
mkd "$prefix/share/qemu"
mkd "$prefix/share/ufs-crypto"
files=()
for b in "${bins[@]}"; do
    install -m 0755 "$build/$b" "$prefix/bin/$b"
    files+=("file bin/$b")
done
# The firmware, dereferenced (the build links to Debian's seabios and
# ipxe-qemu files and to its own option ROMs).
while IFS= read -r f; do
    rel=${f#"$datadir"/}
    mkd "$(dirname "$prefix/share/qemu/$rel")"
    install -m 0644 "$(readlink -f "$f")" "$prefix/share/qemu/$rel"
    files+=("file share/qemu/$rel")
done < <(find -L "$datadir" -type f | LC_ALL=C sort)
printf '%s\n' "${files[@]}" "${dirs[@]}" > "$manifest"
step "installed ${#files[@]} files under $prefix"
echo "$prefix/bin/qemu-system-aarch64 -device ufs-crypto,help"
