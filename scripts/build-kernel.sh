#!/usr/bin/env bash
# build-kernel.sh ARCH [VERSION]: build the guest kernel for the end-to-end test.
#   ARCH: arm64 (alias aarch64) or x86_64 (alias x86, amd64)
#   VERSION: the Linux series, 6.12 (default) or 7.3
#
# Source: Debian's linux-source-VERSION, unpacked once into the cache.
#   6.12: linux-source-6.12 from bookworm-backports, installed with apt
#         (its /usr/src/linux-source-6.12.tar.xz);
#   7.3:  linux-source-7.3 from trixie-backports (architecture all), whose
#         .deb is downloaded into $UFSC_CACHE/linux/debs through the private
#         apt configuration (lib.sh apt_private), never installed; the
#         newest one there is reused.  UFSC_LINUX_DEB_VERSION asks for
#         another version of the package (e.g. 7.3.4-1~bpo13+1).
# patches/linux/VERSION/*.patch are applied to a private copy of it, and the
# kernel is built out of tree from allnoconfig plus guest/kernel/ARCH.config
# (7.3: merged with guest/kernel/7.3.config, see there), in
# $UFSC_CACHE/linux/<kernelversion>-<ARCH>-<key>, the key hashing the source
# package version, the patches, the fragment, the toolchain and $recipe.  A
# finished build with the same key is reused.  The heavy part runs
# under the machine-wide build lock.  Prints the kernel image path on stdout;
# progress goes to stderr, the full make output to build.log in the build dir.
#
# Environment: UFSC_KERNEL_JOBS (default: nproc), UFSC_NO_CCACHE=1,
# UFSC_LINUX_DEB_VERSION (7.3 only).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

# Bump when the way the kernel is configured or built changes.
recipe=1

[ $# -eq 1 ] || [ $# -eq 2 ] || die "usage: $0 arm64|x86_64 [6.12|7.3]"
case "$1" in
arm64|aarch64) arch=arm64 karch=arm64 image=arch/arm64/boot/Image gnu=aarch64-linux-gnu ;;
x86_64|x86|amd64) arch=x86_64 karch=x86 image=arch/x86/boot/bzImage gnu=x86_64-linux-gnu ;;
*) die "unknown architecture: $1 (arm64 or x86_64)" ;;
esac
version=${2:-6.12}
case "$version" in
6.12|7.3) ;;
*) die "unknown Linux version: $version (6.12 or 7.3)" ;;
esac
srcpkg=linux-source-$version

fragment=$UFSC_TOP/guest/kernel/$arch.config
[ -f "$fragment" ] || die "missing config fragment $fragment"
# The fragment of a newer series: the base one with its delta merged in.
delta=
if [ "$version" != 6.12 ]; then
    delta=$UFSC_TOP/guest/kernel/$version.config
    [ -f "$delta" ] || die "missing config fragment $delta"
fi

cross=
if [ "$(uname -m)" != "${gnu%%-*}" ]; then
    cross=$gnu-
fi
pkgs=(bc flex bison cpio libelf-dev libssl-dev kmod make gcc patch xz-utils)
[ "$version" = 6.12 ] && pkgs+=(linux-source-6.12/bookworm-backports)
[ -n "$cross" ] && pkgs+=("gcc-$gnu")
need_pkgs "${pkgs[@]}"

linux=$UFSC_CACHE/linux
mkdir -p "$linux"

# fetch_source_deb: the path of the newest $srcpkg .deb in the cache
# (of version $UFSC_LINUX_DEB_VERSION if set), downloaded first if there is
# none.  apt names the file PACKAGE_VERSION_all.deb.
fetch_source_deb() {
    local want=${UFSC_LINUX_DEB_VERSION:-} debdir=$linux/debs deb tmp
    mkdir -p "$debdir"
    deb=$(find "$debdir" -maxdepth 1 -name "${srcpkg}_${want:-*}_all.deb" | sort -V | tail -1)
    if [ -z "$deb" ]; then
        step "downloading $srcpkg${want:+ $want} (trixie-backports, 160 MB; private apt configuration)"
        apt_private_init
        tmp=$(mktemp -d "$debdir/dl.XXXXXX")
        (cd "$tmp" && net_retry "downloading $srcpkg" \
            apt_private -qq download "$srcpkg${want:+=$want}" >/dev/null) ||
            { rm -rf "$tmp"; die "downloading $srcpkg${want:+=$want} failed"; }
        mv "$tmp"/"${srcpkg}"_*_all.deb "$debdir/" 2>/dev/null ||
            { rm -rf "$tmp"; die "apt downloaded no ${srcpkg}_*_all.deb"; }
        rmdir "$tmp"
        deb=$(find "$debdir" -maxdepth 1 -name "${srcpkg}_${want:-*}_all.deb" | sort -V | tail -1)
        [ -n "$deb" ] || die "$srcpkg${want:+ $want} did not download"
    fi
    [ "$(dpkg-deb -f "$deb" Package)" = "$srcpkg" ] || die "$deb is not a $srcpkg package"
    echo "$deb"
}

