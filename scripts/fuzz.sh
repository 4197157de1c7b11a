#!/usr/bin/env bash
# fuzz.sh [SECONDS]: what "make fuzz" runs.  QEMU's generic-fuzz target
# (libFuzzer, ASan, UBSan) on each device in turn, -device ufs-crypto then
# -device emmc-crypto: the fuzzer writes and reads the controller's MMIO
# registers (crypto registers and keyslots included), rings doorbells and
# answers its DMA reads with fuzzed guest memory, so that requests and
# tasks with and without CE, any keyslot, DUN and descriptor list reach
# the device.  Crashes are kept in out/fuzz/DEVICE/ (crash-*) and fail the
# run.
#
# Each corpus is seeded from the qtests: the device's qtest runs once on
# x86_64 with each QEMU's qtest protocol log kept, and fuzz-seeds.py turns
# every test case into one input (its register traffic, and its
# descriptors as DMA patterns) in out/fuzz/DEVICE/seeds/, which libFuzzer
# reads as a second corpus directory.  No seeds (a failed qtest, say)
# fails the run.
#
#   SECONDS   time budget per device (default 300); UFSC_FUZZ_RUNS=N
#             instead runs N inputs per device from a fixed seed (make
#             check uses this)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

# fail MESSAGE: count the device's run as failed for make check.
passed=0 failed=0
fail() {
    printf 'error: %s\n' "$*" >&2
    failed=$((failed + 1))
}

# fuzz_device DEVICE: seed, then fuzz one device; $fuzz_args and
# $fuzz_objects are the fuzzer's QEMU command line and regions.
fuzz_device() {
local device=$1
local out=$UFSC_TOP/out/fuzz/$device
mkdir -p "$out/corpus"
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
step "seeding the corpus: $device-test on x86_64, with qtest logs"
start=$(date +%s)
node=/x86_64/pc/i440FX-pcihost/pci-bus-pc/pci-bus
if ! (cd "$qbuild" && UFSC_QTEST_LOGDIR=$qlog UFSC_QTEST_QEMU=$qbuild/qemu-system-x86_64 \
        QTEST_QEMU_BINARY=$qlog/bin/qemu-system-x86_64 timeout 600 \
        tests/qtest/qos-test --tap -p "$node/$device/$device-tests") \
        > "$qlog/tap.txt" 2> "$qlog/stderr.txt"; then
    grep -E '^not ok|ERROR|Bail out' "$qlog/tap.txt" "$qlog/stderr.txt" | head -5 | sed 's/^/    /'
    fail "seeding: $device-test failed (logs in $qlog)"
    return
fi
ntests=$(grep -c '^ok ' "$qlog/tap.txt" || true)
nseeds=$(python3 "$UFSC_TOP/scripts/fuzz-seeds.py" --device "$device" --names "$qlog/tap.txt" \
             --max-len "$max_len" -o "$seeds" "$qlog"/qemu-*.log 2> "$qlog/seeds.txt") ||
    { sed 's/^/    /' "$qlog/seeds.txt"; fail "seeding: fuzz-seeds.py made no input (logs in $qlog)"; return; }
echo "fuzz: $device: $nseeds seed inputs from $ntests qtests in $(( $(date +%s) - start ))s ($seeds; $qlog/seeds.txt)"

export QEMU_FUZZ_ARGS=$fuzz_args QEMU_FUZZ_OBJECTS=$fuzz_objects
export ASAN_OPTIONS=detect_leaks=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

corpus=corpus
if [ -n "${UFSC_FUZZ_RUNS:-}" ]; then
    # Fixed seed, an empty corpus beside the seeds: the same inputs every
    # time (coverage feedback from QEMU varies a little from run to run).
    corpus=corpus-fixed
    rm -rf "${out:?}/$corpus" && mkdir -p "$out/$corpus"
    args=(-seed=1 -runs="$UFSC_FUZZ_RUNS")
    step "fuzzing -device $device: $UFSC_FUZZ_RUNS inputs, fixed seed"
else
    args=(-max_total_time="$seconds")
    step "fuzzing -device $device for ${seconds}s (corpus in $out/corpus)"
fi
set +e
(cd "$out" && "$build/qemu-fuzz-x86_64" --fuzz-target=generic-fuzz \
    "${args[@]}" -max_len="$max_len" -artifact_prefix="$out/" -print_final_stats=1 \
    "$corpus" seeds) > "$out/fuzz.log" 2>&1
rc=$?
set -e
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/fuzz.log" | tail -1)
# Coverage once the seeds and corpus are loaded, and at the end
inited=$(grep -oE 'INITED cov: [0-9]+ ft: [0-9]+' "$out/fuzz.log" | tail -1 | cut -d' ' -f2-) || true
reached=$(grep -oE '^#[0-9]+.*cov: [0-9]+ ft: [0-9]+' "$out/fuzz.log" | tail -1 |
          grep -oE 'cov: [0-9]+ ft: [0-9]+') || true
echo "fuzz: $device: ${execs:-0} executions, exit status $rc; loaded ${inited:-?}, end ${reached:-?} (log $out/fuzz.log; crash inputs are kept as $out/crash-*)"
if [ "$rc" != 0 ]; then
    grep -E -m10 'ERROR|SUMMARY|Assertion|runtime error' "$out/fuzz.log" | sed 's/^/    /'
    fail "fuzzing -device $device found a crash (log $out/fuzz.log)"
    return
fi
passed=$((passed + 1))
}

seconds=${1:-300}
# x86_64 pc: generic-fuzz finds and maps PCI BARs through the PC's
# configuration ports, which -M virt does not have.  The seeding qtests run
# on the default build (without the sanitizers they take half the time).
build=$(san_build)
qbuild=$(default_build)
# Largest input, for the seeds and for the inputs libFuzzer makes.
max_len=65536

# Each device as its qtests configure it (for UFS its LUN 0 and 1, default
# keyslots), so that the seeds' keyslots and LUN exist; MCQ is offered and
# doorbell mode works all the same; the key manager of hardware-wrapped
# keys is on (its long-term wrapping key random).  Null drives keep the
# host file system out of it.
fuzz_args="-M pc -nodefaults -nic none \
    -device ufs-crypto,id=ufs0,mcq=on,wrapped-keys=on \
    -blockdev null-co,node-name=d0,read-zeroes=on,size=16777216 \
    -device ufs-lu,bus=ufs0,drive=d0,lun=0 \
    -blockdev null-co,node-name=d1,read-zeroes=on,size=16777216 \
    -device ufs-lu,bus=ufs0,drive=d1,lun=1"
fuzz_objects="*ufs*"
fuzz_device ufs-crypto

# The eMMC's regions, in address order, are its SDHCI ("sdhci") and
# CQHCI ("cqhci") windows of BAR 0, as fuzz-seeds.py numbers them; its
# card is on a 4 GiB null drive (a command queueing eMMC is larger than
# 2 GiB).
fuzz_args="-M pc -nodefaults -nic none \
    -drive if=none,id=e0,driver=null-co,read-zeroes=on,size=4294967296 \
    -device emmc-crypto,drive=e0"
fuzz_objects="emmc-crypto"
fuzz_device emmc-crypto

[ -n "${UFSC_RESULTS:-}" ] && echo "$passed $failed" >> "$UFSC_RESULTS"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
