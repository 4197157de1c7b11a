#!/usr/bin/env bash
# bench.sh: what "make bench" runs.  Writes out/bench/{engine.txt,
# report.txt,bench.png} and prints the report.
#
# Engine: throughput of inline_crypto_encrypt/decrypt() per algorithm and
# data unit size, on one core, against the raw AES-XTS of libgcrypt and
# OpenSSL measured in the same run on the same buffers.
#
# Guest I/O: an aarch64 TCG guest on a UFS LU (ext4, cache=none):
# sequential writes and reads (1 MiB requests, buffered and O_DIRECT) and
# 4 KiB random reads and overwrites with O_DIRECT at queue depth 1, 4 and
# 32 (native AIO, one thread).  The controller in its two queue modes,
# SDB (the doorbell register) and MCQ (mcq=on): in SDB (i) ufs-crypto with
# -o inlinecrypt, (ii) the same device, no encryption, (iii) the same
# device, fs-layer software fscrypt, (iv) plain -device ufs, no
# encryption; in MCQ (i), (ii) and (iv).  Three rounds
# (UFSC_BENCH_UFS_ROUNDS), the seven configurations interleaved in each;
# medians, their ratios and the spread of the per-round ratios.  The
# scaling tests (request sizes, keyslots) run in round 1 of SDB (i) and
# (ii) only.  UFSC_BENCH_MIB sets the sequential size (default 256),
# UFSC_BENCH_QD_SECS the time of each random test (default 3),
# UFSC_BENCH_MCQ_PROPS the MCQ properties (default mcq=on,mcq-maxq=3:
# with 2 vCPUs, Linux then has one I/O queue per CPU and a poll queue).
#
# eMMC: the same guest tests on -device emmc-crypto (ext4 on its card,
# cache=none), (i) with -o inlinecrypt, (ii) without encryption, (iii)
# with software fscrypt, in three interleaved rounds; UFSC_BENCH_EMMC_MIB
# sets their size (default 256).  The eMMC has one queue (CQE, 32 tasks):
# its random tests at QD 1, 4 and 32 are in its table too.
#
# UFSC_BENCH_PARTS picks the parts (default "engine ufs emmc");
# UFSC_BENCH_GUEST=0 is "engine" alone.  QEMU_BUILD runs another build
# (a directory with qemu-system-aarch64 and, for "engine",
# tests/bench/inline-crypto-bench).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

out=$UFSC_TOP/out/bench
mkdir -p "$out"
need_pkgs gnuplot-nox libgcrypt20-dev libssl-dev

parts=${UFSC_BENCH_PARTS:-engine ufs emmc}
[ "${UFSC_BENCH_GUEST:-1}" = 1 ] || parts=engine
part() { [[ " $parts " == *" $1 "* ]]; }

build=${QEMU_BUILD:-$(UFSC_EXTRA_TARGETS=tests/bench/inline-crypto-bench "$UFSC_TOP/scripts/build-qemu.sh")}
{
    echo "ufs-crypto benchmarks, $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "host: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) cores"
} > "$out/report.txt"

if part engine; then
step "engine: AES-XTS through the device's chunk path vs libgcrypt and OpenSSL"
"$build/tests/bench/inline-crypto-bench" "${UFSC_BENCH_SECONDS:-0.4}" > "$out/engine.txt"

