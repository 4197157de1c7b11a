#!/usr/bin/env bash
# e2e.sh: the end-to-end test of the ufs-crypto device with a real Linux guest.
#
#   scripts/e2e.sh [--arch aarch64|x86_64] [--kernel-version 6.12|7.3]
#                  [--kernel PATH] [--initrd PATH]
#                  [--qemu PATH] [--out DIR] [--timeout S] [--smp N] [--quick]
#                  [--storage ufs|emmc] [--device NAME] [--props PROPS] [--migrate]
#                  [--junit FILE] [--json FILE]
#
# Builds (or takes) the guest kernel and initramfs, makes an ext4 and an f2fs
# image, boots QEMU with -device ufs-crypto and two ufs-lu LUs (or, with
# --storage emmc, two -device emmc-crypto controllers, each with its own
# eMMC) under a hard timeout, reads the guest's verdict from the serial
# console, then checks the ciphertext in the images on the host with
# scripts/fscrypt-check.py, and that the device encrypted at least the
# blocks of the files the guest wrote and read through -o inlinecrypt with
# the policies it offers natively, per data unit size, from the encrypted
# requests it traced in qemu.log (scripts/e2e-device-io.py; for
# emmc-crypto also its keyslots and tasks).
# Ends with "e2e: N passed, N failed, N skipped"; exits 0 only if nothing
# failed.  Skips (a policy the device does not offer, a file the host cannot
# check independently) count as neither.
#
#   --kernel-version V  the Linux series the guest runs, MAJOR.MINOR
#                 (default 6.12): the kernel scripts/build-kernel.sh builds
#                 when there is no --kernel (6.12 or 7.3), and the guest's
#                 expectations (ufsc.kver=V; the guest fails its
#                 kernel-version check if it runs another series).  From
#                 7.3 on, fscrypt encrypts file contents only through
#                 blk-crypto: the guest's software side is
#                 blk-crypto-fallback, and one master key serves every
#                 policy (see guest/init)
#   --qemu PATH   a QEMU build directory or a qemu-system-* binary
#                 (default: $QEMU_BUILD, else the build of scripts/build-qemu.sh)
#   --out DIR     console log, images and reports (default: $UFSC_CACHE/e2e-ARCH,
#                 $UFSC_CACHE/e2e-emmc-ARCH with --storage emmc)
#   --timeout S   hard limit for the guest run (default 600)
#   --quick       smaller files in the guest (ufsc.quick)
#   --storage S   ufs (default): one UFS host controller with two LUs;
#                 emmc: two eMMC host controllers (ext4 on the first one's card,
#                 f2fs on the second's), 4 GiB sparse images, the guest's
#                 ufsc.emmc scenario
#   --device NAME the host controller model.  UFS: ufs-crypto (default), or
#                 "ufs", the stock model without crypto, a negative control
#                 that must FAIL.  eMMC: emmc-crypto (default), or "sdhci-pci"
#                 with an sd-card on each (QEMU 10.0's eMMC cannot be created
#                 by hand, an SD card on the stock controller is the closest
#                 plain device), a negative control that must FAIL
#   --props PROPS extra device properties, e.g. mcq=on or keyslots=8 (eMMC:
#                 given to both controllers; emmc-crypto gets
#                 algorithms=aes-256-xts,,essiv-aes-128-cbc unless PROPS sets
#                 algorithms (QEMU's syntax: a comma in a value is doubled),
#                 and the guest expects ESSIV to be native when the
#                 algorithms include essiv-aes-128-cbc)
#   --migrate     migrate the VM to a file in the middle of a workload (the
#                 guest's ufsc.migrate phase), quit, restore it in a new QEMU
#                 and let the guest verify every file there
#   --junit FILE  also write the results as JUnit XML: one test case per
#                 check (classes guest, host-check and e2e), a failure with
#                 its message for each failed one (scripts/e2e-results.py)
#   --json FILE   also write a summary as JSON: arch, storage, device and
#                 properties, kernel and QEMU, the modes fscrypt used
#                 natively, counts (per class too), failed checks, timings
#
# eMMC: the guest also asks, on its console, for a data error on each
# card's controller in turn (UFSC-INJECT request N); the host arms one
# through QMP (emmc-crypto's x-inject-data-errors) and answers on the
# console's input, and the guest checks that Linux recovered (a CQE
# recovery) and that every file still reads back.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

arch=aarch64 kernel='' initrd='' qemu='' out='' timeout_s=600 smp=2 quick=0 device='' props=''
kver=6.12
junit='' json=''
migrate=0 storage=ufs
usage() { sed -n '2,/^set -euo/p' "$0" | grep '^#' | sed 's/^# \{0,1\}//' >&2; exit 2; }
while [ $# -gt 0 ]; do
    case "$1" in
    --arch) arch=${2:?}; shift 2 ;;
    --kernel) kernel=${2:?}; shift 2 ;;
    --kernel-version) kver=${2:?}; shift 2 ;;
    --initrd) initrd=${2:?}; shift 2 ;;
    --qemu) qemu=${2:?}; shift 2 ;;
    --out) out=${2:?}; shift 2 ;;
    --timeout) timeout_s=${2:?}; shift 2 ;;
    --smp) smp=${2:?}; shift 2 ;;
    --quick) quick=1; shift ;;
    --storage) storage=${2:?}; shift 2 ;;
    --device) device=${2:?}; shift 2 ;;
    --props) props=${2:?}; shift 2 ;;
    --migrate) migrate=1; shift ;;
    --junit) junit=$(realpath -m "${2:?}"); shift 2 ;;
    --json) json=$(realpath -m "${2:?}"); shift 2 ;;
    -h|--help) usage ;;
    *) printf 'unknown argument: %s\n' "$1" >&2; usage ;;
    esac
