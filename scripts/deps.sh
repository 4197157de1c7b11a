#!/usr/bin/env bash
# deps.sh GROUP...: install the Debian packages a step needs, if missing.
#   qemu    build QEMU (meson >= 1.5 from bookworm-backports); lib32gcc
#           lets it build its x86 option ROMs (-kernel boots on x86), and
#           SeaBIOS and iPXE's ROMs, absent from Debian's +ds tarball, come
#           from their Debian packages
#   test    run the device tests (second crypto library for the checks)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

for group in "$@"; do
    case "$group" in
    qemu)
        need_pkgs build-essential ninja-build pkg-config flex bison bzip2 xz-utils \
                  python3 python3-venv ccache libglib2.0-dev libgcrypt20-dev nettle-dev \
                  libslirp-dev libfdt-dev libpixman-1-dev \
                  lib32gcc-12-dev seabios ipxe-qemu
        # QEMU 10.0 needs meson >= 1.5; bookworm has 1.0.
        if ! dpkg --compare-versions "$(dpkg-query -W -f='${Version}' meson 2>/dev/null || echo 0)" ge 1.5; then
            [ "$(id -u)" = 0 ] || die "meson >= 1.5 is needed (bookworm-backports)"
            step "installing meson and python3-pycotap from bookworm-backports"
            apt_private_init
            DEBIAN_FRONTEND=noninteractive net_retry "installing meson from bookworm-backports" \
                apt_private -y -qq -o Dpkg::Use-Pty=0 install --no-install-recommends meson/bookworm-backports \
                python3-pycotap/bookworm-backports >/dev/null ||
                die "installing meson from bookworm-backports failed"
        fi
        ;;
    test)
        need_pkgs libssl-dev python3-cryptography
        ;;
    *) die "unknown dependency group: $group" ;;
    esac
done
