#!/usr/bin/env bash
# demo.sh: what "make demo" runs.  Builds QEMU, the guest kernel and the
# initramfs, boots an aarch64 guest on -device ufs-crypto, runs the fscrypt
# scenario with -o inlinecrypt, checks the ciphertext on the host, then does
# the same on two -device emmc-crypto, then runs the hardware-wrapped key
# scenario (the key manager of -device ufs-crypto,wrapped-keys=on, four
# boots), and prints a report.  The guest runs Linux 7.3.  Everything is
# left in out/demo/ (the eMMC run in out/demo/emmc/, the wrapped keys in
# out/demo/wrapped/).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

out=$UFSC_TOP/out/demo
mkdir -p "$out"
start=$(date +%s)

step "1/6 QEMU with -device ufs-crypto"
build=$(UFSC_NINJA_TARGETS=qemu-system-aarch64 "$UFSC_TOP/scripts/build-qemu.sh")
t_qemu=$(date +%s)
step "1/6 done in $((t_qemu - start))s"
step "2/6 guest kernel (Linux 7.3 with CONFIG_BLK_INLINE_ENCRYPTION and patches/linux/7.3)"
kernel=$("$UFSC_TOP/scripts/build-kernel.sh" arm64 7.3)
t_kernel=$(date +%s)
step "2/6 done in $((t_kernel - t_qemu))s"
step "3/6 guest initramfs (busybox and ufsc-guest)"
initrd=$("$UFSC_TOP/scripts/build-initramfs.sh" arm64)
t_built=$(date +%s)
step "3/6 done in $((t_built - t_kernel))s"

step "4/6 booting the guest on -device ufs-crypto and running the scenario (about a minute)"
# The demo's master keys: fixed test keys, documented in README.md.
{
    echo "# fscrypt master keys of the demo (test keys, not secrets)"
    echo "key1 $(printf '%02x' $(seq 0 63) | tr -d ' ')"
    echo "key2 $(printf '%02x' $(seq 64 127) | tr -d ' ')"
} > "$out/master-keys.txt"
set +e
"$UFSC_TOP/scripts/e2e.sh" --arch aarch64 --kernel-version 7.3 --qemu "$build" \
    --kernel "$kernel" --initrd "$initrd" --out "$out" > "$out/e2e.log"
rc=$?
t_run=$(date +%s)
step "5/6 the same on two -device emmc-crypto (eMMC, CQHCI crypto; a few minutes)"
mkdir -p "$out/emmc"
"$UFSC_TOP/scripts/e2e.sh" --storage emmc --arch aarch64 --kernel-version 7.3 --quick \
    --qemu "$build" --kernel "$kernel" --initrd "$initrd" --out "$out/emmc" > "$out/emmc/e2e.log"
rc_emmc=$?
t_emmc=$(date +%s)
step "6/6 hardware-wrapped keys: -device ufs-crypto,wrapped-keys=on, four boots (a few minutes)"
mkdir -p "$out/wrapped"
"$UFSC_TOP/scripts/e2e-wrapped.sh" --arch aarch64 --qemu "$build" --kernel "$kernel" \
    --initrd "$initrd" --out "$out/wrapped" > "$out/wrapped/e2e.log" 2>&1
rc_wrapped=$?
set -e
t_wrapped=$(date +%s)

