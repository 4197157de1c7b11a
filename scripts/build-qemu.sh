#!/usr/bin/env bash
# build-qemu.sh: lay our overlay and patch queue over a QEMU 10.0 tree and build
# qemu-system-aarch64, qemu-system-x86_64 and the tests we run.
#
# The patched tree and its build directory live in the cache, keyed by QEMU
# version, crypto backend and the content of the patch queue; overlay files
# are synced into an existing tree so that ninja rebuilds only what changed.
# ccache makes a new key cheap.  Prints the build directory on stdout.
#
# Environment: QEMU_SRC (a pristine QEMU checkout instead of Debian's source
# package), UFSC_CRYPTO (gcrypt, default, or nettle), UFSC_TARGETS,
# UFSC_SANITIZE=1 (clang with AddressSanitizer, UndefinedBehaviorSanitizer
# and libFuzzer's instrumentation: one build serves the sanitizer tests and
# the fuzzer, qemu-fuzz-<target>; san_build in lib.sh names it).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

# The whole job holds the build lock: two runs must not prepare the same
# tree at once, and two compiler farms on 2 cores only slow each other.
if [ -z "${UFSC_LOCKED:-}" ]; then
    mkdir -p "$UFSC_CACHE"
    exec env UFSC_LOCKED=1 flock "$UFSC_LOCK" "$0" "$@"
fi

crypto=${UFSC_CRYPTO:-gcrypt}
targets=${UFSC_TARGETS:-aarch64-softmmu,x86_64-softmmu}
case "$crypto" in gcrypt|nettle) ;; *) die "UFSC_CRYPTO must be gcrypt or nettle";; esac

"$UFSC_TOP/scripts/deps.sh" qemu >&2
if [ -n "${QEMU_SRC:-}" ]; then
    pristine=$(cd "$QEMU_SRC" && pwd)
else
    pristine=$("$UFSC_TOP/scripts/fetch-qemu.sh")
fi
ver=$(cat "$pristine/VERSION")
case "$ver" in 10.0.*) ;; *) step "warning: QEMU $ver is not 10.0.x; the patch queue targets 10.0";; esac

# Only the devices of configs/devices/*/ufs-crypto.mak (the machines our
# tests and users boot, the UFS controllers, virtio and a few more), not
# every board of each target: about half the build.
configure_args=(--target-list="$targets" --without-default-features
    --without-default-devices --enable-tools
    --enable-tcg --enable-slirp --enable-fdt=system --enable-"$crypto"
    --disable-docs --disable-debug-info --disable-install-blobs
    --python=/usr/bin/python3)
