#!/usr/bin/env bash
# test-e2e-device-io.sh: scripts/e2e-device-io.py (e2e.sh's count of what
# the device encrypted) on made-up consoles, host check logs and QEMU trace
# logs: it passes when the device's encrypted bytes cover the native
# files per data unit size, and fails when the device encrypted nothing,
# too little, or at another data unit size, or logged an error; no trace
# at all is a skip.  No QEMU, no network.  TAP on stdout.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 failed=0

# The guest: ext4 with v2 (native) and iv_ino_lblk_64 (fallback, eMMC
# style), f2fs with v2_dus512 (native).  The host check: one hw and one sw
# file each.
cat > "$tmp/console.txt" <<'EOF'
UFSC-POLICIES fs=ext4 native=v2 fallback=iv_ino_lblk_64
UFSC-POLICIES fs=f2fs native=v2_dus512 fallback=
EOF
cat > "$tmp/check.log" <<'EOF'
PASS ext4 v2 hw /v2/big ino=12 size=1048699 AES-256-XTS: 257 blocks of 4096-byte data units, 257 passed, 0 failed
PASS ext4 v2 sw /v2/sw-big ino=13 size=1048699 AES-256-XTS: 257 blocks of 4096-byte data units, 257 passed, 0 failed
PASS ext4 iv_ino_lblk_64 hw /iv_ino_lblk_64/big ino=14 size=1048699 AES-256-XTS: 257 blocks of 4096-byte data units, 257 passed, 0 failed
PASS f2fs v2_dus512 hw /v2_dus512/block ino=5 size=4096 AES-256-XTS: 1 blocks of 512-byte data units, 1 passed, 0 failed
PASS f2fs v2_dus512 sw /v2_dus512/sw-block ino=6 size=4096 AES-256-XTS: 1 blocks of 512-byte data units, 1 passed, 0 failed
blocks: 773 passed, 0 failed
EOF
# ufs_req SLOT LEN DIR
ufs_req() { echo "ufs_crypto_req task tag 3 keyslot $1 dun 0x0 len $2 dir $3"; }
prog() { echo "inline_crypto_regs_program ufs0: keyslot $1 capidx 0 data unit $2"; }
cmd() { echo "ufs_exec_scsi_cmd slot 0, lun 0x0, opcode 0x2a"; }

# check NAME STORAGE TRACE WANT...: WANT is "RESULT CHECKNAME" lines that
# must all be in the output.
check() {
    local name=$1 storage=$2 trace=$3 out w bad=0
    shift 3
    n=$((n + 1))
    out=$(/usr/bin/python3 "$top/scripts/e2e-device-io.py" --storage "$storage" \
              --console "$tmp/console.txt" --check "$tmp/check.log" --trace "$trace" 2>&1)
    for w in "$@"; do
        grep -q "^$w\\b" <<< "$out" || bad=1
    done
    if [ "$bad" = 0 ]; then
        echo "ok $n - $name"
    else
        echo "not ok $n - $name (want: $*)"
        printf '%s\n' "$out" | sed 's/^/# /'
        failed=$((failed + 1))
    fi
}

# 257 blocks of 4096 written and 514 read at 4096; 1 block at 512 written,
# 2 read.
{
    cmd; prog 0 4096; prog 1 512
    ufs_req 0 1052672 2; ufs_req 1 4096 2
    ufs_req 0 1052672 1; ufs_req 0 1052672 1; ufs_req 1 8192 1
    cmd
} > "$tmp/good.log"
check "ufs: the native files' blocks, per data unit size" ufs "$tmp/good.log" \
    "ok device-encrypted-writes" "ok device-encrypted-reads" "ok device-no-errors"

{ cmd; cmd; cmd; } > "$tmp/none.log"
check "ufs: commands but no encrypted request fail" ufs "$tmp/none.log" \
    "fail device-encrypted-writes" "fail device-encrypted-reads"

# The 512-byte policy's data units at 4096 (a keyslot of the wrong size)
{
    cmd; prog 0 4096
    ufs_req 0 1052672 2; ufs_req 0 4096 2
    ufs_req 0 1052672 1; ufs_req 0 1052672 1; ufs_req 0 8192 1
} > "$tmp/wrongdus.log"
check "ufs: the 512-byte data units at another size fail" ufs "$tmp/wrongdus.log" \
    "fail device-encrypted-writes" "fail device-encrypted-reads"

# The hw file of the 4096-byte policy written only in part
{
    cmd; prog 0 4096; prog 1 512
    ufs_req 0 1048576 2; ufs_req 1 4096 2
    ufs_req 0 1052672 1; ufs_req 0 1052672 1; ufs_req 1 8192 1
} > "$tmp/short.log"
check "ufs: one block short fails the writes only" ufs "$tmp/short.log" \
    "fail device-encrypted-writes" "ok device-encrypted-reads"

{ cat "$tmp/good.log"; echo "ufs_crypto_err_slot_disabled task tag 4: keyslot 9 is not configured"; } > "$tmp/err.log"
check "ufs: an error event fails" ufs "$tmp/err.log" \
    "ok device-encrypted-writes" "fail device-no-errors"

: > "$tmp/empty.log"
check "ufs: no trace output at all is a skip" ufs "$tmp/empty.log" \
    "skip device-encrypted-writes" "skip device-encrypted-reads"

# eMMC: 512-byte blocks, CE 1 for encrypted tasks, data units all 4096: the
# 512-byte policy cannot be covered, so this console's f2fs is left out.
sed -i 's/^UFSC-POLICIES fs=f2fs native=v2_dus512/UFSC-POLICIES fs=f2fs native=/' "$tmp/console.txt"
{
    echo "cqhci_task task 0 read 0 blocks 2056 sector 0x800 CE 1 DUN 0x0"
    echo "cqhci_task task 1 read 1 blocks 4112 sector 0x800 CE 1 DUN 0x0"
    echo "cqhci_task task 2 read 0 blocks 8 sector 0x0 CE 0 DUN 0x0"
} > "$tmp/emmc.log"
check "emmc: encrypted tasks cover the native files" emmc "$tmp/emmc.log" \
    "ok device-encrypted-writes" "ok device-encrypted-reads"
sed 's/CE 1/CE 0/' "$tmp/emmc.log" > "$tmp/emmc-plain.log"
check "emmc: only plain tasks fail" emmc "$tmp/emmc-plain.log" \
    "fail device-encrypted-writes" "fail device-encrypted-reads"

echo "1..$n"
[ "$failed" = 0 ]