tarball=/usr/src/$srcpkg.tar.xz
if [ "$version" = 6.12 ]; then
    [ -f "$tarball" ] || die "$tarball is missing (package $srcpkg)"
    debver=$(dpkg-query -W -f='${Version}' "$srcpkg")
else
    deb=$(fetch_source_deb)
    debver=$(dpkg-deb -f "$deb" Version)
fi

# 1. The pristine tree, unpacked once per source package version.
pristine=$linux/pristine-$debver
if [ ! -f "$pristine/.unpacked" ]; then
    (
        flock 9
        if [ ! -f "$pristine/.unpacked" ]; then
            rm -rf "$pristine" "$pristine.tmp"
            mkdir -p "$pristine.tmp"
            if [ "$version" = 6.12 ]; then
                step "unpacking $tarball ($debver) into the cache"
                tar -xJf "$tarball" -C "$pristine.tmp" --strip-components=1
            else
                step "unpacking .$tarball of $(basename "$deb") into the cache"
                dpkg-deb --fsys-tarfile "$deb" | tar -xO ".$tarball" |
                    tar -xJ -C "$pristine.tmp" --strip-components=1 ||
                    die "unpacking .$tarball from $deb failed"
            fi
            touch "$pristine.tmp/.unpacked"
            mv "$pristine.tmp" "$pristine"
        fi
    ) 9>"$linux/.prepare.lock"
fi
kver=$(make -s -C "$pristine" kernelversion 2>/dev/null) || die "cannot read the kernel version"