done

case "$arch" in
aarch64|arm64)
    arch=aarch64 karch=arm64 console=ttyAMA0
    machine=(-M virt -cpu max) ;;
x86_64|x86|amd64)
    arch=x86_64 karch=x86_64 console=ttyS0
    machine=(-M q35 -cpu max) ;;
*) die "unknown --arch $arch (aarch64 or x86_64)" ;;
esac
[[ "$timeout_s" =~ ^[0-9]+$ ]] || die "--timeout takes seconds"
[[ "$kver" =~ ^[0-9]+\.[0-9]+$ ]] || die "--kernel-version takes MAJOR.MINOR (6.12, 7.3), not $kver"
case "$storage" in
ufs) device=${device:-ufs-crypto} ;;
emmc)
    device=${device:-emmc-crypto}
    case "$device" in
    emmc-crypto|sdhci-pci) ;;
    *) die "--storage emmc takes --device emmc-crypto or sdhci-pci, not $device" ;;
    esac ;;
*) die "unknown --storage $storage (ufs or emmc)" ;;
esac

now() { date +%s.%N; }
# elapsed FROM [TO]: seconds between two now() values, one decimal.
elapsed() { awk -v a="$1" -v b="${2:-$(now)}" 'BEGIN { printf("%.1f", b - a) }'; }

# ---- QEMU ------------------------------------------------------------------
if [ -z "$qemu" ]; then
    qemu=$(default_build)
fi
if [ -d "$qemu" ]; then
    qemu_bin=$qemu/qemu-system-$arch
else
    qemu_bin=$qemu
fi
[ -x "$qemu_bin" ] || die "no QEMU binary at $qemu_bin (build it with scripts/build-qemu.sh or pass --qemu)"
qemu_bin=$(cd "$(dirname "$qemu_bin")" && pwd)/$(basename "$qemu_bin")
"$qemu_bin" -device help 2>/dev/null | grep -q "\"$device\"" ||
    die "$qemu_bin has no $device device"
if [ "$device" = sdhci-pci ]; then
    "$qemu_bin" -device help 2>/dev/null | grep -q '"sd-card"' ||
        die "$qemu_bin has no sd-card device"
fi
# x86 boots -kernel through SeaBIOS and QEMU's linuxboot_dma.bin option ROM:
# without it SeaBIOS finds nothing to boot and the guest would only time out.
if [ "$arch" = x86_64 ]; then
    found=
    while IFS= read -r d; do
        [ -e "$d/linuxboot_dma.bin" ] && [ -e "$d/bios-256k.bin" ] && found=$d
    done < <("$qemu_bin" -L help 2>/dev/null)
    [ -n "$found" ] || die "$qemu_bin finds no linuxboot_dma.bin and bios-256k.bin in its data directories ($("$qemu_bin" -L help 2>/dev/null | tr '\n' ' ')); build QEMU's option ROMs (scripts/build-qemu.sh) or pass --qemu"
fi

need_pkgs e2fsprogs f2fs-tools python3-cryptography inotify-tools

# ---- kernel and initramfs ------------------------------------------------------
t_start=$(date +%s)
if [ -z "$kernel" ]; then
    kernel=$("$UFSC_TOP/scripts/build-kernel.sh" "$karch" "$kver")
fi
[ -f "$kernel" ] || die "no kernel image at $kernel"
t_kernel=$(date +%s)
if [ -z "$initrd" ]; then
    initrd=$("$UFSC_TOP/scripts/build-initramfs.sh" "$karch")
fi
[ -f "$initrd" ] || die "no initramfs at $initrd"
t_initrd=$(date +%s)

# ---- images ----------------------------------------------------------------------
if [ "$storage" = emmc ]; then
    out=${out:-$UFSC_CACHE/e2e-emmc-$arch}
else
    out=${out:-$UFSC_CACHE/e2e-$arch}
fi
mkdir -p "$out"
out=$(cd "$out" && pwd)
rm -f "$out"/lu0.img "$out"/lu1.img "$out"/emmc0.img "$out"/emmc1.img \
    "$out"/console.log "$out"/check.log "$out"/qemu.log "$out"/report.txt \
    "$out"/console-dst.log "$out"/qemu-dst.log "$out"/migrate.log "$out"/vm.mig "$out"/qmp.sock \
    "$out"/console-in "$out"/qemu.rc
# The ext4 image is img0, the f2fs image img1.  An eMMC of 2 GiB or less is
# byte addressed, which a command queueing card cannot be (emmc-crypto
# refuses it), and QEMU's SD card model wants a power of two: 4 GiB, sparse.
if [ "$storage" = emmc ]; then
    img0=$out/emmc0.img img1=$out/emmc1.img img_size=4G
    step "making the eMMC images in $out"
else
    img0=$out/lu0.img img1=$out/lu1.img img_size=256M
    step "making the LU images in $out"
fi
truncate -s "$img_size" "$img0" "$img1"
mkfs.ext4 -q -F -b 4096 -O encrypt,stable_inodes -L ufsc-ext4 "$img0" ||
    die "mkfs.ext4 failed"
