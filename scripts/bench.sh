#!/usr/bin/env bash
# bench.sh: what "make bench" runs.  Writes out/bench/{engine.txt,
# report.txt,bench.png} and prints the report.
#
# Engine: throughput of inline_crypto_encrypt/decrypt() per algorithm and
# data unit size, on one core, against the raw AES-XTS of libgcrypt and
# OpenSSL measured in the same run on the same buffers.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

out=$UFSC_TOP/out/bench
mkdir -p "$out"
need_pkgs gnuplot-nox libgcrypt20-dev libssl-dev

build=$(UFSC_EXTRA_TARGETS=tests/bench/inline-crypto-bench "$UFSC_TOP/scripts/build-qemu.sh")

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
} > "$out/report.txt"

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
cat "$out/report.txt"
echo "results: $out (report.txt, engine.txt, bench.png)"