# 2. The patched private copy, one per source version and patch queue.
patches=()
for p in "$UFSC_TOP"/patches/linux/"$version"/*.patch; do
    [ -e "$p" ] && patches+=("$p")
done
pkey=$( { echo "$debver"; [ ${#patches[@]} -eq 0 ] || cat "${patches[@]}"; } | sha256sum | cut -c1-12)
src=$linux/src-$kver-$pkey
if [ ! -f "$src/.patched" ]; then
    (
        flock 9
        if [ ! -f "$src/.patched" ]; then
            step "preparing a patched Linux $kver tree (patch queue $pkey)"
            rm -rf "$src" "$src.tmp"
            cp -a "$pristine" "$src.tmp"
            for p in "${patches[@]}"; do
                step "  applying $(basename "$p")"
                patch -s -p1 -N -d "$src.tmp" < "$p" || die "patch $(basename "$p") does not apply"
            done
            touch "$src.tmp/.patched"
            mv "$src.tmp" "$src"
        fi
    ) 9>"$linux/.prepare.lock"
fi

# 3. The fragment: 6.12 takes guest/kernel/ARCH.config as it is; a newer
# series the base fragment with the delta's options replacing the base's
# lines for the same options, and without the lines its "# drop CONFIG_X"
# names (each must name an option of the base).
merge_fragment() { # BASE DELTA
    awk '
        function sym(line) {
            if (line ~ /^CONFIG_[A-Za-z0-9_]+=/) return substr(line, 1, index(line, "=") - 1)
            if (line ~ /^# CONFIG_[A-Za-z0-9_]+ is not set/) { split(line, w, " "); return w[2] }
            return ""
        }
        FNR == NR {
            if ($0 ~ /^# drop CONFIG_[A-Za-z0-9_]+/) { drop[$3] = 1; need[$3] = 1 }
            else if (sym($0) != "") drop[sym($0)] = 1
            next
        }
        (sym($0)) in drop { delete need[sym($0)]; next }
        { print }
        END {
            for (s in need) { print "error: " FILENAME ": " s " to drop is not in it" > "/dev/stderr"; bad = 1 }
            exit bad
        }' "$2" "$1" || return 1
    printf '\n# ---- %s\n' "${2#"$UFSC_TOP"/}"
    cat "$2"
}
if [ -n "$delta" ]; then
    fragment_text=$(merge_fragment "$fragment" "$delta") || die "cannot merge $delta into $fragment"
    fragment_name="$(basename "$fragment") + $(basename "$delta")"
else
    fragment_text=$(cat "$fragment")
    fragment_name=$(basename "$fragment")
fi

# 4. The build directory, keyed by everything that goes into the kernel.
key=$( { echo "recipe $recipe $debver $arch $cross"; "${cross}gcc" --version | head -1;
         [ ${#patches[@]} -eq 0 ] || cat "${patches[@]}"; printf '%s\n' "$fragment_text"; } |
       sha256sum | cut -c1-12)
build=$linux/$kver-$arch-$key
if [ -f "$build/.done" ] && [ -f "$build/$image" ]; then
    step "reusing cached kernel $build/$image"
    echo "$build/$image"
    exit 0
fi
mkdir -p "$build"
log=$build/build.log
fragment=$build/fragment.config
printf '%s\n' "$fragment_text" > "$fragment"

export KBUILD_BUILD_USER=ufs-crypto KBUILD_BUILD_HOST=ufs-crypto
export KBUILD_BUILD_TIMESTAMP="2025-01-01 00:00:00 UTC"
makeargs=(-C "$src" O="$build" ARCH="$karch" CROSS_COMPILE="$cross")
if [ "${UFSC_NO_CCACHE:-0}" != 1 ] && command -v ccache >/dev/null; then
    # Depend mode, as in build-qemu.sh: no extra preprocessor run on a miss.
    export CCACHE_DIR=$UFSC_CACHE/ccache CCACHE_BASEDIR=$linux CCACHE_NOHASHDIR=1 CCACHE_DEPEND=1
    mkdir -p "$CCACHE_DIR"
    makeargs+=(CC="ccache ${cross}gcc" HOSTCC="ccache gcc")
fi

# 5. Configuration: allnoconfig with the fragment, then olddefconfig, then
# check that Kconfig did not silently drop a requested option.
step "configuring Linux $kver for $arch: allnoconfig + $fragment_name"
{
    make "${makeargs[@]}" KCONFIG_ALLCONFIG="$fragment" allnoconfig
    make "${makeargs[@]}" olddefconfig
} > "$build/config.log" 2>&1 || { tail -20 "$build/config.log" >&2; die "kernel configuration failed"; }

bad=0
while IFS= read -r line; do
    case "$line" in
    CONFIG_*=*)
        opt=${line%%=*}
        if ! grep -qxF -- "$line" "$build/.config"; then
            got=$(grep -E "^(# )?${opt}[= ]" "$build/.config" || true)
            printf 'error: %s requested, .config has: %s\n' "$line" "${got:-nothing (unknown or unmet dependencies)}" >&2
            bad=1
        fi ;;
    "# CONFIG_"*" is not set")
        opt=${line#\# }; opt=${opt%% *}
        if grep -qE "^$opt=" "$build/.config"; then
            printf 'error: %s must be off, .config has: %s\n' "$opt" "$(grep -E "^$opt=" "$build/.config")" >&2
            bad=1
        fi ;;
    esac
done < "$fragment"
[ "$bad" = 0 ] || die "the kernel configuration does not have what $fragment_name asks for"
step "configuration checked: every option of $fragment_name is as requested"

# 6. Build, with a progress line per ~5% (estimated from the previous build
# of this architecture and series) or per 150 compiled files when there is
# no estimate.
est_file=$linux/.objcount-$arch
[ "$version" = 6.12 ] || est_file=$est_file-$version
est=$(cat "$est_file" 2>/dev/null || echo 0)
if ! flock -n "$UFSC_LOCK" true 2>/dev/null; then
    step "waiting for the build lock (another heavy build is running)"
fi
step "building Linux $kver ($arch) with make -j${UFSC_KERNEL_JOBS:-$(nproc)}; full log: $log"
start=$(date +%s)
set +e
with_build_lock make "${makeargs[@]}" -j"${UFSC_KERNEL_JOBS:-$(nproc)}" 2>&1 |
{
    n=0 next=0 t0=$(date +%s)
    : > "$log"
    while IFS= read -r l; do
        printf '%s\n' "$l" >> "$log"
        case "$l" in
        *" CC "*|*" AS "*) n=$((n + 1)) ;;
        *error:*|*Error\ *|*"undefined reference"*) printf '    %s\n' "$l" >&2; continue ;;
        *) continue ;;
        esac
        if [ "$est" -gt 0 ]; then
            pct=$((100 * n / est)); [ $pct -gt 99 ] && pct=99
            if [ $pct -ge $next ]; then
                printf '    %3d%% (%d files, %ds)\n' "$pct" "$n" $(( $(date +%s) - t0 )) >&2
                next=$((pct + 5))
            fi
        elif [ $n -ge $next ]; then
            printf '    %d files compiled (%ds)\n' "$n" $(( $(date +%s) - t0 )) >&2
            next=$((n + 150))
        fi
    done
    echo "$n" > "$build/.objcount"
}
rc=${PIPESTATUS[0]}
set -e
if [ "$rc" != 0 ] || [ ! -f "$build/$image" ]; then
    grep -E 'error|Error' "$log" | head -20 >&2 || true
    die "kernel build failed (exit $rc); full log: $log"
fi
objs=$(cat "$build/.objcount" 2>/dev/null || echo 0)
[ "$objs" -gt 200 ] && echo "$objs" > "$est_file"
touch "$build/.done"
step "kernel built in $(( $(date +%s) - start ))s: $build/$image"
echo "$build/$image"