mkfs.f2fs -q -f -O encrypt -l ufsc-f2fs "$img1" >/dev/null || die "mkfs.f2fs failed"

# ---- boot --------------------------------------------------------------------------
append="console=$console panic=-1 printk.time=1 rdinit=/init ufsc.kver=$kver"
[ "$quick" = 1 ] && append="$append ufsc.quick"
[ "$migrate" = 1 ] && append="$append ufsc.migrate"
# eMMC: the guest asks on its console for an injected data error on a
# card's controller (UFSC-INJECT request N), the host arms it through QMP
# and answers on the console's input (see the loop below); ufsc.inject
# tells the guest that someone answers.
inject=0
[ "$storage" = emmc ] && inject=1 append="$append ufsc.inject"
# The storage devices.  eMMC: -device emmc-crypto creates its card itself;
# the stock sdhci-pci gets an sd-card on its own bus (pcie.0/ID: the root
# bus is pcie.0 on both q35 and virt).  The guest tells the controllers
# apart by PCI address, the first one on the command line having the lower
# one: its card holds ext4.  ufsc.emmc selects the guest's eMMC scenario,
# ufsc.emmc_essiv tells it that the controllers offer ESSIV-AES-128-CBC.
storage_args=() emmc_algs=''
if [ "$storage" = emmc ]; then
    append="$append ufsc.emmc"
    eprops=$props
    if [ "$device" = emmc-crypto ]; then
        # PROPS is in QEMU's syntax: a comma inside a value is doubled
        # (algorithms=aes-256-xts,,essiv-aes-128-cbc).
        emmc_algs=$(printf '%s\n' "$props" | sed 's/,,/\x01/g' | tr ',' '\n' |
                    sed -n 's/^algorithms=//p' | tail -1 | tr '\001' ',')
        if [ -z "$emmc_algs" ]; then
            emmc_algs=aes-256-xts,essiv-aes-128-cbc
            eprops=algorithms=${emmc_algs//,/,,}${props:+,$props}
        fi
        if [[ ",$emmc_algs," == *,essiv-aes-128-cbc,* ]]; then
            append="$append ufsc.emmc_essiv"
        fi
    fi
    for i in 0 1; do
        if [ "$device" = emmc-crypto ]; then
            storage_args+=(-device "emmc-crypto,id=emmc$i,drive=d$i${eprops:+,$eprops}")
        else
            storage_args+=(-device "sdhci-pci,id=sdhci$i${eprops:+,$eprops}"
                           -device "sd-card,bus=pcie.0/sdhci$i,drive=d$i")
        fi
    done
    # The device's view, in qemu.log (the log trace backend writes to
    # stderr): the keyslots it was given (their data unit sizes show that
    # no sub-block policy reached it), its tasks with their CE bit, and
    # its errors, halts and task clears (CQE recovery).
    if [ "$device" = emmc-crypto ]; then
        for ev in inline_crypto_regs_program 'inline_crypto_regs_err_*' cqhci_task 'cqhci_err_*' \
                  cqhci_inject_data_error cqhci_halt cqhci_clear_tasks sdcard_cmdq_discard; do
            storage_args+=(-trace "enable=$ev")
        done
    fi
else
    # shellcheck disable=SC2054 # the commas are QEMU's
    storage_args=(-device "$device,id=ufs0${props:+,$props}"
                  -device ufs-lu,bus=ufs0,drive=d0,lun=0
                  -device ufs-lu,bus=ufs0,drive=d1,lun=1)
    # The device's view, in qemu.log: every SCSI command, the encrypted
    # ones with their keyslot, length and direction, the keyslots' data
    # unit sizes, and errors (scripts/e2e-device-io.py).  Also on the stock
    # "ufs", whose commands are then all plain.  Only the events this QEMU
    # has.
    trace_events=$("$qemu_bin" -trace help 2>/dev/null || true)
    for ev in ufs_exec_scsi_cmd ufs_crypto_req inline_crypto_regs_program \
              'ufs_crypto_err_*' 'inline_crypto_regs_err_*'; do
        case "$ev" in
        *'*') grep -q "^${ev%'*'}" <<< "$trace_events" ;;
        *) grep -qx "$ev" <<< "$trace_events" ;;
        esac && storage_args+=(-trace "enable=$ev")
    done
fi
# -nodefaults: no default VGA, floppy or CD-ROM (on q35, SeaBIOS otherwise
# spends ~30 s timing out on the empty AHCI CD-ROM before booting -kernel).
# shellcheck disable=SC2054 # the commas are QEMU's
if [ "$inject" = 1 ]; then
    console_args=(-chardev "file,id=ufsc-con,path=$out/console.log,input-path=$out/console-in"
                  -serial chardev:ufsc-con)
else
    console_args=(-serial "file:$out/console.log")
fi
qemu_cmd=("$qemu_bin" "${machine[@]}" -m 1G -smp "$smp" -nographic -nodefaults -nic none -no-reboot
    -monitor none "${console_args[@]}"
    -kernel "$kernel" -initrd "$initrd" -append "$append"
    -drive "if=none,id=d0,file=$img0,format=raw"
    -drive "if=none,id=d1,file=$img1,format=raw"
    "${storage_args[@]}")
if [ "$migrate" = 1 ] || [ "$inject" = 1 ]; then
    qemu_cmd+=(-qmp "unix:$out/qmp.sock,server=on,wait=off")
