#!/usr/bin/env bash
# check-sanitizers.sh: build qemu-system-x86_64 with clang's AddressSanitizer
# and UndefinedBehaviorSanitizer (the build the fuzzer uses too; its crypto
# backend is the one the default build does not use: nettle), run the
# device's unit tests, the qtests and the end-to-end test (doorbell mode,
# with its migration) on it, and fail on any sanitizer report.  Leak
# detection is off: QEMU does not free everything at exit, upstream code
# included.  Appends "PASSED FAILED" to $UFSC_RESULTS when set.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
step "building QEMU with -fsanitize=address,undefined ($(san_crypto), x86_64 only)"
crypto=$(san_crypto)
build=$(UFSC_CRYPTO=$crypto UFSC_SANITIZE=1 UFSC_TARGETS=x86_64-softmmu "$UFSC_TOP/scripts/build-qemu.sh")
"$UFSC_TOP/scripts/run-tests.sh" "$build:sanitizers-$crypto:x86_64" || true

step "end-to-end on x86_64 under the sanitizers"
log=$UFSC_CACHE/test-logs/e2e-sanitizers.log
out=$UFSC_CACHE/e2e-sanitizers
set +e
"$UFSC_TOP/scripts/e2e.sh" --arch x86_64 --quick --migrate --timeout 600 --qemu "$build" --out "$out" > "$log"
rc=$?
set -e
p=$(sed -n 's/^e2e: \([0-9]*\) passed.*/\1/p' "$log" | tail -1)
f=$(sed -n 's/^e2e: [0-9]* passed, \([0-9]*\) failed.*/\1/p' "$log" | tail -1)
p=${p:-0} f=${f:-0}
# qemu-dst.log: the QEMU the guest was migrated to
if grep -qE 'runtime error:|ERROR: AddressSanitizer' "$out"/qemu*.log; then
    echo "    not ok - e2e under sanitizers: report in $out/qemu.log or qemu-dst.log"
    grep -h -E -m5 -A3 'runtime error:|ERROR: AddressSanitizer' "$out"/qemu*.log | sed 's/^/        /'
    f=$((f + 1))
elif [ "$rc" != 0 ] && [ "$f" = 0 ]; then
    f=1
fi
[ "$rc" = 0 ] && echo "    ok - e2e x86_64 under sanitizers: $p checks passed, no sanitizer report"
grep -E '^  (migration|host check|times):' "$out/report.txt" 2>/dev/null | sed 's/^/    /' || true
[ -n "${UFSC_RESULTS:-}" ] && echo "$p $f" >> "$UFSC_RESULTS"
echo "sanitizers: $p passed, $f failed"
[ "$f" = 0 ]
