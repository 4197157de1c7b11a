#!/usr/bin/env bash
# run-tests.sh BUILD_DIR[:LABEL[:ARCHES]]...: run the device's tests on
# each QEMU build, TAP per test, and end with the line "N passed, N failed".
# LABEL names the build in the logs; ARCHES (comma-separated, default
# aarch64,x86_64) selects the qtest targets.
set -uo pipefail
source "$(dirname "$0")/lib.sh"

for spec in "$@"; do
    IFS=: read -r build label arches <<< "$spec"
    tap_dir=$build
    label=${label:-gcrypt}
    arches=${arches:-aarch64,x86_64}

    step "[$label] unit tests: inline crypto engine (IEEE P1619 and testmgr vectors)"
    run_tap "$label-unit-inline-crypto" tests/unit/test-inline-crypto --tap -k
    step "[$label] unit tests: Adiantum (reference vectors, RFC 8439)"
    run_tap "$label-unit-crypto-adiantum" tests/unit/test-crypto-adiantum --tap -k
    step "[$label] unit tests: AES-CMAC and the SP 800-108 KDF (RFC 4493, SP 800-38B, CAVP, Android VTS)"
    run_tap "$label-unit-crypto-cmac" tests/unit/test-crypto-cmac --tap -k

    for arch in ${arches//,/ }; do
        case $arch in
        aarch64) node=/aarch64/virt/generic-pcihost/pci-bus-generic/pci-bus ;;
        x86_64) node=/x86_64/pc/i440FX-pcihost/pci-bus-pc/pci-bus ;;
        esac
        step "[$label] qtests on $arch: ufs-test on -device ufs, ufs-crypto-test, emmc-crypto-test, sdhci-test on -device sdhci-pci"
        QTEST_QEMU_BINARY=./qemu-system-$arch run_tap "$label-qtest-$arch" \
            tests/qtest/qos-test --tap -k -p "$node/ufs/ufs-tests" \
            -p "$node/ufs-crypto/ufs-crypto-tests" \
            -p "$node/emmc-crypto/emmc-crypto-tests" \
            -p "$node/sdhci-pci/sdhci/sdhci-tests"
    done
done

echo
echo "$tap_passed passed, $tap_failed failed"
# check.sh adds these to the other results.
[ -n "${UFSC_RESULTS:-}" ] && echo "$tap_passed $tap_failed" >> "$UFSC_RESULTS"
[ "$tap_failed" = 0 ] && [ "$tap_passed" -gt 0 ]