fi
printf '%q ' "${qemu_cmd[@]}" > "$out/qemu-cmdline.txt"
echo >> "$out/qemu-cmdline.txt"
step "booting $arch guest ($(basename "$qemu_bin"), timeout ${timeout_s}s); console: $out/console.log"
: > "$out/console.log"
: > "$out/qemu.rc"
watch=("$out/console.log" "$out/qemu.rc")
if [ "$migrate" = 1 ]; then
    : > "$out/console-dst.log"
    watch+=("$out/console-dst.log")
fi
# Events: a line for each write to a console or to qemu.rc (see start_qemu),
# queued from before QEMU starts, so that the loop below wakes for every
# one of them and misses none.
exec {ev}< <(exec inotifywait -m -e modify,close_write --format e "${watch[@]}" 2>&1)
evpid=$!
est=0
while read -r -u "$ev" l; do
    [ "$l" = "Watches established." ] && { est=1; break; }
done
[ "$est" = 1 ] || die "inotifywait cannot watch ${watch[*]}"
# start_qemu LOG ARGS...: QEMU under the hard timeout, in the background
# ($qpid); once it has exited, its status is the job's and is written to
# qemu.rc, whose change wakes the loop below and ends it.
start_qemu() {
    local log=$1; shift
    : > "$out/qemu.rc"
    (
        rc=0
        timeout -k 10 "$timeout_s" "$@" < /dev/null > "$log" 2>&1 || rc=$?
        echo "$rc" > "$out/qemu.rc"
        exit "$rc"
    ) &
    qpid=$!
}
# The console's input (--migrate: the restored VM's; eMMC: the first
# one's): the host answers the guest there, one line at a time.  The FIFO
# is held open here for reading and writing, so that QEMU's open does not
# wait for a writer.
if [ "$migrate" = 1 ] || [ "$inject" = 1 ]; then
    rm -f "$out/console-in"
    mkfifo "$out/console-in"
    exec {con_in}<>"$out/console-in"
fi
t_boot=$(now)
start_qemu "$out/qemu.log" "${qemu_cmd[@]}"
# timeout(1), the job's child, passes TERM on to QEMU.
trap 'pkill -P "$qpid" 2>/dev/null; kill "$qpid" "$evpid" 2>/dev/null || true' EXIT
t_verdict=
last_report=0
cons=$out/console.log
migrated=0 mig_rc='' signalled=0 injected=0 armed=0
# inject_answer N: arm one data error on the controller of the guest's
# card N (ufsc.inject) and answer the guest on its console, "injected 1"
# or "none: WHY" (plain sdhci-pci has no error injection).
inject_answer() {
    local id r
    if [ "$device" = emmc-crypto ]; then id=emmc$1; else id=sdhci$1; fi
    if r=$(/usr/bin/python3 "$UFSC_TOP/scripts/qmp.py" "$out/qmp.sock" qom-set \
               "{\"path\": \"/machine/peripheral/$id\", \"property\": \"x-inject-data-errors\", \"value\": 1}" 2>&1); then
        step "armed a data error on $id for the guest's CQE recovery"
        echo "injected 1" >&"$con_in"
        armed=$((armed + 1))
    else
        step "no data error armed on $id: $r"
        echo "none: $id: $r" | tr '\n' ' ' >&"$con_in"
        echo >&"$con_in"
    fi
}
while [ ! -s "$out/qemu.rc" ]; do
    # Wake on console events (all of those queued), or after 15 s for the
    # progress line; the hard timeout above catches a hang.
    if read -r -t 15 -u "$ev" _; then
        while read -r -t 0 -u "$ev" && read -r -u "$ev" _; do :; done
    fi
    if [ -z "$t_verdict" ] && grep -q 'UFSC-VERDICT' "$cons" 2>/dev/null; then
        t_verdict=$(now)
    fi
    # eMMC: answer each request for an injected error once.
    if [ "$inject" = 1 ]; then
        mapfile -t reqs < <(tr -d '\r' < "$cons" | sed -n 's/^UFSC-INJECT request \([0-9]\)$/\1/p')
        while [ "$injected" -lt "${#reqs[@]}" ]; do
            inject_answer "${reqs[$injected]}"
            injected=$((injected + 1))
        done
    fi
    # --migrate: save the VM to a file once the workload has written a
    # file, quit, restore it in a new QEMU whose console goes on in
    # console-dst.log; once the restored VM has written a file, tell the
    # guest on its console that it has been migrated.
    if [ "$migrate" = 1 ] && [ "$migrated" = 1 ] && [ "$signalled" = 0 ] &&
       grep -q 'UFSC-MIGRATE wrote' "$out/console-dst.log" 2>/dev/null; then
        signalled=1
        step "the restored VM writes files: telling the guest it was migrated"
        echo "restored" >&"$con_in"
    fi
    if [ "$migrate" = 1 ] && [ "$migrated" = 0 ] &&
       grep -q 'UFSC-MIGRATE wrote' "$out/console.log" 2>/dev/null; then
        migrated=1
        step "migrating the guest to $out/vm.mig mid-workload"
        set +e
        /usr/bin/python3 "$UFSC_TOP/scripts/qmp-migrate.py" "$out/qmp.sock" \
            "file:$out/vm.mig" > "$out/migrate.log" 2>&1
        mig_rc=$?
        wait "$qpid"
        set -e
        sed 's/^/    /' "$out/migrate.log" >&2
        [ "$mig_rc" = 0 ] || break
        # The same command line, with the console in console-dst.log and
        # its input from console-in.
        dst_con="file,id=ufsc-con,path=$out/console-dst.log,input-path=$out/console-in"
        dst_cmd=()
        for a in "${qemu_cmd[@]}"; do
            case "$a" in
            "file:$out/console.log") dst_cmd+=(chardev:ufsc-con) ;;
            "file,id=ufsc-con,path=$out/console.log,"*) dst_cmd+=("$dst_con") ;;
            *) dst_cmd+=("$a") ;;
            esac
        done
        [ "$inject" = 1 ] || dst_cmd+=(-chardev "$dst_con")
        dst_cmd+=(-incoming "file:$out/vm.mig")
        step "restoring it in a new QEMU; console: $out/console-dst.log"
        : > "$out/console-dst.log"
        start_qemu "$out/qemu-dst.log" "${dst_cmd[@]}"
        cons=$out/console-dst.log
    fi
    now=$(date +%s)
    if [ $((now - last_report)) -ge 15 ]; then
        last_report=$now
        nok=$(cat "$out/console.log" "$out/console-dst.log" 2>/dev/null | grep -c 'UFSC-RESULT ok' || true)
        nbad=$(cat "$out/console.log" "$out/console-dst.log" 2>/dev/null | grep -c 'UFSC-RESULT fail' || true)
        printf '    guest: %s ok, %s failed (%ss)\n' "${nok:-0}" "${nbad:-0}" "$(elapsed "$t_boot")" >&2
    fi
