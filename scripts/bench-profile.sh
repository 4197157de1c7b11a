#!/usr/bin/env bash
# bench-profile.sh QEMU_BUILD_DIR OUTPUT: where QEMU's cycles go during the
# encrypted O_DIRECT sequential write and read of "make bench".
#
# Boots the bench guest (guest/bench with ufsc.profile=1) on the
# qemu-system-aarch64 of QEMU_BUILD_DIR, -device ufs-crypto, ext4 with
# -o inlinecrypt (the "inline" configuration of scripts/bench.sh), and
# records "perf record" on that QEMU process only while the guest runs
# seqwrite-direct, then only while it runs seqread-direct.  The guest
# prints "UFSC-BENCH-PROFILE begin TEST" and waits for a line on its
# console; this script starts perf (events disabled), enables the events
# through perf's control FIFO, and answers once perf has acknowledged; at
# "UFSC-BENCH-PROFILE end TEST" it disables the events and stops perf.
# Nothing waits on a timer: the console file's lines (tail -F) and perf's
# acknowledgements are the synchronisation.
#
# OUTPUT gets, per phase, the guest's throughput under perf, the top
# entries of "perf report --no-children --sort dso,symbol", the split by
# thread and by DSO, and the call chains into the top entries.  The
# perf.data files, console log and QEMU command line stay in
# out/bench-profile/ for "perf report -i" (the JIT map of TCG's code,
# /tmp/perf-PID.map from QEMU's -perfmap, is moved there too at the end:
# copy it back to /tmp to resolve TCG's blocks again).
#
# Environment, all optional:
#   UFSC_PROFILE_MIB     size of each sequential phase (default 2048)
#   UFSC_PROFILE_MODE    inline (default), nocrypt or sw: ufsc.mode
#   UFSC_PROFILE_PROPS   extra ufs-crypto properties (e.g. mcq=on)
#   UFSC_PROFILE_TOP     entries per phase (default 25)
#   UFSC_PROFILE_FREQ    samples per second and thread (default 999)
#   UFSC_PROFILE_CALLGRAPH  perf's --call-graph (default dwarf,16384: the
#                        QEMU builds have no frame pointers, "fp" gives
#                        broken user-space chains)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

