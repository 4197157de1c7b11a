#!/usr/bin/env bash
# lava-check.sh: run the ufs-crypto LAVA jobs (contrib/lava/) for real, with
# Debian's lava-dispatcher, and check what LAVA reports.
#
#   scripts/lava-check.sh [--arch aarch64|x86_64|all] [--kernel PATH] [--initrd PATH]
#                         [--qemu PATH] [--prefix DIR] [--work DIR]
#
# For each architecture it runs two LAVA jobs with lava-run (the dispatcher
# alone, no lava-server): the job of contrib/lava/jobs/ on -device
# ufs-crypto, and the same job on the stock -device ufs, the negative
# control.  Each job deploys the guest kernel, the initramfs and two
# gzipped LU images (an empty ext4 and an empty f2fs) from file:// URLs,
# boots our QEMU and turns the guest's UFSC-RESULT lines into LAVA test
# cases with a monitor.  The device configuration is rendered from the
# device dictionary contrib/lava/devices/ufs-crypto-qemu01.jinja2 and LAVA's
# qemu device type, with the job's context, as lava-server would; the
# device-type templates come from Debian's lava-server package, downloaded
# and unpacked (apt-get download, dpkg-deb -x), not installed.
#
# Checks, from the records of lava-run's log (the log a server would
# receive): LAVA booted our QEMU with the device; the job completed; every
# UFSC-RESULT and UFSC-VERDICT line of the guest's console is exactly one
# LAVA test case with the same result, LAVA has no other case, and the
# counts agree with the guest's own UFSC-SUMMARY; on ufs-crypto every case
# passes; on -device ufs the native-path cases (crypto capabilities of each
# LU, the kernel's "using blk-crypto (native)" for AES-256-XTS and
# AES-128-CBC-ESSIV, no software AES-256-XTS or ESSIV) and the verdict
# fail, and nothing else does.
# Ends with "N passed, N failed"; exits 0 only if every check passed.
#
#   --arch A      aarch64 (default), x86_64, or all (both, one after the other)
#   --kernel P    guest kernel (default: scripts/build-kernel.sh's); one --arch only
#   --initrd P    initramfs with our /init (default: scripts/build-initramfs.sh's)
#   --qemu PATH   the QEMU build directory to install (default: $QEMU_BUILD, else
#                 the build of scripts/build-qemu.sh)
#   --prefix DIR  use the QEMU already installed there ("make install
#                 PREFIX=DIR") instead of installing one into the work directory
#   --work DIR    images, rendered jobs, LAVA's logs and results (default
#                 $UFSC_CACHE/lava); LAVA itself downloads into
#                 /var/lib/lava/dispatcher/tmp/JOB-ID and removes that at the end
set -euo pipefail
source "$(dirname "$0")/lib.sh"

arches=aarch64 kernel='' initrd='' qemu='' prefix='' work=''
usage() { sed -n '2,/^set -euo/p' "$0" | grep '^#' | sed 's/^# \{0,1\}//' >&2; exit 2; }
while [ $# -gt 0 ]; do
    case "$1" in
    --arch) arches=${2:?}; shift 2 ;;
    --kernel) kernel=${2:?}; shift 2 ;;
    --initrd) initrd=${2:?}; shift 2 ;;
    --qemu) qemu=${2:?}; shift 2 ;;
    --prefix) prefix=${2:?}; shift 2 ;;
    --work) work=${2:?}; shift 2 ;;
    -h|--help) usage ;;
    *) printf 'unknown argument: %s\n' "$1" >&2; usage ;;
    esac
done
case "$arches" in
aarch64|x86_64) ;;
all) arches="aarch64 x86_64" ;;
*) die "unknown --arch $arches (aarch64, x86_64 or all)" ;;
esac
if [ "$arches" = "aarch64 x86_64" ] && { [ -n "$kernel" ] || [ -n "$initrd" ]; }; then
    die "--kernel and --initrd need a single --arch"
fi
[ "$(id -u)" = 0 ] || die "lava-run must run as root"

lava_tool=$UFSC_TOP/contrib/lava/ufsc-lava.py
jobs_dir=$UFSC_TOP/contrib/lava/jobs
dictionary=$UFSC_TOP/contrib/lava/devices/ufs-crypto-qemu01.jinja2
# A hang guard only: the job's own timeout (30 minutes) ends it first.
hang_limit=2100

# ---- LAVA -------------------------------------------------------------------
need_pkgs lava-dispatcher lava-common python3-jinja2 python3-yaml e2fsprogs f2fs-tools gzip
lava_version=$(dpkg-query -W -f='${Version}' lava-dispatcher)
step "lava-dispatcher $lava_version"

