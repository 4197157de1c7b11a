#!/usr/bin/env bash
# install-check.sh: make install into a fresh prefix, use the installed
# binaries, make uninstall, and check that the prefix is left empty.  Needs
# the default QEMU build (make install builds it when missing).  TAP.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix
mkdir -p "$prefix"
n=0 failed=0
check() {
    n=$((n + 1))
    if [ "$1" = 0 ]; then echo "ok $n - $2"; else failed=$((failed + 1)); echo "not ok $n - $2"; fi
}

make -s -C "$top" install PREFIX="$prefix" > "$tmp/install.log" 2>&1
check $? "make install PREFIX=$prefix"
for b in qemu-system-aarch64 qemu-system-x86_64 qemu-img; do
    [ -x "$prefix/bin/$b" ]; check $? "bin/$b installed"
done
"$prefix/bin/qemu-system-aarch64" -device ufs-crypto,help > "$tmp/help.txt" 2>&1 &&
    grep -q 'keyslots=' "$tmp/help.txt"
check $? "installed qemu-system-aarch64 -device ufs-crypto,help lists keyslots"
# The x86 binary finds its firmware under the prefix, not in the build tree.
fw=
while IFS= read -r d; do
    [ "$(realpath -m "$d")" = "$prefix/share/qemu" ] && fw=$prefix/share/qemu
done < <("$prefix/bin/qemu-system-x86_64" -L help 2>/dev/null)
[ -n "$fw" ] && [ -f "$fw/bios-256k.bin" ] && [ -f "$fw/linuxboot_dma.bin" ]
check $? "installed qemu-system-x86_64 looks for its firmware in $prefix/share/qemu, and finds it there"
# It boots as far as SeaBIOS and QMP: quits cleanly at once.
echo '{"execute":"qmp_capabilities"}{"execute":"quit"}' |
    timeout 120 "$prefix/bin/qemu-system-x86_64" -M q35 -nodefaults -display none \
        -qmp stdio -device ufs-crypto > "$tmp/run.log" 2>&1
check $? "installed qemu-system-x86_64 -M q35 -device ufs-crypto starts and quits"
"$prefix/bin/qemu-img" create -f raw "$tmp/x.img" 1M > /dev/null 2>&1
check $? "installed qemu-img creates an image"
make -s -C "$top" uninstall PREFIX="$prefix" > "$tmp/uninstall.log" 2>&1
check $? "make uninstall PREFIX=$prefix"
left=$(find "$prefix" -mindepth 1 | head -5 | tr '\n' ' ')
[ -z "$left" ]; check $? "the prefix is empty after make uninstall${left:+ (left: $left)}"
# Debian's own binaries are never overwritten.
! make -s -C "$top" install PREFIX=/usr > "$tmp/usr.log" 2>&1 && ! grep -q installed "$tmp/usr.log"
check $? "make install PREFIX=/usr is refused"
echo "1..$n"
[ "$failed" = 0 ]