[ $# -eq 2 ] || die "usage: $0 QEMU_BUILD_DIR OUTPUT_FILE"
build=$(cd "$1" && pwd)
qemu=$build/qemu-system-aarch64
[ -x "$qemu" ] || die "no qemu-system-aarch64 in $build"
outfile=$2
mkdir -p "$(dirname "$outfile")"
outfile=$(cd "$(dirname "$outfile")" && pwd)/$(basename "$outfile")
command -v perf > /dev/null || need_pkgs linux-perf
mib=${UFSC_PROFILE_MIB:-2048}
mode=${UFSC_PROFILE_MODE:-inline}
props=${UFSC_PROFILE_PROPS:-}
top=${UFSC_PROFILE_TOP:-25}
freq=${UFSC_PROFILE_FREQ:-999}
callgraph=${UFSC_PROFILE_CALLGRAPH:-dwarf,16384}

kernel=$("$UFSC_TOP/scripts/build-kernel.sh" arm64)
initrd=$("$UFSC_TOP/scripts/build-initramfs.sh" arm64)
work=$UFSC_TOP/out/bench-profile
rm -rf "$work"
mkdir -p "$work"
img=$work/lu.img
truncate -s $((2 * mib + 512))M "$img"
mkfs.ext4 -q -F -b 4096 -O encrypt "$img"

# The console's input: this script answers the guest there.  Held open
# for reading and writing, so that QEMU's open does not wait for a writer.
mkfifo "$work/console-in"
exec {con_in}<>"$work/console-in"
: > "$work/console.log"
# -perfmap: TCG's translated blocks get names in /tmp/perf-PID.map, so
# that perf counts them as TCG code instead of [unknown] addresses.
# debug-threads: the threads have names (CPU 0/TCG, worker, ...).
# shellcheck disable=SC2054 # the commas are QEMU's
qemu_cmd=("$qemu" -name ufsc-profile,debug-threads=on -perfmap -pidfile "$work/qemu.pid"
    -M virt -cpu max -m 1G -smp 2 -nographic -nodefaults -nic none -no-reboot -monitor none
    -chardev "file,id=con,path=$work/console.log,input-path=$work/console-in" -serial chardev:con
    -kernel "$kernel" -initrd "$initrd"
    -append "console=ttyAMA0 rdinit=/bench ufsc.mode=$mode ufsc.mib=$mib ufsc.profile=1 ufsc.storage=ufs"
    -drive "if=none,id=d0,file=$img,format=raw,cache=none"
    -device "ufs-crypto,id=ufs0${props:+,$props}" -device ufs-lu,bus=ufs0,drive=d0,lun=0)
printf '%q ' "${qemu_cmd[@]}" > "$work/qemu-cmdline.txt"
echo >> "$work/qemu-cmdline.txt"

perf_pid='' ctl='' ack='' qjob='' qpid=''
# On the way out: stop what this script started and still runs (QEMU's
# own PID only while its job has not been waited for), and keep QEMU's
# JIT map with the perf data (perf report reads it from /tmp under the
# recorded PID: copy it back there to report on the data again).
cleanup() {
    [ -n "$perf_pid" ] && kill -INT "$perf_pid" 2>/dev/null
    if [ -n "$qjob" ]; then
        kill "$qjob" 2>/dev/null
        [ -n "$qpid" ] && kill "$qpid" 2>/dev/null
    fi
    [ -n "$qpid" ] && [ -f "/tmp/perf-$qpid.map" ] && mv "/tmp/perf-$qpid.map" "$work/"
    rm -f "$img"
    return 0
}
trap cleanup EXIT

# perf_cmd CMD: send CMD to perf's control FIFO, wait for its "ack".
perf_cmd() {
    local a=''
    echo "$1" >&"$ctl"
    read -r -t 120 a <&"$ack" || true
    [ "$a" = ack ] || die "perf did not acknowledge '$1' (see $work/$phase.perf.log)"
}
# start_perf PHASE: perf on QEMU's process, events on; returns once they are.
start_perf() {
    phase=$1
    rm -f "$work/perf-ctl" "$work/perf-ack"
    mkfifo "$work/perf-ctl" "$work/perf-ack"
    perf record --call-graph "$callgraph" -F "$freq" -p "$qpid" -o "$work/$phase.data" \
        --control "fifo:$work/perf-ctl,$work/perf-ack" -D -1 > "$work/$phase.perf.log" 2>&1 &
    perf_pid=$!
    # Read-write opens of a FIFO do not block: if perf fails, the read
    # of its acknowledgement times out instead.
    exec {ctl}<>"$work/perf-ctl" {ack}<>"$work/perf-ack"
    perf_cmd enable
    step "perf records QEMU (pid $qpid) during $phase"
}
stop_perf() {
    perf_cmd disable
    kill -INT "$perf_pid"
    wait "$perf_pid" || true
    perf_pid=''
    exec {ctl}>&- {ack}>&-
    grep -q 'Captured and wrote' "$work/$phase.perf.log" ||
        die "perf record failed during $phase: $(tail -3 "$work/$phase.perf.log")"
}

step "booting the bench guest for a profile (ufsc.mode=$mode, $mib MiB, ${props:-SDB}); console: $work/console.log"
load0=$(cut -d' ' -f1-3 /proc/loadavg)
timeout -k 10 1800 "${qemu_cmd[@]}" < /dev/null > "$work/qemu.log" 2>&1 &
qjob=$!
phases=()
: > "$work/guest.txt"
while IFS= read -r line; do
    line=${line%$'\r'}
    case "$line" in
    "UFSC-BENCH-PROFILE begin "*)
        qpid=$(cat "$work/qemu.pid")
        start_perf "${line#UFSC-BENCH-PROFILE begin }"
        echo go >&"$con_in" ;;
    "UFSC-BENCH-PROFILE end "*)
        stop_perf
        phases+=("$phase") ;;
    esac
    case "$line" in UFSC-BENCH*) echo "$line" >> "$work/guest.txt" ;; esac
    case "$line" in UFSC-BENCH-DONE*) break ;; esac
done < <(tail -n +1 -F --pid="$qjob" "$work/console.log" 2>/dev/null)
wait "$qjob" || true
qjob=''
grep -q 'UFSC-BENCH-DONE OK' "$work/guest.txt" ||
    die "the profile run failed: see $work/console.log and $work/qemu.log"