done
set +e
wait "$qpid"
qrc=$?
set -e
trap - EXIT
kill "$evpid" 2>/dev/null || true
exec {ev}<&-
t_end=$(now)
[ -n "$t_verdict" ] || { grep -q 'UFSC-VERDICT' "$cons" && t_verdict=$t_end; } || true
rm -f "$out/vm.mig" "$out/console-in" "$out/qemu.rc"

# ---- guest results -----------------------------------------------------------------
# The serial console ends lines with CR LF.
consoles=("$out/console.log")
[ -e "$out/console-dst.log" ] && consoles+=("$out/console-dst.log")
cat "${consoles[@]}" | tr -d '\r' > "$out/console.txt"
C=$out/console.txt
verdict=$(grep -o 'UFSC-VERDICT [A-Z]*' "$C" | tail -1 | cut -d' ' -f2 || true)
g_ok=$(grep -c '^UFSC-RESULT ok ' "$C" || true)
g_bad=$(grep -c '^UFSC-RESULT fail ' "$C" || true)
g_skip=$(grep -c '^UFSC-RESULT skip ' "$C" || true)
plan=$(sed -n 's/^UFSC-PLAN files=\([0-9]*\).*/\1/p' "$C" | tail -1)

fails=0 passes=0 skips=0
report() { printf '%s\n' "$*" | tee -a "$out/report.txt"; }
: > "$out/report.txt"
# Every check, one line each (CLASS NAME RESULT MESSAGE, tab-separated),
# for --junit and --json: the guest's, the host check's and these.
cases=$out/cases.tsv
: > "$cases"
# hcheck NAME ok|fail|skip [MESSAGE]: a check of this script
hcheck() {
    case "$2" in
    ok) passes=$((passes + 1)) ;;
    fail) fails=$((fails + 1)) ;;
    skip) skips=$((skips + 1)) ;;
    esac
    printf 'e2e\t%s\t%s\t%s\n' "$1" "$2" "$(printf '%s' "${3:-}" | tr '\t\n' '  ')" >> "$cases"
}
if [ "$storage" = emmc ]; then
    report "ufs-crypto e2e ($arch, eMMC), $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
    report "  qemu:    $qemu_bin (2 x -device $device${eprops:+,$eprops}$([ "$device" = sdhci-pci ] && echo ' + sd-card'))"
else
    report "ufs-crypto e2e ($arch), $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
    report "  qemu:    $qemu_bin (-device $device${props:+,$props})"
fi
report "  kernel:  $kernel (Linux $kver expected: --kernel-version)"
report "  initrd:  $initrd"
report "  out:     $out"
if [ "$migrate" = 1 ]; then
    # Both QEMUs must have run part of the workload.
    src_n=$(tr -d '\r' < "$out/console.log" | grep -c '^UFSC-MIGRATE wrote ' || true)
    dst_n=$(tr -d '\r' < "$out/console-dst.log" 2>/dev/null | grep -c '^UFSC-MIGRATE wrote ' || true)
    report "  migration: $(tail -1 "$out/migrate.log" 2>/dev/null || echo 'not done')"
    signal_n=$(tr -d '\r' < "$out/console-dst.log" 2>/dev/null | grep -c '^UFSC-MIGRATE signal ' || true)
    report "  migration: $src_n files written before, $dst_n after, by the restored VM"
    if [ "$mig_rc" = 0 ] && [ "$src_n" -gt 0 ] && [ "$dst_n" -gt 0 ] && [ "$signal_n" = 1 ]; then
        hcheck migration ok
    else
        report "  migration: FAILED (not done, not in the middle of the workload, or the guest did not get the host's line)"
        hcheck migration fail "$(tail -1 "$out/migrate.log" 2>/dev/null || echo 'not done'); $src_n files written before, $dst_n after, $signal_n signals"
    fi
