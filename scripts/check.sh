#!/usr/bin/env bash
# check.sh: what "make check" runs.  Builds what is missing, runs every
# test and ends with the line "N passed, N failed".  The work is ordered so
# that a failure shows early: each build is followed by the tests that use
# it, the cheapest first.
#
#   1. host-side tests: apt's --print-uris parsing of fetch-qemu.sh, the
#      host check's Adiantum against the published vectors (no build)
#   2. QEMU (gcrypt): the engine's unit tests and the qtests (upstream
#      ufs-test on -device ufs, ufs-crypto-test, emmc-crypto-test, upstream
#      sdhci-test on -device sdhci-pci) on aarch64 and x86_64; make install
#      into a scratch prefix, its binaries, make uninstall
#   3. the end-to-end test: a Linux guest using fscrypt -o inlinecrypt on
#      -device ufs-crypto with the host-side ciphertext check, on aarch64
#      (doorbell mode) and x86_64 (MCQ mode, with a migration), then the
#      same on two -device emmc-crypto on each (x86_64 with a migration),
#      with the Linux 6.12 guest and again with the Linux 7.3 guest
#      (--kernel-version 7.3), and on 7.3 the hardware-wrapped key scenario
#      (scripts/e2e-wrapped.sh) on each (UFSC_CHECK_E2E=0 skips it)
#   4. QEMU built with clang, ASan, UBSan and libFuzzer's instrumentation
#      (x86_64), with the other crypto backend (nettle): unit tests, qtests
#      and the x86_64 end-to-end tests (UFS and eMMC, each with a
#      migration, and the hardware-wrapped keys), failing on any
#      sanitizer report (UFSC_CHECK_SANITIZERS=0 skips it); then, on the
#      same build, a short fuzzing run of -device ufs-crypto and of
#      -device emmc-crypto with a fixed seed (UFSC_CHECK_FUZZ=0 skips it)
#
# The elapsed time of each step and the total are printed at the end.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

start=$(date +%s) last=$start
times=$(mktemp) results=$(mktemp)
trap 'rm -f "$results" "$times"' EXIT
# mark WHAT: WHAT took the time since the previous mark.
mark() {
    local now
    now=$(date +%s)
    printf '  %-52s %5ss\n' "$1" $((now - last)) >> "$times"
    step "$1: $((now - last))s"
    last=$now
}

"$UFSC_TOP/scripts/deps.sh" test
UFSC_RESULTS=$results "$UFSC_TOP/scripts/run-host-tests.sh" || true
mark "host-side tests (packages, parsing, Adiantum)"

crypto=${UFSC_CRYPTO:-gcrypt}
build=$("$UFSC_TOP/scripts/build-qemu.sh")
export QEMU_BUILD=$build
mark "QEMU build ($crypto, aarch64 and x86_64)"
UFSC_RESULTS=$results "$UFSC_TOP/scripts/run-tests.sh" "$build:$crypto" || true
mark "unit tests and qtests ($crypto)"
UFSC_RESULTS=$results "$UFSC_TOP/scripts/run-host-tests.sh" --install || true
mark "make install, use, make uninstall"

if [ "${UFSC_CHECK_E2E:-1}" = 1 ]; then
    for arch in aarch64 x86_64; do
        initrd=$("$UFSC_TOP/scripts/build-initramfs.sh" "$arch")
        # The same four runs on each guest kernel series; 6.12 keeps the
        # names without a version (e2e-ARCH, e2e-emmc-ARCH).
        for kv in 6.12 7.3; do
            sfx='' what=''
            [ "$kv" = 6.12 ] || sfx=-$kv what=", Linux $kv"
            kernel=$("$UFSC_TOP/scripts/build-kernel.sh" "$arch" "$kv")
            mark "guest kernel $kv and initramfs ($arch)"
            step "end-to-end on $arch$what: guest scenario, host check"
            # aarch64: doorbell mode, as kernel CI runs it (no migration;
            # the sanitizer run migrates in doorbell mode).  x86_64: MCQ
            # mode, with a migration.
            opts=()
            [ "$arch" = x86_64 ] && opts=(--props mcq=on --migrate)
            run_e2e "e2e$sfx-$arch" "$UFSC_CACHE/e2e$sfx-$arch" --kernel-version "$kv" \
                --arch "$arch" --quick --timeout 300 \
                --kernel "$kernel" --initrd "$initrd" --qemu "$build" "${opts[@]}"
            echo "$e2e_passed $e2e_failed" >> "$results"
            mark "end-to-end test ($arch$what): $e2e_passed passed, $e2e_failed failed"
            step "end-to-end on $arch, eMMC$what: guest scenario, host check"
            # x86_64 with a migration, as for UFS.  The timeout is only a
            # guard against a hung guest.
            opts=()
            [ "$arch" = x86_64 ] && opts=(--migrate)
            run_e2e "e2e-emmc$sfx-$arch" "$UFSC_CACHE/e2e-emmc$sfx-$arch" --storage emmc \
                --kernel-version "$kv" --arch "$arch" --quick --timeout 900 \
                --kernel "$kernel" --initrd "$initrd" --qemu "$build" "${opts[@]}"
            echo "$e2e_passed $e2e_failed" >> "$results"
            mark "end-to-end test, eMMC ($arch$what): $e2e_passed passed, $e2e_failed failed"
            [ "$kv" = 7.3 ] || continue
            step "hardware-wrapped keys on $arch$what: four boots, host check"
            run_e2e_wrapped "e2e-wrapped-$arch" "$UFSC_CACHE/e2e-wrapped-$arch" --arch "$arch" \
                --kernel "$kernel" --initrd "$initrd" --qemu "$build"
            echo "$e2e_passed $e2e_failed" >> "$results"
            mark "hardware-wrapped keys ($arch$what): $e2e_passed passed, $e2e_failed failed"
        done
    done
fi

# The sanitizer build also keeps the other crypto backend working: its
# unit tests and qtests run on nettle (gcrypt with --crypto=nettle).
if [ "${UFSC_CHECK_SANITIZERS:-1}" = 1 ] || [ "${UFSC_CHECK_FUZZ:-1}" = 1 ]; then
    UFSC_SAN_BUILD=$(san_build)
    export UFSC_SAN_BUILD
    mark "QEMU build ($(san_crypto); clang, ASan, UBSan, fuzzing; x86_64)"
fi
if [ "${UFSC_CHECK_SANITIZERS:-1}" = 1 ]; then
    UFSC_RESULTS=$results "$UFSC_TOP/scripts/check-sanitizers.sh" || true
    mark "tests under ASan and UBSan ($(san_crypto))"
fi
if [ "${UFSC_CHECK_FUZZ:-1}" = 1 ]; then
    UFSC_RESULTS=$results UFSC_FUZZ_RUNS=${UFSC_FUZZ_RUNS:-2000} \
        "$UFSC_TOP/scripts/fuzz.sh" || true
    mark "fuzzing (${UFSC_FUZZ_RUNS:-2000} inputs per device, fixed seed)"
fi

echo
echo "make check: time per step"
cat "$times"
printf '  %-52s %5ss\n' "total" $(( $(date +%s) - start ))
echo
awk '{ p += $1; f += $2 } END { printf("%d passed, %d failed\n", p, f); exit (f > 0 || p == 0) }' "$results"