{
    echo
    echo "Engine, one core, GB/s (ratio = engine / raw library, same run)"
    printf '%-18s %6s %4s %8s %8s %8s %8s %8s\n' algorithm du dir engine gcrypt openssl vs-gcr vs-ossl
    awk '$1 == "BENCH" { v[$2, $3, $4, $5] = $6; k[$3 " " $4 " " $5] = 1; order[n++] = $3 " " $4 " " $5 }
         END {
             for (i = 0; i < n; i++) {
                 key = order[i]; if (seen[key]++) continue
                 split(key, f, " ")
                 e = v["engine", f[1], f[2], f[3]]; g = v["gcrypt", f[1], f[2], f[3]]
                 o = v["openssl", f[1], f[2], f[3]]
                 if (g == "") {
                     printf("%-18s %6s %4s %8.2f %8s %8s %8s %8s\n", f[1], f[2], f[3], e, "-", "-", "-", "-")
                 } else {
                     printf("%-18s %6s %4s %8.2f %8.2f %8.2f %7.2fx %7.2fx\n", f[1], f[2], f[3], e, g, o, e / g, e / o)
                 }
             }
         }' "$out/engine.txt"
    echo
    awk '$1 == "BENCH" && $3 == "aes-256-xts" && $4 == 4096 { v[$2, $5] = $6 }
         END {
             r = v["engine", "enc"] / v["gcrypt", "enc"]
             d = v["engine", "dec"] / v["gcrypt", "dec"]
             if (d < r) r = d
             printf("target: engine AES-256-XTS on 4 KiB units >= 0.90x libgcrypt (worse of enc/dec): %.2fx, %s\n", r, (r >= 0.9) ? "met" : "MISSED")
         }' "$out/engine.txt"
    # Adiantum: the default implementation is the row "adiantum"; the
    # adiantum/NAME rows are each implementation the CPU runs.
    awk '$1 == "BENCH" && $3 == "adiantum" && $4 == 4096 { v[$5] = $6 }
         END {
             r = (v["enc"] < v["dec"]) ? v["enc"] : v["dec"]
             printf("target: engine Adiantum on 4 KiB units >= 2 GB/s per core (worse of enc/dec): %.2f GB/s, %s\n", r, (r >= 2) ? "met" : "MISSED")
         }' "$out/engine.txt"
} >> "$out/report.txt"

# Plot: engine and libraries per data unit size, AES-256-XTS encryption.
awk '$1 == "BENCH" && $3 == "aes-256-xts" && $5 == "enc" { v[$4, $2] = $6; d[$4] = 1 }
     END { for (du in d) print du, v[du, "engine"], v[du, "gcrypt"], v[du, "openssl"] }' \
    "$out/engine.txt" | sort -n > "$out/engine.dat"
gnuplot <<GP
set terminal pngcairo size 900,500 noenhanced
set output '$out/bench.png'
set title 'AES-256-XTS encryption, one core'
set xlabel 'data unit size (bytes)'
set ylabel 'GB/s'
set logscale x 2
set key left top
set grid
plot '$out/engine.dat' using 1:2 with linespoints title 'ufs-crypto engine', \
     '' using 1:3 with linespoints title 'libgcrypt raw XTS', \
     '' using 1:4 with linespoints title 'OpenSSL raw XTS'
GP
fi
if part ufs || part emmc; then
    kernel=$("$UFSC_TOP/scripts/build-kernel.sh" arm64)
    initrd=$("$UFSC_TOP/scripts/build-initramfs.sh" arm64)
    mib=${UFSC_BENCH_MIB:-256}
    # guest_run NAME DEVICE MODE SCALING [PROPS]: a UFS LU on DEVICE (with
    # the controller properties PROPS), or an eMMC if DEVICE is emmc-crypto
    # (its sequential tests of UFSC_BENCH_EMMC_MIB)
    guest_run() {
        local name=$1 device=$2 mode=$3 scaling=$4 props=${5:-} img=$out/guest-$1.img
        local size=$mib storage=ufs dev_args
        # shellcheck disable=SC2054 # the commas are QEMU's
        dev_args=(-device "$device,id=ufs0${props:+,$props}" -device ufs-lu,bus=ufs0,drive=d0,lun=0)
        if [ "$device" = emmc-crypto ]; then
            size=${UFSC_BENCH_EMMC_MIB:-256} storage=emmc
            # shellcheck disable=SC2054 # the commas are QEMU's
            dev_args=(-device emmc-crypto,drive=d0)
        fi
        step "guest I/O: $name (-device $device${props:+,$props}, ufsc.mode=$mode)"
        rm -f "$img"
        if [ "$storage" = emmc ]; then
            # A command queueing eMMC is sector addressed: more than 2 GiB.
            truncate -s 4G "$img"
        else
            truncate -s $((2 * size + 512))M "$img"
        fi
        mkfs.ext4 -q -F -b 4096 -O encrypt "$img"
        timeout -k 10 1800 "$build/qemu-system-aarch64" -M virt -cpu max -m 1G -smp 2 \
            -nographic -nodefaults -nic none -no-reboot -monitor none \
            -serial "file:$out/guest-$name.console" \
            -kernel "$kernel" -initrd "$initrd" \
            -append "console=ttyAMA0 rdinit=/bench ufsc.mode=$mode ufsc.mib=$size ufsc.scaling=$scaling ufsc.storage=$storage ufsc.qdsecs=${UFSC_BENCH_QD_SECS:-3}" \
            -drive "if=none,id=d0,file=$img,format=raw,cache=none" \
            "${dev_args[@]}" \
            < /dev/null > "$out/guest-$name.qemu.log" 2>&1 || true
        tr -d '\r' < "$out/guest-$name.console" | grep '^UFSC-BENCH' | sed "s/^/$name /" > "$out/guest-$name.txt"
        rm -f "$img"
        grep -q 'UFSC-BENCH-DONE OK' "$out/guest-$name.txt" ||
            die "guest benchmark $name failed: see $out/guest-$name.console"
    }