fi
if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
    report "  QEMU: killed by the ${timeout_s}s timeout (hang)"
    hcheck qemu-exit fail "killed by the ${timeout_s}s timeout (hang)"
elif [ "$qrc" != 0 ]; then
    report "  QEMU: exit status $qrc: $(tail -3 "$out/qemu.log" | tr '\n' ' ')"
    hcheck qemu-exit fail "exit status $qrc: $(tail -3 "$out/qemu.log")"
else
    hcheck qemu-exit ok
fi
if grep -qE 'Kernel panic|Unable to handle kernel|BUG:|Oops|WARNING: CPU' "$C"; then
    report "  kernel trouble on the console:"
    grep -E -m5 'Kernel panic|Unable to handle kernel|BUG:|Oops|WARNING: CPU' "$C" | sed 's/^/    /' | tee -a "$out/report.txt"
    hcheck kernel-console fail "$(grep -E -m3 'Kernel panic|Unable to handle kernel|BUG:|Oops|WARNING: CPU' "$C")"
else
    hcheck kernel-console ok
fi
# eMMC: a CQE recovery, a request timeout or an I/O error is a device
# problem even when every file still reads back.
# Between the guest's UFSC-INJECT request and done lines, the CQE recovery
# that the injected error starts is expected (and checked by the guest);
# nothing else is.  The guest's UFSC-DMESG lines at the end repeat those
# recoveries.
mmc_trouble='running CQE recovery|cqhci: |I/O error|mmc[0-9]+: .*([Ee]rror|timeout|failed)|mmcblk[0-9]+: .*error'
awk -v re="$mmc_trouble" '
    /^UFSC-INJECT request / { w = 1 }
    /^UFSC-INJECT done / { w = 0 }
    $0 !~ re { next }
    /running CQE recovery/ {
        if (/^UFSC-DMESG / && repeated < expected) { repeated++; next }
        if (w && !/^UFSC-DMESG /) { expected++; next }
    }
    { print }
' "$C" > "$out/mmc-trouble.txt"
if [ "$storage" = emmc ] && [ -s "$out/mmc-trouble.txt" ]; then
    report "  MMC trouble on the console ($(wc -l < "$out/mmc-trouble.txt") lines), the first ones:"
    head -5 "$out/mmc-trouble.txt" | sed 's/^/    /' | tee -a "$out/report.txt"
    hcheck mmc-console fail "$(head -3 "$out/mmc-trouble.txt")"
elif [ "$storage" = emmc ]; then
    hcheck mmc-console ok
fi
report "  guest:   $g_ok checks ok, $g_bad failed, $g_skip skipped, verdict ${verdict:-none}"
if [ "$g_bad" -gt 0 ]; then
    grep '^UFSC-RESULT fail ' "$C" | head -20 | sed 's/^UFSC-RESULT /    /' | tee -a "$out/report.txt"
fi
grep '^UFSC-RESULT skip ' "$C" | sed 's/^UFSC-RESULT /    /' | tee -a "$out/report.txt" || true
passes=$((passes + g_ok))
fails=$((fails + g_bad))
skips=$((skips + g_skip))
sed -n 's/^UFSC-RESULT \(ok\|fail\|skip\) \([^ ]*\) *\(.*\)$/guest\t\2\t\1\t\3/p' "$C" | tr -d '\r' >> "$cases"
if [ "$verdict" = PASS ]; then
    hcheck guest-verdict ok
else
    hcheck guest-verdict fail "verdict ${verdict:-none}"
    if [ -z "$verdict" ]; then
        report "  no verdict from the guest (panic, hang or crash); last console lines:"
        tail -15 "$C" | sed 's/^/    | /' | tee -a "$out/report.txt"
    fi
fi
grep '^UFSC-LU ' "$C" | sed 's/^UFSC-LU /  LU: /' | tee -a "$out/report.txt" || true
grep '^UFSC-EMMC ' "$C" | sed 's/^UFSC-EMMC /  eMMC: /' | tee -a "$out/report.txt" || true
grep -E '^(\[[ 0-9.]*\] )?mmc[0-9]+: (Command Queue Engine enabled|running CQE recovery|cqhci: timeout)' "$C" |
    sed -E 's/^(\[[ 0-9.]*\] )?/  dmesg: /' | sort | uniq -c | sed -E 's/^ *([0-9]+) (.*)/\2 (x\1)/' |
    tee -a "$out/report.txt" || true
grep -E '^(\[[ 0-9.]*\] )?fscrypt: .* using ' "$C" | sed -E 's/^(\[[ 0-9.]*\] )?/  dmesg: /' | tee -a "$out/report.txt" || true

# Throughput: mean MB/s over the files of 1 MB and more, by mount mode
# (UFSC-PHASE lines of the guest) and operation.
awk '
    /^UFSC-PHASE / { mode = $2 }
    /^UFSC-PERF / {
        for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
        if (v["bytes"] + 0 < 1000000) next
        k = mode " " v["op"]; sum[k] += v["MBps"]; cnt[k]++
    }
    END { for (k in sum) printf("  throughput %-16s %7.1f MB/s (mean of %d files)\n", k, sum[k] / cnt[k], cnt[k]) }
' "$C" | sort | tee -a "$out/report.txt" || true