work=${work:-$UFSC_CACHE/lava}
mkdir -p "$work"
work=$(cd "$work" && pwd)

# The device-type templates (qemu.jinja2, base.jinja2) are lava-server's:
# those of an installed lava-server, else those of Debian's lava-server
# package of the dispatcher's version, unpacked in the cache.
types=/usr/share/lava-server/device-types
if [ ! -e "$types/qemu.jinja2" ] ||
   [ "$(dpkg-query -W -f='${Version}' lava-server 2>/dev/null || true)" != "$lava_version" ]; then
    srv=$UFSC_CACHE/lava-server-$lava_version
    types=$srv/root/usr/share/lava-server/device-types
    if [ ! -e "$types/qemu.jinja2" ]; then
        step "fetching the device-type templates: Debian's lava-server $lava_version (unpacked, not installed)"
        rm -rf "$srv"
        mkdir -p "$srv"
        (cd "$srv" && net_retry "apt-get download lava-server=$lava_version" \
            apt-get -qq -o APT::Sandbox::User=root download "lava-server=$lava_version") ||
            die "cannot download Debian's lava-server $lava_version"
        dpkg-deb -x "$srv"/lava-server_*.deb "$srv/root"
        [ -e "$types/qemu.jinja2" ] || die "no qemu.jinja2 in Debian's lava-server $lava_version"
    fi
fi

# ---- our QEMU, installed as on a dispatcher ---------------------------------------
if [ -z "$prefix" ]; then
    prefix=$work/prefix
    if [ -z "$qemu" ]; then
        qemu=$(default_build)
    fi
    [ -d "$qemu" ] || die "--qemu takes a QEMU build directory, not $qemu"
    step "installing our QEMU into $prefix (make install PREFIX=$prefix)"
    QEMU_BUILD=$(cd "$qemu" && pwd) "$UFSC_TOP/scripts/install.sh" install "$prefix" >/dev/null
fi
prefix=$(cd "$prefix" && pwd)
for arch in $arches; do
    for d in ufs-crypto ufs; do
        "$prefix/bin/qemu-system-$arch" -device help 2>/dev/null | grep -q "\"$d\"" ||
            die "$prefix/bin/qemu-system-$arch has no -device $d"
    done
done