fi
if part ufs; then
    # Rounds of all seven configurations, interleaved, so that the
    # machine's noise falls on all of them (see the comment at the top).
    ufs_t0=$SECONDS
    rounds=${UFSC_BENCH_UFS_ROUNDS:-3}
    mcq_props=${UFSC_BENCH_MCQ_PROPS:-mcq=on,mcq-maxq=3}
    rm -f "$out"/guest-ufs-*.txt
    for r in $(seq 1 "$rounds"); do
        for cfg in inline nocrypt sw plain inline-mcq nocrypt-mcq plain-mcq; do
            device=ufs-crypto mode=${cfg%-mcq} props='' scaling=0
            if [ "$mode" = plain ]; then device=ufs mode=nocrypt; fi
            if [ "$cfg" != "${cfg%-mcq}" ]; then props=$mcq_props; fi
            if [ "$r" = 1 ] && { [ "$cfg" = inline ] || [ "$cfg" = nocrypt ]; }; then scaling=1; fi
            guest_run "ufs-$cfg-$r" "$device" "$mode" "$scaling" "$props"
            # The queue mode Linux used: ufshcd logs "MCQ configured, ..."
            # when it runs the controller's queues, and falls back to SDB
            # quietly if the controller has none, or with "MCQ mode is
            # disabled" if it cannot set them up.
            if [ -n "$props" ]; then
                grep -q 'UFSC-BENCH-DMESG .*MCQ configured' "$out/guest-ufs-$cfg-$r.txt" ||
                    die "guest benchmark ufs-$cfg-$r ($props): Linux did not use MCQ; $(grep -h 'UFSC-BENCH-DMESG .*MCQ' "$out/guest-ufs-$cfg-$r.txt" | tr '\n' ' ') see $out/guest-ufs-$cfg-$r.console"
            elif grep -q 'UFSC-BENCH-DMESG .*MCQ configured' "$out/guest-ufs-$cfg-$r.txt"; then
                die "guest benchmark ufs-$cfg-$r: Linux used MCQ on a controller without mcq=on"
            fi
        done
    done
    ufs_secs=$((SECONDS - ufs_t0))
    cat "$out"/guest-ufs-*-[0-9]*.txt > "$out/guest.txt"

    {
        echo
        echo "Guest I/O, aarch64 TCG guest (2 vCPUs), ext4 on a UFS LU, cache=none"
        echo "  sequential: ${mib} MiB, 1 MiB requests, MB/s; random: 4 KiB O_DIRECT, native AIO at queue depth N, ${UFSC_BENCH_QD_SECS:-3} s each, IOPS"
        echo "  (i) ufs-crypto + inlinecrypt  (ii) ufs-crypto, no encryption (CE=0)  (iii) ufs-crypto, software fscrypt"
        echo "  (iv) -device ufs, no encryption.  SDB: doorbell mode; MCQ: $mcq_props"
        echo "  median of $rounds interleaved rounds; i/ii, i/iii, ii/iv: ratio of the medians [lowest-highest ratio of one round]"
        echo "  (software fscrypt has no O_DIRECT: its direct and random figures are page-cache ones)"
        awk -v rounds="$rounds" -v dat="$out/ratios.dat" '
            # median of the values of configuration C, test T over the rounds
            function med(c, t,    q, n, i, j, x, v) {
                n = 0
                for (q = 1; q <= rounds; q++) if ((c, t, q) in r) v[++n] = r[c, t, q] + 0
                if (n == 0) return ""
                for (i = 2; i <= n; i++) { x = v[i]; for (j = i - 1; j >= 1 && v[j] > x; j--) v[j + 1] = v[j]; v[j + 1] = x }
                return (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
            }
            # ratio of the medians of A and B on T ("" if one is missing);
            # lo[] and hi[] get the lowest and highest ratio of one round
            function ratio(a, b, t,    q, x, ma, mb) {
                lo[a, b, t] = ""; hi[a, b, t] = ""
                for (q = 1; q <= rounds; q++) {
                    if (!((a, t, q) in r) || !((b, t, q) in r) || r[b, t, q] <= 0) continue
                    x = r[a, t, q] / r[b, t, q]
                    if (lo[a, b, t] == "" || x < lo[a, b, t]) lo[a, b, t] = x
                    if (hi[a, b, t] == "" || x > hi[a, b, t]) hi[a, b, t] = x
                }
                ma = med(a, t); mb = med(b, t)
                return (ma == "" || mb == "" || mb <= 0) ? "" : ma / mb
            }
            function fmt(x, a, b, t) {
                return (x == "") ? sprintf("%-18s", "-") : sprintf("%5.2fx [%.2f-%.2f]", x, lo[a, b, t], hi[a, b, t])
            }
            function num(x) { return (x == "") ? "-" : sprintf("%.0f", x) }
            { n = split($1, p, "-"); q = p[n]; c = p[2]; for (i = 3; i < n; i++) c = c "-" p[i]
              t = ""; v = ""; iops = ""; skip = 0
              for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == "test") t = kv[2]
                  if (kv[1] == "MBps") v = kv[2]; if (kv[1] == "IOPS") iops = kv[2]
                  if (kv[1] == "req_kib" && kv[2] != 1024) skip = 1 }
              if (t == "" || skip || t == "multiread") next
              r[c, t, q] = (t ~ /^rand/) ? iops : v }
            END {
                nt = split("seqwrite-buffered seqread-buffered seqwrite-direct seqread-direct randread-qd1 randread-qd4 randread-qd32 randwrite-qd1 randwrite-qd4 randwrite-qd32", T, " ")
                for (m = 1; m <= 2; m++) {
                    s = (m == 1) ? "" : "-mcq"; mode = (m == 1) ? "SDB" : "MCQ"
                    printf("\n%s\n%-23s %7s %7s %7s %7s  %-18s  %-18s  %-18s\n", mode, "test", "(i)", "(ii)", "(iii)", "(iv)", "i/ii", "i/iii", "ii/iv")
                    for (k = 1; k <= nt; k++) {
                        t = T[k]; unit = (t ~ /^rand/) ? "IOPS" : "MB/s"
                        ri = ratio("inline" s, "nocrypt" s, t); rs = ratio("inline", "sw", t)
                        rp = ratio("nocrypt" s, "plain" s, t)
                        printf("%-23s %7s %7s %7s %7s  %s  %s  %s\n", t " " unit, num(med("inline" s, t)),
                               num(med("nocrypt" s, t)), (m == 1) ? num(med("sw", t)) : "", num(med("plain" s, t)),
                               fmt(ri, "inline" s, "nocrypt" s, t), (m == 1) ? fmt(rs, "inline", "sw", t) : sprintf("%-18s", ""),
                               fmt(rp, "nocrypt" s, "plain" s, t))
                        RI[mode, t] = ri; RP[mode, t] = rp
                        LI[mode, t] = lo["inline" s, "nocrypt" s, t]; HI[mode, t] = hi["inline" s, "nocrypt" s, t]
                        LP[mode, t] = lo["nocrypt" s, "plain" s, t]; HP[mode, t] = hi["nocrypt" s, "plain" s, t]
                    }
                }
                # For the plot: per test, i/ii and ii/iv in both modes, with the spread.
                for (k = 1; k <= nt; k++) {
                    t = T[k]; line = k " " t
                    for (m = 1; m <= 2; m++) {
                        mode = (m == 1) ? "SDB" : "MCQ"
                        line = line " " ((RI[mode, t] == "") ? "? ? ?" : RI[mode, t] " " LI[mode, t] " " HI[mode, t])
                        line = line " " ((RP[mode, t] == "") ? "? ? ?" : RP[mode, t] " " LP[mode, t] " " HP[mode, t])
                    }
                    print line > dat
                }
                printf("\ntargets (ratio of the medians [lowest-highest of one round]):\n")
                printf("  %-4s %-18s  %-31s  %s\n", "mode", "test", "inlinecrypt / no enc. >= 0.90x", "CE=0 / plain ufs >= 0.95x")
                ni = 0; np = 0; mi = 0; mp = 0
                for (m = 1; m <= 2; m++) for (k = 1; k <= nt; k++) {
                    mode = (m == 1) ? "SDB" : "MCQ"; t = T[k]
                    oi = (RI[mode, t] != "" && RI[mode, t] >= 0.9); op = (RP[mode, t] != "" && RP[mode, t] >= 0.95)
                    ni++; np++; mi += oi; mp += op
                    printf("  %-4s %-18s  %s %-6s         %s %s\n", mode, t,
                           (RI[mode, t] == "") ? sprintf("%-18s", "-") : sprintf("%5.2fx [%.2f-%.2f]", RI[mode, t], LI[mode, t], HI[mode, t]), oi ? "met" : "MISSED",
                           (RP[mode, t] == "") ? sprintf("%-18s", "-") : sprintf("%5.2fx [%.2f-%.2f]", RP[mode, t], LP[mode, t], HP[mode, t]), op ? "met" : "MISSED")
                }
                printf("  inlinecrypt >= 0.90x no encryption, every test, SDB and MCQ: %s (%d of %d met)\n", (mi == ni) ? "met" : "MISSED", mi, ni)
                printf("  ufs-crypto CE=0 within 5 %% of plain ufs (>= 0.95x), every test, SDB and MCQ: %s (%d of %d met)\n", (mp == np) ? "met" : "MISSED", mp, np)
            }' "$out/guest.txt"
        echo
        echo "Scaling (ufs-crypto, SDB, round 1, O_DIRECT sequential reads by request size, MB/s):"
        awk '$3 == "test=seqread-direct" && $5 == "mib=64" { split($4, q, "="); split($6, v, "=")
                 if ($1 == "ufs-inline-1" || $1 == "ufs-nocrypt-1") { sub(/^ufs-/, "", $1); sub(/-1$/, "", $1)
                     printf("  %-8s req %5s KiB: %s\n", $1, q[2], v[2]) } }' "$out/guest.txt"
        echo "Keyslots in use (inlinecrypt, 1 MiB O_DIRECT reads round robin over files with their own keys):"
        awk '$3 == "test=multiread" { split($4, f, "="); split($5, v, "="); printf("  %2s files: %s MB/s\n", f[2], v[2]) }' "$out/guest.txt"
        for cfg in inline inline-mcq; do
            grep -h -E 'UFSC-BENCH-(DMESG|QUEUE)' "$out/guest-ufs-$cfg-1.txt" |
                sed "s/.*UFSC-BENCH-QUEUE /block queue: /; s/.*UFSC-BENCH-DMESG //; s/^/  $cfg run: /"
        done
        echo "  (queue_depth 31: ufshcd keeps one of the 32 slots for device commands, so QD 32 is 31 in flight and 1 queued)"
        echo "UFS part: $((rounds * 7)) guest runs in ${ufs_secs} s ($((ufs_secs / 60)) min $((ufs_secs % 60)) s)"
    } >> "$out/report.txt"

    awk '$3 == "test=seqread-direct" && $5 == "mib=64" { split($4, q, "="); split($6, v, "=")
             if ($1 == "ufs-inline-1") i[q[2]] = v[2]; if ($1 == "ufs-nocrypt-1") n[q[2]] = v[2] }
         END { for (k in i) print k, i[k], n[k] }' "$out/guest.txt" | sort -n > "$out/reqsize.dat"
    awk '$3 == "test=multiread" { split($4, f, "="); split($5, v, "="); print f[2], v[2] }' \
        "$out/guest.txt" | sort -n > "$out/keyslots.dat"
    awk '$1 <= 4' "$out/ratios.dat" > "$out/ratios-seq.dat"
    awk '$1 > 4' "$out/ratios.dat" > "$out/ratios-qd.dat"
    # The engine panel only if this run measured the engine.
    if part engine; then
        engine_plot="plot '$out/engine.dat' using 1:2 with linespoints title 'ufs-crypto engine', \
     '' using 1:3 with linespoints title 'libgcrypt raw XTS', \
     '' using 1:4 with linespoints title 'OpenSSL raw XTS'"
    else
        engine_plot="set multiplot next"
    fi
    gnuplot <<GP
