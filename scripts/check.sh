#!/usr/bin/env bash
# check.sh: what "make check" runs.  Builds what is missing, runs every
# test and ends with the line "N passed, N failed".
#
#   1. QEMU (gcrypt) and, for one target, QEMU with the other crypto backend
#   2. the engine's unit test and the qtests (upstream ufs-test on -device
#      ufs, ufs-crypto-test) on each build
#   3. the end-to-end test: a Linux guest using fscrypt -o inlinecrypt on
#      -device ufs-crypto, on aarch64 and x86_64, with the host-side
#      ciphertext check (UFSC_CHECK_E2E=0 skips it)
#   4. a QEMU built with ASan and UBSan: unit test, qtests and the aarch64
#      end-to-end test again, failing on any sanitizer report
#      (UFSC_CHECK_SANITIZERS=0 skips it)
#   5. a short fuzzing run of -device ufs-crypto with a fixed seed
#      (generic-fuzz, libFuzzer, ASan; UFSC_CHECK_FUZZ=0 skips it)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

start=$(date +%s)
results=$(mktemp)
trap 'rm -f "$results"' EXIT
"$UFSC_TOP/scripts/deps.sh" test
build=$("$UFSC_TOP/scripts/build-qemu.sh")
builds=("$build:${UFSC_CRYPTO:-gcrypt}")
# The other crypto backend must keep working too: build it for one target
# and run the device's unit test and qtests on it.
other=nettle
[ "${UFSC_CRYPTO:-gcrypt}" = nettle ] && other=gcrypt
if [ "${UFSC_CHECK_OTHER_BACKEND:-1}" = 1 ]; then
    step "building QEMU with the $other backend as well (aarch64 only)"
    build2=$(UFSC_CRYPTO=$other UFSC_TARGETS=aarch64-softmmu "$UFSC_TOP/scripts/build-qemu.sh")
    builds+=("$build2:$other:aarch64")
fi
step "QEMU builds ready after $(( $(date +%s) - start ))s"
UFSC_RESULTS=$results "$UFSC_TOP/scripts/run-tests.sh" "${builds[@]}" || true

if [ "${UFSC_CHECK_E2E:-1}" = 1 ]; then
    for arch in aarch64 x86_64; do
        step "end-to-end on $arch: kernel, initramfs, guest scenario, host check"
        t=$(date +%s)
        set +e
        # aarch64: doorbell mode, as kernel CI runs it (no migration; the
        # sanitizer run migrates in doorbell mode).  x86_64: MCQ mode, with
        # a migration.
        opts=()
        [ "$arch" = x86_64 ] && opts=(--props mcq=on --migrate)
        "$UFSC_TOP/scripts/e2e.sh" --arch "$arch" --quick --timeout 300 \
            "${opts[@]}" --qemu "$build" > "$UFSC_CACHE/test-logs/e2e-$arch.log"
        rc=$?
        set -e
        line=$(grep -E '^e2e: [0-9]+ passed, [0-9]+ failed' "$UFSC_CACHE/test-logs/e2e-$arch.log" | tail -1)
        p=$(echo "$line" | awk '{print $2}') f=$(echo "$line" | awk '{print $4}')
        p=${p:-0} f=${f:-0}
        if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
            f=1
        fi
        if [ "$rc" = 0 ]; then
            echo "    ok - e2e $arch: $p checks passed"
        else
            echo "    not ok - e2e $arch: $f failed; console log and report kept in $UFSC_CACHE/e2e-$arch"
            grep -E '^    |no verdict|QEMU:|kernel trouble' "$UFSC_CACHE/test-logs/e2e-$arch.log" | head -15
        fi
        echo "$p $f" >> "$results"
        step "e2e $arch: $p passed, $f failed ($(( $(date +%s) - t ))s, log $UFSC_CACHE/test-logs/e2e-$arch.log)"
    done
fi

if [ "${UFSC_CHECK_SANITIZERS:-1}" = 1 ]; then
    UFSC_RESULTS=$results "$UFSC_TOP/scripts/check-sanitizers.sh" || true
fi

if [ "${UFSC_CHECK_FUZZ:-1}" = 1 ]; then
    UFSC_RESULTS=$results UFSC_FUZZ_RUNS=${UFSC_FUZZ_RUNS:-5000} \
        "$UFSC_TOP/scripts/fuzz.sh" || true
fi

step "make check took $(( $(date +%s) - start ))s"
echo
awk '{ p += $1; f += $2 } END { printf("%d passed, %d failed\n", p, f); exit (f > 0 || p == 0) }' "$results"
