#!/usr/bin/env bash
# fuzz.sh [SECONDS]: what "make fuzz" runs.  QEMU's generic-fuzz target
# (libFuzzer, ASan) on -device ufs-crypto: the fuzzer writes and reads the
# controller's MMIO registers (crypto registers and keyslots included),
# rings doorbells and answers its DMA reads with fuzzed guest memory, so
# that requests with and without CE, any CCI, DUN and PRDT reach the
# device.  Crashes are kept in out/fuzz/ (crash-*) and fail the run.
#
#   SECONDS   time budget (default 300); UFSC_FUZZ_RUNS=N instead runs N
#             inputs from a fixed seed (make check uses this)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

out=$UFSC_TOP/out/fuzz
mkdir -p "$out/corpus"
# x86_64 pc: generic-fuzz finds and maps PCI BARs through the PC's
# configuration ports, which -M virt does not have.
build=$(UFSC_FUZZ=1 UFSC_TARGETS=x86_64-softmmu "$UFSC_TOP/scripts/build-qemu.sh")

# The device under test: two keyslots make CCI hits likely, and a null
# drive keeps the host file system out of it.
export QEMU_FUZZ_ARGS="-M pc -nodefaults -nic none \
    -device ufs-crypto,id=ufs0,keyslots=2,mcq=on \
    -blockdev null-co,node-name=d0,read-zeroes=on,size=16777216 \
    -device ufs-lu,bus=ufs0,drive=d0,lun=0"
export QEMU_FUZZ_OBJECTS="*ufs*"
export ASAN_OPTIONS=detect_leaks=0

corpus=corpus
if [ -n "${UFSC_FUZZ_RUNS:-}" ]; then
    # Fixed seed, empty corpus: the same inputs every time.
    corpus=corpus-fixed
    rm -rf "${out:?}/$corpus" && mkdir -p "$out/$corpus"
    args=(-seed=1 -runs="$UFSC_FUZZ_RUNS")
    step "fuzzing -device ufs-crypto: $UFSC_FUZZ_RUNS inputs, fixed seed"
else
    args=(-max_total_time="${1:-300}")
    step "fuzzing -device ufs-crypto for ${1:-300}s (corpus in $out/corpus)"
fi
set +e
(cd "$out" && "$build/qemu-fuzz-x86_64" --fuzz-target=generic-fuzz \
    "${args[@]}" -artifact_prefix="$out/" -print_final_stats=1 "$corpus") \
    > "$out/fuzz.log" 2>&1
rc=$?
set -e
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/fuzz.log" | tail -1)
echo "fuzz: ${execs:-0} executions, exit status $rc (log $out/fuzz.log; crash inputs are kept as $out/crash-*)"
if [ "$rc" != 0 ]; then
    grep -E -m10 'ERROR|SUMMARY|Assertion|runtime error' "$out/fuzz.log" | sed 's/^/    /'
    [ -n "${UFSC_RESULTS:-}" ] && echo "0 1" >> "$UFSC_RESULTS"
    echo "0 passed, 1 failed"
    exit 1
fi
[ -n "${UFSC_RESULTS:-}" ] && echo "1 0" >> "$UFSC_RESULTS"
echo "1 passed, 0 failed"
