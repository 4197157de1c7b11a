#!/usr/bin/env bash
# fuzz.sh [SECONDS]: what "make fuzz" runs.  QEMU's generic-fuzz target
# (libFuzzer, ASan) on -device ufs-crypto: the fuzzer writes and reads the
# controller's MMIO registers (crypto registers and keyslots included),
# rings doorbells and answers its DMA reads with fuzzed guest memory, so
# that requests with and without CE, any CCI, DUN and PRDT reach the
# device.  Crashes are kept in out/fuzz/ (crash-*) and fail the run.
#
# The corpus is seeded from the qtests: ufs-crypto-test runs once on
# x86_64 with each QEMU's qtest protocol log kept, and fuzz-seeds.py turns
# every test case into one input (its register traffic, and its descriptors
# as DMA patterns) in out/fuzz/seeds/, which libFuzzer reads as a second
# corpus directory.  No seeds (a failed qtest, say) fails the run.
#
#   SECONDS   time budget (default 300); UFSC_FUZZ_RUNS=N instead runs N
#             inputs from a fixed seed (make check uses this)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

out=$UFSC_TOP/out/fuzz
mkdir -p "$out/corpus"

# fail MESSAGE: count the run as failed for make check, and stop.
fail() {
    printf 'error: %s\n' "$*" >&2
    [ -n "${UFSC_RESULTS:-}" ] && echo "0 1" >> "$UFSC_RESULTS"
    echo "0 passed, 1 failed"
    exit 1
}

# x86_64 pc: generic-fuzz finds and maps PCI BARs through the PC's
# configuration ports, which -M virt does not have.  The seeding qtests run
# on the default build (without the sanitizers they take half the time).
build=$(san_build)
qbuild=$(default_build)

# Largest input, for the seeds and for the inputs libFuzzer makes.
max_len=65536

# Seeds.  Under QTEST_LOG=1 libqtest gives each QEMU "-qtest-log
# /dev/fd/2", which each QEMU reopens (truncating a file) and writes through
# a stdio buffer, so that the logs of a whole qos-test run come out cut and
# interleaved.  This wrapper gives each QEMU a log file of its own, named in
# start order, instead; its name ends in -x86_64 for qtest_get_arch().
seeds=$out/seeds qlog=$out/qtest-log
rm -rf "$seeds" "$qlog"
mkdir -p "$qlog/bin"
cat > "$qlog/bin/qemu-system-x86_64" <<'EOF'
#!/bin/sh
log=$UFSC_QTEST_LOGDIR/qemu-$(date +%s%N).log
prev=
for a do
    shift
    [ "$prev" = -qtest-log ] && a=$log
    set -- "$@" "$a"
    prev=$a
done
exec "$UFSC_QTEST_QEMU" "$@"
EOF
chmod +x "$qlog/bin/qemu-system-x86_64"
step "seeding the corpus: ufs-crypto-test on x86_64, with qtest logs"
start=$(date +%s)
node=/x86_64/pc/i440FX-pcihost/pci-bus-pc/pci-bus
if ! (cd "$qbuild" && UFSC_QTEST_LOGDIR=$qlog UFSC_QTEST_QEMU=$qbuild/qemu-system-x86_64 \
        QTEST_QEMU_BINARY=$qlog/bin/qemu-system-x86_64 timeout 600 \
        tests/qtest/qos-test --tap -p "$node/ufs-crypto/ufs-crypto-tests") \
        > "$qlog/tap.txt" 2> "$qlog/stderr.txt"; then
    grep -E '^not ok|ERROR|Bail out' "$qlog/tap.txt" "$qlog/stderr.txt" | head -5 | sed 's/^/    /'
    fail "seeding: ufs-crypto-test failed (logs in $qlog)"
fi
ntests=$(grep -c '^ok ' "$qlog/tap.txt" || true)
nseeds=$(python3 "$UFSC_TOP/scripts/fuzz-seeds.py" --names "$qlog/tap.txt" \
             --max-len "$max_len" -o "$seeds" "$qlog"/qemu-*.log 2> "$qlog/seeds.txt") ||
    { sed 's/^/    /' "$qlog/seeds.txt"; fail "seeding: fuzz-seeds.py made no input (logs in $qlog)"; }
echo "fuzz: $nseeds seed inputs from $ntests qtests in $(( $(date +%s) - start ))s ($seeds; $qlog/seeds.txt)"

# The device under test, as the qtests configure it (its LUN 0 and 1,
# default keyslots), so that the seeds' keyslots and LUN exist; MCQ is
# offered and doorbell mode works all the same.  Null drives keep the host
# file system out of it.
export QEMU_FUZZ_ARGS="-M pc -nodefaults -nic none \
    -device ufs-crypto,id=ufs0,mcq=on \
    -blockdev null-co,node-name=d0,read-zeroes=on,size=16777216 \
    -device ufs-lu,bus=ufs0,drive=d0,lun=0 \
    -blockdev null-co,node-name=d1,read-zeroes=on,size=16777216 \
    -device ufs-lu,bus=ufs0,drive=d1,lun=1"
export QEMU_FUZZ_OBJECTS="*ufs*"
export ASAN_OPTIONS=detect_leaks=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

corpus=corpus
if [ -n "${UFSC_FUZZ_RUNS:-}" ]; then
    # Fixed seed, an empty corpus beside the seeds: the same inputs every
    # time (coverage feedback from QEMU varies a little from run to run).
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
    "${args[@]}" -max_len="$max_len" -artifact_prefix="$out/" -print_final_stats=1 \
    "$corpus" seeds) > "$out/fuzz.log" 2>&1
rc=$?
set -e
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/fuzz.log" | tail -1)
# Coverage once the seeds and corpus are loaded, and at the end
inited=$(grep -oE 'INITED cov: [0-9]+ ft: [0-9]+' "$out/fuzz.log" | tail -1 | cut -d' ' -f2-)
reached=$(grep -oE '^#[0-9]+.*cov: [0-9]+ ft: [0-9]+' "$out/fuzz.log" | tail -1 |
          grep -oE 'cov: [0-9]+ ft: [0-9]+')
echo "fuzz: ${execs:-0} executions, exit status $rc; loaded ${inited:-?}, end ${reached:-?} (log $out/fuzz.log; crash inputs are kept as $out/crash-*)"
if [ "$rc" != 0 ]; then
    grep -E -m10 'ERROR|SUMMARY|Assertion|runtime error' "$out/fuzz.log" | sed 's/^/    /'
    [ -n "${UFSC_RESULTS:-}" ] && echo "0 1" >> "$UFSC_RESULTS"
    echo "0 passed, 1 failed"
    exit 1
fi
[ -n "${UFSC_RESULTS:-}" ] && echo "1 0" >> "$UFSC_RESULTS"
echo "1 passed, 0 failed"
