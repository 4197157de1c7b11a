#!/usr/bin/env bash
# run-tests.sh BUILD_DIR[:LABEL[:ARCHES]]...: run the device's tests on
# each QEMU build, TAP per test, and end with the line "N passed, N failed".
# LABEL names the build in the logs; ARCHES (comma-separated, default
# aarch64,x86_64) selects the qtest targets.
set -uo pipefail
source "$(dirname "$0")/lib.sh"

log=$UFSC_CACHE/test-logs
mkdir -p "$log"
passed=0 failed=0

# run_tap NAME CMD...: run a TAP-speaking test binary, count its results.
run_tap() {
    local name=$1; shift
    local out=$log/$name.tap rc n_ok n_fail start
    start=$(date +%s)
    (cd "$build" && timeout 600 "$@") > "$out" 2>&1
    rc=$?
    n_ok=$(grep -c '^ok ' "$out")
    n_fail=$(grep -c '^not ok ' "$out")
    if grep -qE 'runtime error:|ERROR: AddressSanitizer|ERROR: LeakSanitizer' "$out"; then
        echo "    not ok - $name: sanitizer report:"
        grep -E -m5 'runtime error:|ERROR: AddressSanitizer|ERROR: LeakSanitizer' "$out" | sed 's|^|        |'
        n_fail=$((n_fail + 1))
    fi
    grep -E '^(ok|not ok) ' "$out" | sed "s|^|    |"
    if [ "$rc" != 0 ] && [ "$n_fail" = 0 ]; then
        # A crash or a failed assertion ends the binary before "not ok".
        n_fail=1
        echo "    not ok - $name exited with status $rc:"
        grep -E 'ERROR|Bail out|assert|error' "$out" | head -5 | sed 's|^|        |'
    fi
    passed=$((passed + n_ok)); failed=$((failed + n_fail))
    step "$name: $n_ok passed, $n_fail failed ($(( $(date +%s) - start ))s, log $out)"
}

for spec in "$@"; do
    IFS=: read -r build label arches <<< "$spec"
    label=${label:-gcrypt}
    arches=${arches:-aarch64,x86_64}

    step "[$label] unit tests: inline crypto engine (IEEE P1619 and testmgr vectors)"
    run_tap "$label-unit-inline-crypto" tests/unit/test-inline-crypto --tap -k
    step "[$label] unit tests: Adiantum (reference vectors, RFC 8439)"
    run_tap "$label-unit-crypto-adiantum" tests/unit/test-crypto-adiantum --tap -k

    for arch in ${arches//,/ }; do
        case $arch in
        aarch64) node=/aarch64/virt/generic-pcihost/pci-bus-generic/pci-bus ;;
        x86_64) node=/x86_64/pc/i440FX-pcihost/pci-bus-pc/pci-bus ;;
        esac
        step "[$label] qtests on $arch: ufs-test on -device ufs, ufs-crypto-test"
        QTEST_QEMU_BINARY=./qemu-system-$arch run_tap "$label-qtest-$arch" \
            tests/qtest/qos-test --tap -k -p "$node/ufs/ufs-tests" \
            -p "$node/ufs-crypto/ufs-crypto-tests"
    done
done

echo
echo "$passed passed, $failed failed"
# check.sh adds these to the other results.
[ -n "${UFSC_RESULTS:-}" ] && echo "$passed $failed" >> "$UFSC_RESULTS"
[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
