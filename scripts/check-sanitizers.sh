#!/usr/bin/env bash
# check-sanitizers.sh: build qemu-system-x86_64 with clang's AddressSanitizer
# and UndefinedBehaviorSanitizer (the build the fuzzer uses too; its crypto
# backend is the one the default build does not use: nettle), run the
# device's unit tests, the qtests and the end-to-end tests (UFS in doorbell
# mode and eMMC, each with its migration, and the hardware-wrapped key
# scenario on Linux 7.3) on it, and fail on any sanitizer report.  Leak
# detection is off: QEMU does not free everything at exit, upstream code
# included.  Appends "PASSED FAILED" to $UFSC_RESULTS when set.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
crypto=$(san_crypto)
step "QEMU with -fsanitize=address,undefined ($crypto, x86_64 only)"
build=$(san_build)
"$UFSC_TOP/scripts/run-tests.sh" "$build:sanitizers-$crypto:x86_64" || true

step "end-to-end on x86_64 under the sanitizers"
run_e2e e2e-sanitizers "$UFSC_CACHE/e2e-sanitizers" --arch x86_64 --quick --migrate \
    --timeout 600 --qemu "$build"
[ -n "${UFSC_RESULTS:-}" ] && echo "$e2e_passed $e2e_failed" >> "$UFSC_RESULTS"
failed=$e2e_failed
echo "sanitizers: $e2e_passed passed, $e2e_failed failed"

step "end-to-end on x86_64, eMMC, under the sanitizers"
run_e2e e2e-emmc-sanitizers "$UFSC_CACHE/e2e-emmc-sanitizers" --storage emmc --arch x86_64 \
    --quick --migrate --timeout 900 --qemu "$build"
[ -n "${UFSC_RESULTS:-}" ] && echo "$e2e_passed $e2e_failed" >> "$UFSC_RESULTS"
echo "sanitizers, eMMC: $e2e_passed passed, $e2e_failed failed"
failed=$((failed + e2e_failed))

step "hardware-wrapped keys on x86_64 (Linux 7.3) under the sanitizers"
run_e2e_wrapped e2e-wrapped-sanitizers "$UFSC_CACHE/e2e-wrapped-sanitizers" --arch x86_64 \
    --timeout 600 --qemu "$build" \
    --kernel "$("$UFSC_TOP/scripts/build-kernel.sh" x86_64 7.3)"
[ -n "${UFSC_RESULTS:-}" ] && echo "$e2e_passed $e2e_failed" >> "$UFSC_RESULTS"
echo "sanitizers, wrapped keys: $e2e_passed passed, $e2e_failed failed"
[ "$failed" = 0 ] && [ "$e2e_failed" = 0 ]