# ---- host-side ciphertext check ------------------------------------------------------
if grep -q '^UFSC-FILE ' "$C"; then
    step "host check: recomputing the ciphertext of every reported file"
    set +e
    /usr/bin/python3 "$UFSC_TOP/scripts/fscrypt-check.py" --console "$C" \
        --image "ext4=$img0" --image "f2fs=$img1" \
        ${plan:+--expect-files "$plan"} > "$out/check.log" 2>&1
    crc=$?
    set -e
    h_ok=$(grep -c '^PASS ' "$out/check.log" || true)
    h_bad=$(grep -c '^FAIL ' "$out/check.log" || true)
    h_skip=$(grep -c '^SKIP ' "$out/check.log" || true)
    report "  host check: $h_ok ok, $h_bad failed, $h_skip skipped; $(grep '^blocks:' "$out/check.log" || echo 'no block count')"
    grep '^FAIL ' "$out/check.log" | head -10 | sed 's/^/    /' | tee -a "$out/report.txt" || true
    # One line per reason: the skipped files of a policy share it.
    grep '^SKIP ' "$out/check.log" | sed -E 's/^SKIP ([^ ]+ [^ ]+) [^:]*: ([^;]*).*/\1: \2/' |
        sort | uniq -c | sed -E 's/^ *([0-9]+) (.*)/    skip \2 (\1 files)/' | tee -a "$out/report.txt" || true
    passes=$((passes + h_ok))
    fails=$((fails + h_bad))
    skips=$((skips + h_skip))
    # "PASS|FAIL|SKIP WHAT: DETAIL": the name is WHAT, the message DETAIL
    # A file's line: "RESULT FS POLICY PHASE /PATH DETAILS": the name is
    # "FS POLICY PHASE /PATH"; any other line is its own name.
    awk '/^(PASS|FAIL|SKIP) / {
             r = ($1 == "PASS") ? "ok" : ($1 == "FAIL") ? "fail" : "skip"
             line = substr($0, 6); gsub(/\t/, " ", line)
             if ($5 ~ /^\//) {
                 name = $2 " " $3 " " $4 " " $5
                 msg = substr(line, length(name) + 2)
             } else {
                 name = line; msg = ""
             }
             printf("host-check\t%s\t%s\t%s\n", name, r, msg)
         }' "$out/check.log" >> "$cases"
    if [ "$crc" != 0 ] && [ "$h_bad" = 0 ]; then
        report "  host check exited $crc: $(tail -3 "$out/check.log" | tr '\n' ' ')"
        hcheck host-check-exit fail "exit status $crc: $(tail -3 "$out/check.log")"
    fi
else
    report "  host check: no UFSC-FILE lines on the console, nothing to check"
    hcheck host-check fail "no UFSC-FILE lines on the console, nothing to check"
fi

# ---- the eMMC controllers' view (trace events in qemu.log) ------------------------------
# Every keyslot the guest programmed must have 4096-byte data units: the
# policies with 512- and 1024-byte data units (and IV_INO_LBLK_64, whose
# 8-byte DUN CQHCI cannot carry) must have fallen back to software
# fscrypt, not reached the device.  Encrypted tasks (CE 1) must have run.
if [ "$storage" = emmc ] && [ "$device" = emmc-crypto ] && ! grep -q 'cqhci_task ' "$out/qemu.log"; then
    report "  device:  no trace output in qemu.log (QEMU built without the log trace backend?): not checked"
    hcheck device-trace skip "no trace output in qemu.log (QEMU built without the log trace backend?)"
elif [ "$storage" = emmc ] && [ "$device" = emmc-crypto ]; then
    # Both QEMUs' traces with --migrate
    qlog=$out/qemu-both.log
    cat "$out/qemu.log" "$out/qemu-dst.log" > "$qlog" 2>/dev/null || true
    n_prog=$(grep -c 'inline_crypto_regs_program' "$qlog" || true)
    dus=$(grep -o 'inline_crypto_regs_program.*data unit [0-9]*' "$qlog" | sed 's/.*data unit //' |
          sort -n | uniq -c | awk '{ printf("%s%s x%s", NR > 1 ? ", " : "", $2, $1) }')
    caps=$(grep -o 'inline_crypto_regs_program.*capidx [0-9]*' "$qlog" | sed 's/.*capidx //' |
           sort -n | uniq -c | awk '{ printf("%s%s x%s", NR > 1 ? ", " : "", $2, $1) }')
    n_task=$(grep -c 'cqhci_task ' "$qlog" || true)
    n_ce=$(grep -c 'cqhci_task .* CE 1' "$qlog" || true)
    n_err=$(grep -cE 'cqhci_err_|inline_crypto_regs_err_' "$qlog" || true)
    n_halt=$(grep -c 'cqhci_halt halt 1' "$qlog" || true)
    n_disc=$(grep -c 'sdcard_cmdq_discard' "$qlog" || true)
    n_inj=$(grep -c 'cqhci_inject_data_error' "$qlog" || true)
    report "  device:  $n_prog keyslot programs (data unit: ${dus:-none}; capability: ${caps:-none}), $n_ce of $n_task tasks encrypted (CE 1), $n_inj injected data errors, $n_halt halts, $n_disc queue discards, $n_err error events"
    if [ "$n_prog" -gt 0 ] &&
       ! grep -o 'inline_crypto_regs_program.*data unit [0-9]*' "$qlog" | grep -qv 'data unit 4096$'; then
        hcheck device-keyslots ok
    else
        report "  device:  FAILED: no keyslot programmed, or one with data units other than 4096 bytes"
        hcheck device-keyslots fail "$n_prog keyslot programs, data units: ${dus:-none} (want 4096 only)"
    fi
    if [ "$n_ce" -gt 0 ]; then
        hcheck device-encrypted-tasks ok
    else
        report "  device:  FAILED: no encrypted task (CE 1) reached the CQHCI"
        hcheck device-encrypted-tasks fail "no encrypted task (CE 1) of $n_task reached the CQHCI"
    fi
    # Every error the host armed must have fired (the guest checks that
    # each started a CQE recovery, and reads every file back after it).
    if [ "$inject" = 1 ]; then
        if [ "$armed" -gt 0 ] && [ "$n_inj" = "$armed" ]; then
            hcheck device-injected-errors ok
        else
            report "  device:  FAILED: $armed data errors armed, $n_inj injected"
            hcheck device-injected-errors fail "$armed data errors armed, $n_inj injected"
        fi
    fi
    # No error is expected: the guest sends nothing the device should refuse.
    if [ "$n_err" -gt 0 ]; then
        report "  device:  FAILED: the CQHCI reported $n_err errors (LOG_GUEST_ERROR), the first ones:"
        grep -m5 -E 'cqhci_err_|inline_crypto_regs_err_' "$qlog" | sed 's/^/    /' | tee -a "$out/report.txt"
        hcheck device-no-errors fail "$(grep -m3 -E 'cqhci_err_|inline_crypto_regs_err_' "$qlog")"
    else
        hcheck device-no-errors ok
    fi
