#!/usr/bin/env bash
# bench.sh: what "make bench" runs.  Writes out/bench/{engine.txt,
# report.txt,bench.png} and prints the report.
#
# Engine: throughput of inline_crypto_encrypt/decrypt() per algorithm and
# data unit size, on one core, against the raw AES-XTS of libgcrypt and
# OpenSSL measured in the same run on the same buffers.
#
# Guest I/O: an aarch64 TCG guest on a UFS LU (ext4, cache=none), in four
# configurations booted one after the other: (i) ufs-crypto with
# -o inlinecrypt, (ii) the same device, no encryption, (iii) the same
# device, fs-layer software fscrypt, (iv) plain -device ufs, no encryption.
# UFSC_BENCH_MIB sets the sequential size (default 256).
#
# eMMC: the same guest tests on -device emmc-crypto (ext4 on its card,
# cache=none), (i) with -o inlinecrypt, (ii) without encryption, (iii)
# with software fscrypt, in three interleaved rounds; UFSC_BENCH_EMMC_MIB
# sets their size (default 256).
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
: > "$out/report.txt"

if part engine; then
step "engine: AES-XTS through the device's chunk path vs libgcrypt and OpenSSL"
"$build/tests/bench/inline-crypto-bench" "${UFSC_BENCH_SECONDS:-0.4}" > "$out/engine.txt"

{
    echo "ufs-crypto benchmarks, $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "host: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) cores"
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
    # guest_run NAME DEVICE MODE SCALING: a UFS LU on DEVICE, or an eMMC
    # if DEVICE is emmc-crypto (its sequential tests of UFSC_BENCH_EMMC_MIB)
    guest_run() {
        local name=$1 device=$2 mode=$3 scaling=$4 img=$out/guest-$1.img
        local size=$mib storage=ufs dev_args
        # shellcheck disable=SC2054 # the commas are QEMU's
        dev_args=(-device "$device,id=ufs0" -device ufs-lu,bus=ufs0,drive=d0,lun=0)
        if [ "$device" = emmc-crypto ]; then
            size=${UFSC_BENCH_EMMC_MIB:-256} storage=emmc
            # shellcheck disable=SC2054 # the commas are QEMU's
            dev_args=(-device emmc-crypto,drive=d0)
        fi
        step "guest I/O: $name (-device $device, ufsc.mode=$mode)"
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
            -append "console=ttyAMA0 rdinit=/bench ufsc.mode=$mode ufsc.mib=$size ufsc.scaling=$scaling ufsc.storage=$storage" \
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
    guest_run inline ufs-crypto inline 1
    guest_run nocrypt ufs-crypto nocrypt 1
    guest_run sw ufs-crypto sw 0
    guest_run plain ufs nocrypt 0
    cat "$out"/guest-{inline,nocrypt,sw,plain}.txt > "$out/guest.txt"

    {
        echo
        echo "Guest I/O, aarch64 TCG guest, ext4 on a UFS LU, cache=none, ${mib} MiB sequential, MB/s"
        echo "  (i) ufs-crypto + inlinecrypt  (ii) ufs-crypto, no encryption"
        echo "  (iii) ufs-crypto, software fscrypt  (iv) -device ufs, no encryption"
        awk '
            { name = $1; t = ""; v = ""; iops = ""
              for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == "test") t = kv[2]
                  if (kv[1] == "MBps") v = kv[2]; if (kv[1] == "IOPS") iops = kv[2]
                  if (kv[1] == "req_kib" && kv[2] != 1024) t = "" }
              if (t == "randread-4k") { r[name, "randread-4k IOPS"] = iops }
              else if (t != "" && t != "multiread") r[name, t] = v }
            END {
                n = split("seqwrite-buffered seqread-buffered seqwrite-direct seqread-direct randread-4k IOPS", tests, " ")
                printf("%-22s %9s %9s %9s %9s %8s %8s %8s\n", "test", "(i)", "(ii)", "(iii)", "(iv)", "i/ii", "i/iii", "ii/iv")
                for (k = 1; k <= n; k++) {
                    t = tests[k]; if (t == "randread-4k") { t = "randread-4k IOPS"; k++ }
                    a = r["inline", t]; b = r["nocrypt", t]; c = r["sw", t]; d = r["plain", t]
                    printf("%-22s %9s %9s %9s %9s %7.2fx %7.2fx %7.2fx\n", t, a, b, c, d,
                           (b > 0) ? a / b : 0, (c > 0) ? a / c : 0, (d > 0) ? b / d : 0)
                    if (t ~ /^seq/) { ri[t] = (b > 0) ? a / b : 0; rp[t] = (d > 0) ? b / d : 0 }
                }
                printf("\ntargets:\n")
                split("seqwrite-buffered seqread-buffered seqwrite-direct seqread-direct", s, " ")
                for (k = 1; k <= 4; k++)
                    printf("  %-18s inlinecrypt / no encryption >= 0.90x: %.2fx %s\n", s[k], ri[s[k]], ri[s[k]] >= 0.9 ? "met" : "MISSED")
                for (k = 1; k <= 4; k++)
                    printf("  %-18s ufs-crypto CE=0 / plain ufs within 5%%: %.2fx %s\n", s[k], rp[s[k]], (rp[s[k]] >= 0.95) ? "met" : "MISSED")
            }' "$out/guest.txt"
        echo
        echo "Scaling (ufs-crypto, O_DIRECT sequential reads by request size, MB/s):"
        awk '$3 == "test=seqread-direct" && $5 == "mib=64" { split($4, q, "="); split($6, v, "=")
                 if ($1 == "inline" || $1 == "nocrypt") printf("  %-8s req %5s KiB: %s\n", $1, q[2], v[2]) }' "$out/guest.txt"
        echo "Keyslots in use (inlinecrypt, 1 MiB O_DIRECT reads round robin over files with their own keys):"
        awk '$3 == "test=multiread" { split($4, f, "="); split($5, v, "="); printf("  %2s files: %s MB/s\n", f[2], v[2]) }' "$out/guest.txt"
        grep -h 'UFSC-BENCH-DMESG' "$out/guest-inline.txt" | sed 's/.*UFSC-BENCH-DMESG /  inline run: /' | sort -u
    } >> "$out/report.txt"

    awk '$3 == "test=seqread-direct" && $5 == "mib=64" { split($4, q, "="); split($6, v, "=")
             if ($1 == "inline") i[q[2]] = v[2]; if ($1 == "nocrypt") n[q[2]] = v[2] }
         END { for (k in i) print k, i[k], n[k] }' "$out/guest.txt" | sort -n > "$out/reqsize.dat"
    awk '$3 == "test=multiread" { split($4, f, "="); split($5, v, "="); print f[2], v[2] }' \
        "$out/guest.txt" | sort -n > "$out/keyslots.dat"
    gnuplot <<GP