for t in ${targets//,/ }; do
    configure_args+=(--with-devices-"${t%-softmmu}"=ufs-crypto)
done
flavour=$crypto
sanitize=0
if [ "${UFSC_SANITIZE:-0}" = 1 ]; then
    sanitize=1
    need_pkgs clang libclang-rt-dev
    # -O1, as sanitizer builds usually are: quicker to build, still fast
    # enough for the tests and the fuzzer.
    configure_args+=(--cc=clang --cxx=clang++ --enable-asan --enable-ubsan --enable-fuzzing
                     --extra-cflags=-O1)
    # The x86 option ROMs (-kernel boots) are built by the host's GNU
    # toolchain: configure's probe of clang for 32-bit code fails here, and
    # its default i686-linux-gnu- tools are not installed.
    if [ "$(uname -m)" = x86_64 ]; then
        configure_args+=(--cross-prefix-i386=x86_64-linux-gnu-)
    fi
    flavour=$crypto-san
fi

# One tree per backend, sanitizer setting and target list, so that the
# builds make check uses (both targets; aarch64 only; x86_64 only) do not
# evict one another.
tag=${targets//-softmmu/}
flavour=$flavour.${tag//,/+}
key=$( { echo "$pristine"; echo "${configure_args[*]}"; cat "$UFSC_TOP"/patches/qemu/*.patch 2>/dev/null || true;
         cat "$UFSC_TOP"/configs/devices/*/*.mak; } |
       sha256sum | cut -c1-12)
root=$UFSC_CACHE/qemu-build
work=$root/$ver-$flavour-$key
src=$work/src build=$work/build

# Depend mode: on a miss ccache runs the compiler once and takes the
# dependencies from its -MD file, instead of running the preprocessor
# first; a cold build costs what it costs without ccache (measured: +45 %
# CPU in the default mode).
export CCACHE_DIR=$UFSC_CACHE/ccache CCACHE_BASEDIR=$root CCACHE_NOHASHDIR=1 CCACHE_DEPEND=1
export PATH=/usr/lib/ccache:$PATH
mkdir -p "$CCACHE_DIR"; ccache -M 8G >/dev/null

if [ ! -f "$src/.patched" ]; then
    step "preparing QEMU $ver tree ($flavour, patch queue $key)"
    rm -rf "$work"; mkdir -p "$work"
    cp -a "$pristine" "$src"
    for p in "$UFSC_TOP"/patches/qemu/*.patch; do
        [ -e "$p" ] || continue
        step "  applying $(basename "$p")"
        patch -s -p1 -d "$src" < "$p" || die "patch $(basename "$p") does not apply"
    done
    # Debian's +ds tarball has no edk2 firmware, but meson unpacks it whenever
    # bzip2 is installed.  Direct -kernel boots need no firmware: provide empty
    # placeholders so that the build goes through.
    for f in "$src"/pc-bios/meson.build; do
        for fd in $(sed -n "s/^ *'\(edk2-[a-z0-9_-]*\.fd\)',\$/\1/p" "$f"); do
            [ -e "$src/pc-bios/$fd.bz2" ] || bzip2 -c </dev/null > "$src/pc-bios/$fd.bz2"
        done
    done
    touch "$src/.patched"
fi

# Sync the overlay: only files whose content changed are copied.
(cd "$UFSC_TOP" && for d in hw include tests docs crypto configs; do if [ -d "$d" ]; then find "$d" -type f; fi; done) |
while read -r f; do
    if ! cmp -s "$UFSC_TOP/$f" "$src/$f"; then
        mkdir -p "$(dirname "$src/$f")"
        cp "$UFSC_TOP/$f" "$src/$f"
    fi
done

if [ ! -f "$build/build.ninja" ]; then
    step "configuring QEMU $ver: ${configure_args[*]}"
    rm -rf "$build"; mkdir -p "$build"
    (cd "$build" && "$src/configure" "${configure_args[@]}" > configure.log 2>&1) ||
        { tail -30 "$build/configure.log" >&2; die "QEMU configure failed (log: $build/configure.log)"; }
fi

step "building QEMU (ninja; progress below)"
# UFSC_NINJA_TARGETS: only these (make demo needs only qemu-system-aarch64;
# make check completes the same tree later).
# shellcheck disable=SC2206 # a list of words on purpose
ninja_targets=(${UFSC_NINJA_TARGETS:-qemu-system-aarch64 qemu-system-x86_64 qemu-img tests/qtest/qos-test
               tests/unit/test-inline-crypto tests/unit/test-crypto-adiantum
               tests/unit/test-crypto-cmac}
               ${UFSC_EXTRA_TARGETS:-})
# Filter targets to those the target list builds.
tt=()
if [ "$sanitize" = 1 ]; then
    for t in ${targets//,/ }; do ninja_targets+=("qemu-fuzz-${t%-softmmu}"); done
fi
for t in "${ninja_targets[@]}"; do
    case "$t" in qemu-system-*) [[ ",$targets," == *",${t#qemu-system-}-softmmu,"* ]] || continue;; esac
    tt+=("$t")
done
start=$(date +%s)
# ninja's status line, one line per 10% so that logs stay readable.
ninja -C "$build" "${tt[@]}" 2>&1 |
    awk -v step=10 '/^\[[0-9]+\/[0-9]+\]/ { split(substr($1,2,length($1)-2), a, "/"); p = int(100*a[1]/a[2]);
                     if (p >= next_p) { printf("    %3d%% (%s/%s)\n", p, a[1], a[2]) > "/dev/stderr"; next_p = p + step } next }
                   { print > "/dev/stderr" }' 
[ "${PIPESTATUS[0]}" = 0 ] || die "QEMU build failed"
if [ -f "$build/pc-bios/optionrom/config.mak" ]; then
    make -s -C "$build" pc-bios/optionrom/all > "$build/optionrom.log" 2>&1 ||
        die "building QEMU's option ROMs failed (log: $build/optionrom.log)"
fi

# Firmware the +ds tarball lacks, from Debian's packages, where the build
# tree's QEMU looks for it.
datadir=$build/qemu-bundle/usr/local/share/qemu
mkdir -p "$datadir"
for f in /usr/share/seabios/*.bin /usr/lib/ipxe/qemu/*.rom "$build"/pc-bios/optionrom/*.bin; do
    [ -e "$f" ] && ln -sfn "$f" "$datadir/"
done
step "QEMU built in $(( $(date +%s) - start ))s: $build"
ln -sfn "$work" "$root/latest"
# Trees of older patch queues are dead weight (ccache keeps their objects);
# trees that are git checkouts are someone's development trees: kept.
for old in "$root/$ver-$flavour-"*; do
    case "${old#"$root/$ver-$flavour-"}" in *-*) continue ;; esac
    [ "$old" = "$work" ] || [ -d "$old/src/.git" ] || rm -rf "$old"
done
echo "$build"