set terminal pngcairo size 1500,900 noenhanced
set output '$out/bench.png'
set datafile missing '?'
set multiplot layout 2,3
set grid
set key left top
set logscale x 2
set title 'Engine: AES-256-XTS encryption, one core'
set xlabel 'data unit size (bytes)'
set ylabel 'GB/s'
$engine_plot
set title 'Guest: O_DIRECT sequential read vs request size'
set xlabel 'request size (KiB)'
set ylabel 'MB/s'
plot '$out/reqsize.dat' using 1:2 with linespoints title 'inlinecrypt', \
     '' using 1:3 with linespoints title 'no encryption'
set title 'Guest: reads over N files with their own keys'
set xlabel 'keyslots in use'
set yrange [0:*]
plot '$out/keyslots.dat' using 1:2 with linespoints title 'inlinecrypt, 32 keyslots'
# ratios-{qd,seq}.dat: N TEST then SDB i/ii lo hi, SDB ii/iv lo hi, MCQ
# i/ii lo hi, MCQ ii/iv lo hi: the ratio of the medians, the round spread
# as error bars
unset logscale x
set xlabel ''
set xtics rotate by -30
set key outside top center horizontal
set yrange [0:*]
set title 'Random 4 KiB O_DIRECT: inlinecrypt / no encryption'
set ylabel 'ratio'
set xrange [4.5:10.5]
plot '$out/ratios-qd.dat' using (\$1-0.12):3:4:5:xtic(2) with yerrorbars pt 7 title 'SDB', \
     '' using (\$1+0.12):9:10:11 with yerrorbars pt 5 title 'MCQ', \
     0.9 with lines dt 2 lc rgb 'red' title 'target 0.90x'