set terminal pngcairo size 1400,450 noenhanced
set output '$out/bench.png'
set multiplot layout 1,3
set grid
set key left top
set logscale x 2
set title 'Engine: AES-256-XTS encryption, one core'
set xlabel 'data unit size (bytes)'
set ylabel 'GB/s'
plot '$out/engine.dat' using 1:2 with linespoints title 'ufs-crypto engine', \
     '' using 1:3 with linespoints title 'libgcrypt raw XTS', \
     '' using 1:4 with linespoints title 'OpenSSL raw XTS'
set title 'Guest: O_DIRECT sequential read vs request size'
set xlabel 'request size (KiB)'
set ylabel 'MB/s'
plot '$out/reqsize.dat' using 1:2 with linespoints title 'inlinecrypt', \
     '' using 1:3 with linespoints title 'no encryption'
set title 'Guest: reads over N files with their own keys'
set xlabel 'keyslots in use'
set yrange [0:*]
plot '$out/keyslots.dat' using 1:2 with linespoints title 'inlinecrypt, 32 keyslots'
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
              if (t == "randread-4k") r[cfg, "randread-4k IOPS", rnd] = iops
              else if (t != "") r[cfg, t, rnd] = v }
            END {
                n = split("seqwrite-buffered seqread-buffered seqwrite-direct seqread-direct randread-4k IOPS", tests, " ")
                printf("%-18s %8s %8s %8s %22s %22s\n", "test", "(i)", "(ii)", "(iii)", "i/ii", "i/iii")
                for (k = 1; k <= n; k++) {
                    t = tests[k]; if (t == "randread-4k") { t = "randread-4k IOPS"; k++ }
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