C=$out/console.txt
{
    echo
    echo "================ ufs-crypto demo ================"
    echo "device:   -device ufs-crypto on qemu-system-aarch64 -M virt (TCG)"
    grep '^UFSC-LU ' "$C" | sed 's/^UFSC-LU /  LU /' || true
    echo "kernel:   Linux $(sed -n 's/.*Linux version \([^ ]*\).*/\1/p' "$C" | head -1) (software fscrypt is blk-crypto-fallback)"
    grep -E '^(\[[ 0-9.]*\] )?fscrypt: .* using blk-crypto' "$C" | sed -E 's/^(\[[ 0-9.]*\] )?/  kernel says: /' | sort -u || true
    echo "files written and verified (fs, policy, data unit, phase: hw = inlinecrypt, sw = software fscrypt):"
    awk '/^UFSC-FILE / { for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
                         k = sprintf("  %-5s %-24s du=%-5d %s", v["fs"], v["policy"], 2 ^ (v["log2_dus"] ? v["log2_dus"] : 12), v["phase"])
                         n[k]++; b[k] += v["size"] }
         END { for (k in n) printf("%s: %d files, %.1f MiB\n", k, n[k], b[k] / 1048576) }' "$C" | sort
    sed -n 's/^  guest: /guest checks: /p; s/^  host check: /host-side ciphertext check (HKDF-SHA512, then AES-XTS, AES-CBC-ESSIV or Adiantum in Python, independent of QEMU and the guest): /p' "$out/report.txt"
    grep '^  throughput' "$out/report.txt" | sed 's/^  throughput/throughput/' || true
    sed -n 's/^  times: /times: /p' "$out/report.txt"
    tail -1 "$out/report.txt"
    E=$out/emmc/console.log
    echo
    echo "---------------- eMMC: -device emmc-crypto ----------------"
    echo "device:   two -device emmc-crypto (SDHCI + CQHCI 5.10 crypto, a command-queueing eMMC each) on qemu-system-aarch64 -M virt"
    grep -a '^UFSC-EMMC ' "$E" | sed 's/^UFSC-EMMC /  eMMC /' || true
    grep -aE '^(\[[ 0-9.]*\] )?mmc[0-9]+: (CQHCI version|Command Queue Engine enabled)' "$E" |
        sed -E 's/^(\[[ 0-9.]*\] )?/  kernel says: /' | sort -u || true
    grep -aE '^(\[[ 0-9.]*\] )?fscrypt: .* using ' "$E" |
        sed -E 's/^(\[[ 0-9.]*\] )?/  kernel says: /' | sort -u || true
    sed -n 's/^  guest: /guest checks: /p; s/^  host check: /host-side ciphertext check: /p; s/^  device: /device: /p' \
        "$out/emmc/report.txt" 2>/dev/null || true
    tail -1 "$out/emmc/report.txt" 2>/dev/null || echo "(no eMMC report: see $out/emmc/e2e.log)"
    W=$out/wrapped
    echo
    echo "---------------- hardware-wrapped keys: -device ufs-crypto,wrapped-keys=on ----------------"
    echo "key manager: import, generate, prepare, derive the software secret, program a keyslot (docs/system/devices/ufs-crypto.rst)"
    grep -aE '^(\[[ 0-9.]*\] )?ufshcd [^ ]*: key manager' "$W/console-first.log.txt" 2>/dev/null |
        sed -E 's/^(\[[ 0-9.]*\] )?/  kernel says: /' | sort -u || true
    sed -n 's/^UFSC-WRAPPED stage=first /  first boot: /p' "$W/console-first.log.txt" 2>/dev/null || true
    grep -E '^  (boot|device:)' "$W/report.txt" 2>/dev/null | sed 's/^  /  /' || true
    grep -E '^ +(blocks|fscrypt-check):' "$W/report.txt" 2>/dev/null |
        sed 's/^ */  ciphertext from the imported raw key (SP 800-108 KDF, then AES-256-XTS in Python): /' || true
    tail -1 "$W/report.txt" 2>/dev/null || echo "(no wrapped-key report: see $W/e2e.log)"
    echo
    echo "time this run: QEMU $((t_qemu - start))s, kernel $((t_kernel - t_qemu))s," \
         "initramfs $((t_built - t_kernel))s, guest and host check: UFS $((t_run - t_built))s," \
         "eMMC $((t_emmc - t_run))s, wrapped keys $((t_wrapped - t_emmc))s; total $(( $(date +%s) - start ))s"
    echo "left in $out: lu0.img (ext4), lu1.img (f2fs), console.log, report.txt, check.log, master-keys.txt, qemu-cmdline.txt; emmc/: emmc0.img (ext4), emmc1.img (f2fs), the same logs; wrapped/: lu0.img, lu1.img, a console and a QEMU log per boot, report.txt, check.log"
    if [ "$rc" = 0 ] && [ "$rc_emmc" = 0 ] && [ "$rc_wrapped" = 0 ]; then
        echo "DEMO PASSED"
    else
        echo "DEMO FAILED (UFS exit $rc, eMMC exit $rc_emmc, wrapped keys exit $rc_wrapped; see $out/e2e.log, $out/emmc/e2e.log and $out/wrapped/e2e.log)"
    fi
} | tee "$out/demo-report.txt"
[ "$rc" = 0 ] && [ "$rc_emmc" = 0 ] && [ "$rc_wrapped" = 0 ]
