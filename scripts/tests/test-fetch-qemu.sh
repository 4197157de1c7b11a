#!/usr/bin/env bash
# test-fetch-qemu.sh [FETCH_SCRIPT]: scripts/fetch-qemu.sh against a mock
# apt-get that answers --print-uris as apt does, in both shapes of line
# ('URI' NAME SIZE SHA256:HASH, and the older 'URI' NAME SIZE MD5), with
# file names holding +, ~ and % (URL-encoded in the URI, not in the name).
# No network.  TAP on stdout.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
fetch=${1:-$top/scripts/fetch-qemu.sh}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The mock: 'update' succeeds, 'source --print-uris' prints the lines of
# $MOCK_URIS whose files are not in the current directory (as apt does),
# 'source --download-only' writes $MOCK_NAME (a tarball of qemu-X/VERSION)
# into the current directory, as apt writes the file under its name.
mkdir -p "$tmp/bin"
cat > "$tmp/bin/apt-get" <<'MOCK'
#!/bin/sh
for a do
    case "$a" in
    update) exit 0 ;;
    --print-uris)
        # As apt: nothing for a file already in the current directory.
        while read -r uri name rest; do
            [ -e "$name" ] || echo "$uri $name $rest"
        done < "$MOCK_URIS"
        exit 0 ;;
    --download-only)
        d=$(mktemp -d) && mkdir "$d/qemu-$MOCK_VERSION" &&
        echo "$MOCK_VERSION" > "$d/qemu-$MOCK_VERSION/VERSION" &&
        tar -cJf "$MOCK_NAME" -C "$d" "qemu-$MOCK_VERSION" && rm -rf "$d"
        exit $? ;;
    esac
done
echo "mock apt-get: unexpected call: $*" >&2
exit 100
MOCK
chmod +x "$tmp/bin/apt-get"

n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }

# case NAME VERSION SHAPE: one fetch into a fresh cache.
run_case() {
    local name=$1 version=$2 shape=$3 enc hash cache out rc
    enc=$(printf '%s' "$name" | sed -e 's/%/%25/g' -e 's/+/%2b/g' -e 's/~/%7e/g')
    case "$shape" in
    sha256) hash="SHA256:$(printf '%064d' 0)" ;;
    md5) hash=$(printf '%032d' 0) ;;
    esac
    encdsc=$(printf '%s' "${name%%.orig.tar.*}-1.dsc" | sed -e 's/%/%25/g' -e 's/+/%2b/g' -e 's/~/%7e/g')
    cat > "$tmp/uris" <<URIS
'http://deb.example/debian/pool/main/q/qemu/$encdsc' ${name%%.orig.tar.*}-1.dsc 7000 $hash
'http://deb.example/debian/pool/main/q/qemu/$enc' $name 40000000 $hash
'http://deb.example/debian/pool/main/q/qemu/${enc%%.orig.tar.*}-1.debian.tar.xz' ${name%%.orig.tar.*}-1.debian.tar.xz 90000 $hash
URIS
    cache=$tmp/cache-$n
    out=$(PATH=$tmp/bin:$PATH UFS_CRYPTO_CACHE=$cache MOCK_URIS=$tmp/uris \
          MOCK_NAME=$name MOCK_VERSION=$version "$fetch" 2> "$tmp/stderr")
    rc=$?
    local what="$shape line, $name"
    if [ "$rc" != 0 ]; then
        not_ok "$what: fetch-qemu.sh exited $rc: $(tail -2 "$tmp/stderr" | tr '\n' ' ')"
        return
    fi
    ok "$what: fetch-qemu.sh succeeds"
    if [ "$out" = "$cache/qemu-src/$version" ] && [ "$(cat "$out/VERSION" 2>/dev/null)" = "$version" ]; then
        ok "$what: prints the unpacked tree $version"
    else
        not_ok "$what: printed '$out', expected $cache/qemu-src/$version with its VERSION"
    fi
    local left
    left=$(cd "$cache/qemu-src" && ls -A | tr '\n' ' ')
    if [ "$left" = "$version " ]; then
        ok "$what: nothing else in qemu-src/"
    else
        not_ok "$what: qemu-src/ holds: $left"
    fi
    if [ -f "$cache/qemu-dl/$name" ]; then
        ok "$what: the download keeps apt's file name"
    else
        not_ok "$what: no $name in qemu-dl/: $(ls -A "$cache/qemu-dl" | tr '\n' ' ')"
    fi
    # A second run finds the tree and downloads nothing.
    out2=$(PATH=$tmp/bin:$PATH UFS_CRYPTO_CACHE=$cache MOCK_URIS=$tmp/uris \
           MOCK_NAME=/nonexistent MOCK_VERSION=$version "$fetch" 2>/dev/null)
    if [ "$out2" = "$out" ]; then ok "$what: a second run reuses the tree"
    else not_ok "$what: a second run printed '$out2'"; fi
}

run_case 'qemu_10.0.13+ds.orig.tar.xz' 10.0.13 sha256
run_case 'qemu_10.0.13+ds.orig.tar.xz' 10.0.13 md5
run_case 'qemu_10.0.0~rc2+ds%1.orig.tar.xz' '10.0.0~rc2' sha256

# The parser alone, as fetch-qemu.sh uses it.
# shellcheck source=../lib.sh
source "$top/scripts/lib.sh"
got=$(printf "%s\n" "'http://h/p/qemu_1%2b2.orig.tar.gz' qemu_1+2.orig.tar.gz 5 SHA256:00" \
      "'http://h/p/x.dsc' x.dsc 1 00" | print_uris_file 'qemu_*.orig.tar.*')
if [ "$got" = 'qemu_1+2.orig.tar.gz' ]; then ok "print_uris_file takes the name field"
else not_ok "print_uris_file printed '$got'"; fi
if printf "%s\n" "'http://h/p/x.dsc' x.dsc 1 00" | print_uris_file 'qemu_*.orig.tar.*' >/dev/null; then
    not_ok "print_uris_file finds an orig tarball where there is none"
else ok "print_uris_file fails when there is no orig tarball"; fi

echo "1..$n"
[ "$failed" = 0 ]