# ---- the LU images ------------------------------------------------------------------
# Empty file systems, made as scripts/e2e.sh makes them; gzipped, as a lab
# would publish them.  LAVA downloads and unpacks a fresh copy for each job.
img=$work/images
mkdir -p "$img"
rm -f "$img"/lu0-ext4.img "$img"/lu1-f2fs.img "$img"/*.gz
truncate -s 256M "$img/lu0-ext4.img" "$img/lu1-f2fs.img"
mkfs.ext4 -q -F -b 4096 -O encrypt,stable_inodes -L ufsc-ext4 "$img/lu0-ext4.img" ||
    die "mkfs.ext4 failed"
mkfs.f2fs -q -f -O encrypt -l ufsc-f2fs "$img/lu1-f2fs.img" >/dev/null || die "mkfs.f2fs failed"
gzip -n -1 "$img/lu0-ext4.img" "$img/lu1-f2fs.img"

# The dispatcher's configuration: lava-run asks for the dispatcher's address
# (for qemu-nfs's NFS server) even for a tmpfs boot; a fixed one spares it
# looking for a default route.
cat > "$work/dispatcher.yaml" <<EOF
dispatcher_ip: 127.0.0.1
EOF

# ---- checks ------------------------------------------------------------------------
passed=0 failed=0
summary=()
check() { # check OK|FAIL DESCRIPTION
    if [ "$1" = OK ]; then
        passed=$((passed + 1))
        echo "    ok - $2"
    else
        failed=$((failed + 1))
        echo "    not ok - $2"
    fi
}
# The LAVA name of a guest check: lower case, each run of non-word
# characters turned into "_" (lava_dispatcher/actions/test/monitor.py).
lava_name_awk='function lava_name(s) { s = tolower(s); gsub(/[^a-z0-9_]+/, "_", s); return s }'

# The cases that must fail on -device ufs (extended regular expression on
# LAVA's names): the LUs' crypto capabilities and the kernel's messages
# about the native path; and the verdict.
native_cases='^(crypto_caps_sd[a-z]+|dmesg_native|dmesg_native_essiv|dmesg_no_software_xts|dmesg_no_software_essiv|verdict)$'

# run_job ARCH DEVICE: render, run and check one job.
run_job() {
    local arch=$1 dev=$2 karch k i dir job_id rc=0 t0 t1 res boot lava_job
    local n_case n_con n_pass n_fail n_skip
    case "$arch" in aarch64) karch=arm64 ;; *) karch=x86_64 ;; esac
    k=${kernel:-$("$UFSC_TOP/scripts/build-kernel.sh" "$karch")}
    i=${initrd:-$("$UFSC_TOP/scripts/build-initramfs.sh" "$karch")}
    [ -f "$k" ] || die "no kernel image at $k"
    [ -f "$i" ] || die "no initramfs at $i"
    dir=$work/$arch-$dev
    rm -rf "$dir"
    mkdir -p "$dir"
    job_id=ufsc-$arch-$dev-$$
    /usr/bin/python3 "$lava_tool" render-job "$jobs_dir/ufs-crypto-$arch.yaml.jinja2" \
        kernel_url="file://$(readlink -f "$k")" initrd_url="file://$(readlink -f "$i")" \
        lu0_url="file://$img/lu0-ext4.img.gz" lu1_url="file://$img/lu1-f2fs.img.gz" \
        ufs_device="$dev" > "$dir/job.yaml" || die "cannot render the $arch job"
    /usr/bin/python3 "$lava_tool" render-device "$dictionary" --job "$dir/job.yaml" \
        --device-types "$types" ufsc_qemu_prefix="$prefix" > "$dir/device.yaml" ||
        die "cannot render the device configuration"

    step "LAVA job $job_id: $arch, -device $dev (log: $dir/lava.log)"
    t0=$(date +%s)
    # lava-run logs on stderr, one YAML record a line.  PATH: lava-run asks
    # qemu-system-ARCH --version for its log when Debian's QEMU package is
    # not installed; the device configuration names our binary itself.
    PATH=$prefix/bin:$PATH timeout -k 30 "$hang_limit" lava-run --job-id "$job_id" \
        --output-dir "$dir/output" --device "$dir/device.yaml" \
        --dispatcher "$work/dispatcher.yaml" "$dir/job.yaml" > "$dir/lava.log" 2>&1 || rc=$?
    t1=$(date +%s)
    /usr/bin/python3 "$lava_tool" results "$dir/lava.log" > "$dir/results.tsv"
    res=$dir/results.tsv

    # The test cases as LAVA has them and as the console has them, one line
    # each: LAVA's name, result, the guest's name (LAVA keeps it as the
    # case's test_case_id).
    awk -F'\t' '$1 == "case" && $2 == "ufs-crypto" { print $3 "\t" $4 "\t" $5 }' "$res" > "$dir/cases.tsv"
    awk -F'\t' '$1 == "console" {
        r = $2; if (r == "ok" || r == "PASS") r = "pass"; else if (r == "FAIL") r = "fail"
        n = $3; if (n == "VERDICT") n = "verdict"
        print lava_name(n) "\t" r "\t" $3 }
        '"$lava_name_awk" "$res" > "$dir/console.tsv"
    n_case=$(wc -l < "$dir/cases.tsv")
    n_con=$(wc -l < "$dir/console.tsv")
    n_pass=$(awk -F'\t' '$2 == "pass"' "$dir/cases.tsv" | wc -l)
    n_fail=$(awk -F'\t' '$2 == "fail"' "$dir/cases.tsv" | wc -l)
    n_skip=$(awk -F'\t' '$2 == "skip"' "$dir/cases.tsv" | wc -l)
    lava_job=$(awk -F'\t' '$1 == "job" { print $2 }' "$res" | tail -1)
    boot=$(awk -F'\t' '$1 == "boot-command" { print $2 }' "$res" | tail -1)

    echo "  $arch, -device $dev: lava-run exit $rc, $((t1 - t0)) s; LAVA job ${lava_job:-none}," \
         "$(awk -F'\t' '$1 == "duration" { print $2 }' "$res") s from its first log record to its last;" \
         "$n_case test cases: $n_pass pass, $n_fail fail, $n_skip skip"
    echo "    LAVA's actions: $(awk -F'\t' '$1 == "action" && $2 != "validate" {
        printf "%s%s%s %s (%s s)", (n++ ? ", " : ""), $2, ($5 != "-" ? " " $5 : ""), $3, $4 }' "$res")"
    summary+=("$arch -device $dev: LAVA job ${lava_job:-none} in $((t1 - t0)) s; $n_case cases: $n_pass pass, $n_fail fail, $n_skip skip")

    # 1. LAVA ran our QEMU, with the device.
    if [[ "$boot" == "$prefix/bin/qemu-system-$arch "* ]] && [[ "$boot" == *" -device $dev,id=ufs0 "* ]]; then
        check OK "$arch/$dev: LAVA booted $prefix/bin/qemu-system-$arch with -device $dev"
    else
        check FAIL "$arch/$dev: LAVA's boot command is not our QEMU with -device $dev: ${boot:-none}"
    fi
    # 2. The job completed (LAVA's lava/job case), and the monitor found the
    #    guest's start and end lines (lava/lava-test-monitor: it fails on a
    #    timeout or when QEMU exits before the end line).
    local mon
    mon=$(awk -F'\t' '$1 == "action" && $2 == "lava-test-monitor" { print $3 }' "$res" | tail -1)
    if [ "$rc" = 0 ] && [ "$lava_job" = pass ] && [ "$mon" = pass ]; then
        check OK "$arch/$dev: the LAVA job completed (lava/job pass, lava/lava-test-monitor pass)"
    else
        check FAIL "$arch/$dev: the LAVA job did not complete (lava-run exit $rc, lava/lava-test-monitor ${mon:-none}, lava/job ${lava_job:-none}: $(awk -F'\t' '$1 == "job" { print $3 ": " $4 }' "$res" | tail -1))"
    fi
    # 3. Each console line is one LAVA case with its result, and nothing else
    #    is; the counts agree with the guest's own summary.  The guest
    #    repeats a few names (mount-ext4-hw, add-key-ext4-hw, ... when it
    #    mounts again): LAVA keeps each line as a case of its own.  Two
    #    different names of the guest must not become one in LAVA.
    local dups g_sum l_sum
    dups=$(cut -f1,3 "$dir/console.tsv" | sort -u | cut -f1 | uniq -d | head -3 | tr '\n' ' ')
    g_sum=$(awk -F'\t' '$1 == "summary" { print $2, $3, $4 }' "$res" | tail -1)
    l_sum="$(grep -v $'^verdict\t' "$dir/cases.tsv" | awk -F'\t' '$2 == "pass"' | wc -l)"
    l_sum="$l_sum $(grep -v $'^verdict\t' "$dir/cases.tsv" | awk -F'\t' '$2 == "fail"' | wc -l)"
    l_sum="$l_sum $(grep -v $'^verdict\t' "$dir/cases.tsv" | awk -F'\t' '$2 == "skip"' | wc -l)"
    if [ "$n_case" -gt 0 ] && cmp -s <(sort "$dir/cases.tsv") <(sort "$dir/console.tsv") &&
       [ -z "$dups" ] && [ "$g_sum" = "$l_sum" ]; then
        check OK "$arch/$dev: LAVA reported each of the guest's $n_con results as a test case (guest summary: passed, failed, skipped $g_sum)"
    else
        check FAIL "$arch/$dev: LAVA's test cases differ from the console ($n_case cases, $n_con console lines, guest summary '${g_sum:-none}', LAVA '$l_sum', names the guest tells apart and LAVA does not: ${dups:-none}); first differences:"
        diff <(sort "$dir/cases.tsv") <(sort "$dir/console.tsv") | grep '^[<>]' | head -5 | sed 's/^/        /' || true
    fi
    # 4. The results themselves.
    if [ "$dev" = ufs-crypto ]; then
        if [ "$n_case" -gt 0 ] && [ "$n_fail" = 0 ] && [ "$n_skip" = 0 ] &&
           grep -q $'^verdict\tpass\t' "$dir/cases.tsv"; then
            check OK "$arch/$dev: all $n_case test cases pass, verdict included"
        else
            check FAIL "$arch/$dev: not all test cases pass:"
            awk -F'\t' '$2 != "pass"' "$dir/cases.tsv" | head -10 | sed 's/^/        /'
        fi
    else
        local want_fail bad
        want_fail=$(cut -f1 "$dir/cases.tsv" | grep -cE "$native_cases" || true)
        bad=$(awk -F'\t' -v re="$native_cases" '($1 ~ re && $2 != "fail") || ($1 !~ re && $2 == "fail")' "$dir/cases.tsv")
        # Both LUs' capabilities, the four dmesg checks, the verdict.
        if [ "$want_fail" = 7 ] && [ -z "$bad" ]; then
            check OK "$arch/$dev: the negative control fails exactly the native-path cases: $(awk -F'\t' '$2 == "fail" { printf "%s ", $1 }' "$dir/cases.tsv")"
        else
            check FAIL "$arch/$dev: the negative control does not fail exactly the 7 native-path cases ($want_fail of them reported); wrong results:"
            printf '%s\n' "$bad" | head -10 | sed 's/^/        /'
        fi
    fi
}

for arch in $arches; do
    for dev in ufs-crypto ufs; do
        run_job "$arch" "$dev"
    done
done

echo "LAVA jobs (lava-dispatcher $lava_version, logs and results in $work):"
printf '  %s\n' "${summary[@]}"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