fi

# ---- what the device encrypted (trace events in qemu.log) --------------------------------
# The encrypted bytes the device wrote and read, per data unit size, must
# cover the blocks of the files of the policies it offers natively (the
# guest's UFSC-POLICIES lines, the host check's block counts): the proof
# that -o inlinecrypt used the device, on Linux 7.3 too, where software
# encryption (blk-crypto-fallback) no longer shows in what dmesg lacks.
# The negative controls (the stock ufs and sdhci-pci) encrypt nothing and
# fail here.
if [ "$device" = sdhci-pci ]; then
    hcheck device-encrypted-writes fail "the stock sdhci-pci encrypts nothing"
elif [ ! -f "$out/check.log" ]; then
    hcheck device-encrypted-writes fail "no host check, so no files to expect"
else
    while IFS=' ' read -r r name msg; do
        case "$r" in
        report) report "  $name $msg" ;;
        ok|fail|skip) hcheck "$name" "$r" "$msg" ;;
        esac
    done < <(/usr/bin/python3 "$UFSC_TOP/scripts/e2e-device-io.py" --storage "$storage" \
                 --console "$C" --check "$out/check.log" \
                 --trace "$out/qemu.log" --trace "$out/qemu-dst.log" 2>&1 ||
             echo "fail device-io-check scripts/e2e-device-io.py failed")
fi

# ---- times and verdict -------------------------------------------------------------------
boot_to_verdict=n/a
[ -n "$t_verdict" ] && boot_to_verdict=$(elapsed "$t_boot" "$t_verdict")s
report "  times: kernel $((t_kernel - t_start))s, initramfs $((t_initrd - t_kernel))s," \
       "boot-to-verdict $boot_to_verdict, QEMU run $(elapsed "$t_boot" "$t_end")s"
if [ -n "$junit" ] || [ -n "$json" ]; then
    meta=(--meta "arch=$arch" --meta "storage=$storage" --meta "device=$device"
          --meta "props=${eprops:-$props}" --meta "migrate=$([ "$migrate" = 1 ] && echo true || echo false)"
          --meta "kernel.image=$kernel"
          --meta "kernel.series=\"$kver\""
          --meta "kernel.version=$(sed -n 's/^UFSC-START kernel=\([^ ]*\).*/\1/p' "$C" | head -1)"
          --meta "initrd=$initrd" --meta "qemu.binary=$qemu_bin"
          --meta "qemu.version=$("$qemu_bin" --version | head -1)"
          --meta "native_modes=$(grep -o 'fscrypt: [^ ]* using blk-crypto (native)' "$C" |
                                 awk '{ print $2 }' | sort -u |
                                 python3 -c 'import json, sys; print(json.dumps(sys.stdin.read().split()))')"
          --meta "verdict=${verdict:-none}"
          --meta "timings.kernel_s=$((t_kernel - t_start))"
          --meta "timings.initramfs_s=$((t_initrd - t_kernel))"
          --meta "timings.qemu_run_s=$(elapsed "$t_boot" "$t_end")")
    [ -n "$t_verdict" ] && meta+=(--meta "timings.boot_to_verdict_s=$(elapsed "$t_boot" "$t_verdict")")
    [ -n "$junit" ] && meta+=(--junit "$junit")
    [ -n "$json" ] && meta+=(--json "$json")
    /usr/bin/python3 "$UFSC_TOP/scripts/e2e-results.py" --cases "$cases" \
        --suite "ufs-crypto-e2e.$storage.$arch" "${meta[@]}" > /dev/null ||
        { report "  results: scripts/e2e-results.py failed"; fails=$((fails + 1)); }
    report "  results: ${junit:+JUnit $junit}${junit:+${json:+, }}${json:+JSON $json}"
fi
report "e2e: $passes passed, $fails failed, $skips skipped"
[ "$fails" = 0 ] && [ "$verdict" = PASS ]