set title 'Random 4 KiB O_DIRECT: CE=0 ufs-crypto / plain ufs'
plot '$out/ratios-qd.dat' using (\$1-0.12):6:7:8:xtic(2) with yerrorbars pt 7 title 'SDB', \
     '' using (\$1+0.12):12:13:14 with yerrorbars pt 5 title 'MCQ', \
     0.95 with lines dt 2 lc rgb 'red' title 'target 0.95x'
set title 'Sequential 1 MiB: i/ii = inline / no enc., ii/iv = CE=0 / plain'
set xrange [0.5:4.5]
plot '$out/ratios-seq.dat' using (\$1-0.18):3:4:5:xtic(2) with yerrorbars pt 7 title 'SDB i/ii', \
     '' using (\$1-0.06):9:10:11 with yerrorbars pt 5 title 'MCQ i/ii', \
     '' using (\$1+0.06):6:7:8 with yerrorbars pt 6 title 'SDB ii/iv', \
     '' using (\$1+0.18):12:13:14 with yerrorbars pt 4 title 'MCQ ii/iv', \
     0.9 with lines dt 2 lc rgb 'red' title '0.90x', 0.95 with lines dt 3 lc rgb 'blue' title '0.95x'
unset multiplot
GP
fi
if part emmc; then
    # Three rounds, the configurations interleaved, so that the machine's
    # noise falls on all of them: medians, their ratios, and the spread
    # (lowest-highest) of the per-round ratios.
    for r in 1 2 3; do
        guest_run emmc-inline-$r emmc-crypto inline 0
        guest_run emmc-nocrypt-$r emmc-crypto nocrypt 0
        guest_run emmc-sw-$r emmc-crypto sw 0
    done
    cat "$out"/guest-emmc-{inline,nocrypt,sw}-[123].txt > "$out/guest-emmc.txt"
    {
        echo
        echo "Guest I/O, aarch64 TCG guest, ext4 on -device emmc-crypto, cache=none, ${UFSC_BENCH_EMMC_MIB:-256} MiB sequential"
        echo "  (i) inlinecrypt  (ii) no encryption  (iii) software fscrypt; MB/s (IOPS), median of 3 interleaved rounds"
        echo "  i/ii, i/iii: ratio of the medians [lowest-highest ratio of one round]"
        awk '
            function med(a, b, c) { return (a > b) ? ((b > c) ? b : ((a > c) ? c : a)) : ((a > c) ? a : ((b > c) ? c : b)) }
            { split($1, nm, "-"); cfg = nm[2]; rnd = nm[3]; t = ""; v = ""; iops = ""
              for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == "test") t = kv[2]
                  if (kv[1] == "MBps") v = kv[2]; if (kv[1] == "IOPS") iops = kv[2] }
              if (t ~ /^rand/) r[cfg, t, rnd] = iops
              else if (t != "") r[cfg, t, rnd] = v }
            END {
                n = split("seqwrite-buffered seqread-buffered seqwrite-direct seqread-direct randread-qd1 randread-qd4 randread-qd32 randwrite-qd1 randwrite-qd4 randwrite-qd32", tests, " ")
                printf("%-18s %8s %8s %8s %22s %22s\n", "test", "(i)", "(ii)", "(iii)", "i/ii", "i/iii")
                for (k = 1; k <= n; k++) {
                    t = tests[k]
                    for (c = 1; c <= 3; c++) {
                        cf = (c == 1) ? "inline" : (c == 2) ? "nocrypt" : "sw"
                        m[c] = med(r[cf, t, 1], r[cf, t, 2], r[cf, t, 3])
                    }
                    for (c = 2; c <= 3; c++) {
                        cf = (c == 2) ? "nocrypt" : "sw"; lo[c] = 1e9; hi[c] = 0
                        for (q = 1; q <= 3; q++) {
                            x = (r[cf, t, q] > 0) ? r["inline", t, q] / r[cf, t, q] : 0
                            if (x < lo[c]) lo[c] = x; if (x > hi[c]) hi[c] = x
                        }
                        rat[c] = (m[c] > 0) ? m[1] / m[c] : 0
                    }
                    printf("%-18s %8s %8s %8s %6.2fx [%.2f-%.2f]   %6.2fx [%.2f-%.2f]\n", t, m[1], m[2], m[3],
                           rat[2], lo[2], hi[2], rat[3], lo[3], hi[3])
                    if (t ~ /^seq/) ri[t] = rat[2]
                }
                printf("\ntargets (medians):\n")
                split("seqwrite-buffered seqread-buffered seqwrite-direct seqread-direct", s, " ")
                for (k = 1; k <= 4; k++)
                    printf("  %-18s eMMC inlinecrypt / no encryption >= 0.90x: %.2fx %s\n", s[k], ri[s[k]], ri[s[k]] >= 0.9 ? "met" : "MISSED")
            }' "$out/guest-emmc.txt"
        grep -h 'UFSC-BENCH-DMESG' "$out/guest-emmc-inline-1.txt" | sed 's/.*UFSC-BENCH-DMESG /  inline run: /' | sort -u
    } >> "$out/report.txt"
fi

cat "$out/report.txt"
echo "results: $out (report.txt, engine.txt, guest.txt, bench.png)"