[ ${#phases[@]} -eq 2 ] || die "expected two profiled phases, got: ${phases[*]}"

# The report's pipelines end in head and greps that may match nothing:
# their status is not the script's.
set +e +o pipefail
# The guest kernel's symbols: TCG's blocks are named by the guest PC
# they start at (guest-0xADDR in QEMU's perf map).
sysmap=${kernel%/arch/*}/System.map
[ -f "$sysmap" ] || sysmap=/dev/null
# fold: perf's "overhead samples dso [x] symbol" lines, with the addresses
# of a library without a symbol table added up into one entry per
# library, and TCG's blocks into one entry per guest function; sorted.
fold() {
    awk -v sysmap="$sysmap" '
        BEGIN { n = 0
                while ((getline l < sysmap) > 0) { split(l, f, " ")
                    if (f[2] ~ /^[tTwW]$/) { a[++n] = f[1]; nm[n] = f[3] } } }
        function guest(x,    lo, hi, mid) {
            x = tolower(x); while (length(x) < 16) x = "0" x
            if (n == 0) return "0x" x
            if (x < a[1]) return "user space"
            lo = 1; hi = n
            while (lo < hi) { mid = int((lo + hi + 1) / 2); if (a[mid] <= x) lo = mid; else hi = mid - 1 }
            return nm[lo]
        }
        /^ +[0-9.]+%/ {
            pct = $1; sub(/%/, "", pct); smp = $2
            if (!match($0, / \[[.kgu]\] /)) next
            dso = substr($0, 1, RSTART - 1); sub(/^ +[0-9.]+% +[0-9]+ +/, "", dso); sub(/ +$/, "", dso)
            sym = substr($0, RSTART + 1); sub(/ +$/, "", sym)
            name = substr(sym, 5)
            if (dso ~ /^\[JIT\]/ && name ~ /^guest-0x/) { key = sprintf("%-24s %s", "[JIT] TCG code", "guest " guest(substr(name, 9))) }
            else if (name ~ /^0x[0-9a-f]+$/) { key = sprintf("%-24s %s", dso, substr(sym, 1, 4) "(no symbol table: all addresses)") }
            else key = sprintf("%-24s %s", dso, sym)
            P[key] += pct; S[key] += smp
        }
        END { for (k in P) printf("%8.2f%% %7d  %s\n", P[k], S[k], k) }' | sort -k1,1 -g -r
}
# report PHASE: the profile of one phase, as text.
report() {
    local rep=(perf report -i "$work/$1.data" --no-children --stdio) nosym
    echo
    echo "=== $1: $(grep -h "test=$1 " "$work/guest.txt" | sed 's/^UFSC-BENCH //')"
    "${rep[@]}" --sort dso -g none 2>/dev/null | grep -E '^# (Samples|Event count)' | sed 's/^# /  /'
    echo
    echo "--- top $top, self time (perf report --no-children --sort dso,symbol; a library without"
    echo "    symbols is one entry, TCG's generated code one entry per guest function)"
    echo "   share samples  DSO                      symbol"
    "${rep[@]}" -F overhead,sample,dso,sym -g none 2>/dev/null | fold | head -n "$top"
    echo
    echo "--- by thread (--sort comm)"
    "${rep[@]}" -F overhead,sample,comm -g none 2>/dev/null | grep -E '^ +[0-9.]+%' | head -n 12 | sed -E 's/ +$//'
    echo
    echo "--- by DSO (--sort dso; [JIT] is TCG's generated code)"
    "${rep[@]}" -F overhead,sample,dso -g none 2>/dev/null | grep -E '^ +[0-9.]+%' | head -n 12 | sed -E 's/ +$//'
    echo
    echo "--- callers of the entries above 2 % (each entry, then its callers below it; chains"
    echo "    above 1 %; DWARF unwinding stops at TCG's generated code, which has no unwind tables)"
    "${rep[@]}" --sort dso,symbol -g graph,1,callee,function,percent --percent-limit 2 2>/dev/null |
        grep -v '^#' | grep -v '^$' | sed -E 's/ +- +- *$//; s/ +$//' | head -n 400
    # A library without symbols spreads over many addresses under 2 %:
    # its call chains as one entry.
    nosym=$("${rep[@]}" -F dso,sym -g none 2>/dev/null | grep -E '\[\.\] 0x[0-9a-f]+ *$' |
            sed -E 's/ +\[\.\].*//; s/^ +//' | sort | uniq -c | sort -rn | awk '$1 >= 10 { $1 = ""; sub(/^ /, ""); print }')
    while IFS= read -r d; do
        [ -n "$d" ] || continue
        echo
        echo "--- call chains into $d (no symbol table: all its samples together, from the"
        echo "    outermost caller down; chains above 0.5 %)"
        "${rep[@]}" --dsos "$d" --sort dso -g graph,0.5,caller,function,percent 2>/dev/null |
            grep -v '^#' | grep -v '^$' | sed -E 's/ +- +- *$//; s/ +$//' | head -n 60
    done <<< "$nosym"
}
{
    echo "perf profile of QEMU during the guest's O_DIRECT sequential write and read"
    echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); host: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) cores"
    echo "load average (1, 5, 15 min) at the boot: $load0; after the run: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "QEMU: $qemu ($(sha256sum "$qemu" | cut -c1-12))"
    echo "guest: ufsc.mode=$mode, -device ufs-crypto${props:+,$props}, ext4, cache=none, $mib MiB per phase, 1 MiB requests"
    echo "perf: $(perf --version), record --call-graph $callgraph -F $freq -p QEMU, events on only between the guest's markers"
    echo "guest throughput under perf (MB/s; perf's own work takes host CPU):"
    grep -h 'test=seq' "$work/guest.txt" | sed 's/^UFSC-BENCH /  /'
    grep -h -E 'UFSC-BENCH-(QUEUE|DMESG .*(blk-crypto|MCQ))' "$work/guest.txt" |
        sed -E 's/^UFSC-BENCH-(QUEUE|DMESG) /  guest: /'
    for p in "${phases[@]}"; do
        report "$p"
    done
} > "$outfile"
step "profile: $outfile (perf data in $work)"
