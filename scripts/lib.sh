# Shared helpers for the ufs-crypto build scripts.  Sourced, not run.
# shellcheck shell=bash

UFSC_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
UFSC_CACHE=${UFS_CRYPTO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ufs-crypto}
UFSC_LOCK=$UFSC_CACHE/.build.lock

step() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# The crypto backend of the sanitizer and fuzzing build: the one the
# default build does not use, so that make check covers both backends
# with one build fewer.
san_crypto() {
    if [ "${UFSC_CRYPTO:-gcrypt}" = nettle ]; then echo gcrypt; else echo nettle; fi
}

# The two QEMU builds the scripts share, by their build directories: the
# default one, and the sanitizer and fuzzing one (x86_64, san_crypto).
# check.sh builds each once and exports QEMU_BUILD and UFSC_SAN_BUILD, so
# that the scripts it runs do not ask build-qemu.sh again.
default_build() {
    if [ -n "${QEMU_BUILD:-}" ]; then echo "$QEMU_BUILD"; return 0; fi
    "$UFSC_TOP/scripts/build-qemu.sh"
}
san_build() {
    if [ -n "${UFSC_SAN_BUILD:-}" ]; then echo "$UFSC_SAN_BUILD"; return 0; fi
    UFSC_CRYPTO=$(san_crypto) UFSC_SANITIZE=1 UFSC_TARGETS=x86_64-softmmu \
        "$UFSC_TOP/scripts/build-qemu.sh"
}

# net_retry WHAT CMD...: run a step that goes to the network; if it fails,
# say what it was doing and try once more.  Returns the second status.
net_retry() {
    local what=$1; shift
    "$@" && return 0
    printf 'warning: %s failed (exit %s); retrying once\n' "$what" "$?" >&2
    "$@" && return 0
    local rc=$?
    printf 'error: %s failed twice (exit %s)\n' "$what" "$rc" >&2
    return "$rc"
}

# print_uris_file PATTERN: read "apt-get --print-uris" output on stdin and
# print the file name of the first file whose name matches the shell
# PATTERN.  Each line is 'URI' NAME SIZE HASH: the URI is URL-encoded
# (%2b for +), the name is the file apt writes, so the name is taken.
print_uris_file() {
    local uri name rest
    # shellcheck disable=SC2034 # uri and rest are read to be skipped
    while read -r uri name rest; do
        case "$uri" in \'*\') ;; *) continue ;; esac
        # shellcheck disable=SC2053 # PATTERN is a glob on purpose
        if [[ "$name" == $1 ]]; then
            printf '%s\n' "$name"
            return 0
        fi
    done
    return 1
}

# Run "$@" holding the machine-wide heavy-build lock: two compiler farms on a
# 2-core machine only slow each other down.
with_build_lock() {
    mkdir -p "$UFSC_CACHE"
    flock "$UFSC_LOCK" "$@"
}

# The Debian mirror URIs the machine's apt is already configured with
# (apt_mirror: the archive; apt_mirror security: the security archive).
# Nothing about the mirrors is written into the repository: they are read
# at run time.
apt_mirror() {
    local want='/debian/\?$' uri
    [ "${1:-}" = security ] && want='/debian-security/\?$'
    uri=$( { grep -rhs '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}'
             grep -hs '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list |
                 awk '{print $2}'; } 2>/dev/null | grep "$want" | head -1 || true)
    [ -n "$uri" ] || [ "${1:-}" = security ] ||
        die "cannot find a Debian mirror in /etc/apt/sources.list*"
    echo "${uri%/}"
}

# apt-get with a private sources list and state directory, so that the
# system's apt configuration is left exactly as it was.
#   apt_private_init   writes the private configuration and runs update once
#   apt_private ARGS   runs apt-get ARGS against it
UFSC_APT=$UFSC_CACHE/apt
apt_private_opts() {
    echo "-o Dir::Etc::SourceList=$UFSC_APT/sources.list" \
         "-o Dir::Etc::SourceParts=$UFSC_APT/sources.list.d" \
         "-o Dir::State::Lists=$UFSC_APT/lists" \
         "-o Dir::Cache::Archives=$UFSC_APT/archives" \
         "-o Dir::Cache::pkgcache=$UFSC_APT/pkgcache.bin" \
         "-o Dir::Cache::srcpkgcache=$UFSC_APT/srcpkgcache.bin" \
         "-o APT::Get::List-Cleanup=0" \
         "-o Acquire::Languages=none" \
         "-o APT::Sandbox::User=root"
}
apt_private_init() {
    local mirror security stamp
    mirror=$(apt_mirror)
    security=$(apt_mirror security)
    mkdir -p "$UFSC_APT/lists/partial" "$UFSC_APT/archives/partial" "$UFSC_APT/sources.list.d"
    {
        echo "deb $mirror bookworm main"
        echo "deb $mirror bookworm-updates main"
        [ -n "$security" ] && echo "deb $security bookworm-security main"
        echo "deb $mirror bookworm-backports main"
        echo "deb-src $mirror bookworm-backports main"
        echo "deb $mirror trixie main"
        echo "deb-src $mirror trixie main"
        echo "deb $mirror trixie-backports main"
    } > "$UFSC_APT/sources.list.new"
    # Trixie's binaries are listed only for source lookups and downloads of
    # foreign-architecture .debs, trixie-backports' for downloads of
    # linux-source-7.3 (build-kernel.sh); installs are pinned away from both.
    cat > "$UFSC_APT/preferences" <<EOS
Package: *
Pin: release n=trixie
Pin-Priority: 1

Package: *
Pin: release n=trixie-backports
Pin-Priority: 1
EOS
    stamp=$UFSC_APT/updated
    if ! cmp -s "$UFSC_APT/sources.list.new" "$UFSC_APT/sources.list" ||
       [ -z "$(find "$stamp" -mmin -720 2>/dev/null)" ]; then
        mv "$UFSC_APT/sources.list.new" "$UFSC_APT/sources.list"
        step "apt: updating private package lists (bookworm-backports, trixie, trixie-backports)"
        net_retry "apt-get update of the private package lists (bookworm-backports, trixie, trixie-backports)" \
            apt_private -qq update >/dev/null ||
            die "apt-get update (private lists) failed: see apt's messages above"
        touch "$stamp"
    else
        rm -f "$UFSC_APT/sources.list.new"
    fi
}
apt_private() {
    # shellcheck disable=SC2046
    apt-get $(apt_private_opts) -o Dir::Etc::Preferences="$UFSC_APT/preferences" "$@"
}

# Install Debian packages that are missing, with the system's apt
# configuration; names with a /suite (e.g. /bookworm-backports) come
# through the private configuration, which adds that suite.
need_pkgs() {
    local missing=() p name
    for p in "$@"; do
        name=${p%%/*}
        dpkg-query -W -f='${Status}' "$name" 2>/dev/null | grep -q 'ok installed' ||
            missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    [ "$(id -u)" = 0 ] || die "missing packages (run as root to install): ${missing[*]}"
    step "installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    if [[ "${missing[*]}" == */* ]]; then
        apt_private_init
        net_retry "installing ${missing[*]} (private apt configuration)" \
            apt_private -y -qq -o Dpkg::Use-Pty=0 install --no-install-recommends \
            "${missing[@]}" >/dev/null || die "apt-get install ${missing[*]} failed"
        return 0
    fi
    # Package lists may be missing or stale on a fresh machine: update once.
    if ! apt-get -y -qq -o Dpkg::Use-Pty=0 install --no-install-recommends \
            "${missing[@]}" >/dev/null 2>&1; then
        net_retry "apt-get update (system package lists)" apt-get -qq update >/dev/null ||
            die "apt-get update failed: see apt's messages above"
        net_retry "installing ${missing[*]}" \
            apt-get -y -qq -o Dpkg::Use-Pty=0 install --no-install-recommends \
            "${missing[@]}" >/dev/null || die "apt-get install ${missing[*]} failed"
    fi
}

# run_tap NAME CMD...: run a TAP-speaking test in $tap_dir (default: here)
# under a 10-minute hang limit, log it to $UFSC_CACHE/test-logs/NAME.tap,
# echo its results and add them to tap_passed and tap_failed.  A sanitizer
# report, or an exit status other than 0 without a "not ok", is a failure.
tap_passed=0 tap_failed=0
run_tap() {
    local name=$1; shift
    local log=$UFSC_CACHE/test-logs out rc n_ok n_fail start
    mkdir -p "$log"
    out=$log/$name.tap
    start=$(date +%s)
    (cd "${tap_dir:-.}" && timeout 600 "$@") > "$out" 2>&1
    rc=$?
    n_ok=$(grep -c '^ok ' "$out" || true)
    n_fail=$(grep -c '^not ok ' "$out" || true)
    if grep -qE 'runtime error:|ERROR: AddressSanitizer|ERROR: LeakSanitizer' "$out"; then
        echo "    not ok - $name: sanitizer report:"
        grep -E -m5 'runtime error:|ERROR: AddressSanitizer|ERROR: LeakSanitizer' "$out" | sed 's|^|        |'
        n_fail=$((n_fail + 1))
    fi
    grep -E '^(ok|not ok) ' "$out" | sed "s|^|    |"
    if [ "$rc" != 0 ] && [ "$n_fail" = 0 ]; then
        # A crash or a failed assertion ends the test before "not ok".
        n_fail=1
        echo "    not ok - $name exited with status $rc:"
        grep -E 'ERROR|Bail out|assert|error' "$out" | head -5 | sed 's|^|        |'
    fi
    tap_passed=$((tap_passed + n_ok)); tap_failed=$((tap_failed + n_fail))
    step "$name: $n_ok passed, $n_fail failed ($(( $(date +%s) - start ))s, log $out)"
}

# e2e_counts LOG PREFIX: e2e_passed, e2e_failed and e2e_skipped from LOG's
# last "PREFIX: N passed, N failed[, N skipped]" line (0 where missing);
# e2e_line is that line.
e2e_counts() {
    e2e_line=$(grep -E "^$2: [0-9]+ passed, [0-9]+ failed" "$1" | tail -1 || true)
    e2e_passed=$(echo "$e2e_line" | awk '{print $2}')
    e2e_failed=$(echo "$e2e_line" | awk '{print $4}')
    e2e_skipped=$(echo "$e2e_line" | awk '{print $6}')
    e2e_passed=${e2e_passed:-0} e2e_failed=${e2e_failed:-0} e2e_skipped=${e2e_skipped:-0}
}

# e2e_verdict NAME OUT LOG RC DETAILS: a sanitizer report in one of OUT's
# QEMU logs (OUT/qemu*.log), or a non-zero RC without a failed check,
# counts as one failure more; then say ok or not ok, with LOG's lines that
# match the regular expression DETAILS when not ok.
e2e_verdict() {
    local name=$1 out=$2 log=$3 rc=$4
    if grep -qsE 'runtime error:|ERROR: AddressSanitizer' "$out"/qemu*.log; then
        echo "    not ok - $name: sanitizer report in $(grep -lsE 'runtime error:|ERROR: AddressSanitizer' "$out"/qemu*.log | tr '\n' ' ')"
        grep -h -E -m5 -A3 'runtime error:|ERROR: AddressSanitizer' "$out"/qemu*.log | sed 's/^/        /'
        e2e_failed=$((e2e_failed + 1)) rc=1
    elif [ "$rc" != 0 ] && [ "$e2e_failed" = 0 ]; then
        e2e_failed=1
    fi
    if [ "$rc" = 0 ]; then
        echo "    ok - $name: $e2e_passed checks passed"
    else
        echo "    not ok - $name: $e2e_failed failed; logs and report kept in $out"
        grep -E "$5" "$log" | head -15
    fi
}

# run_e2e NAME OUT E2E-ARGS...: run scripts/e2e.sh --out OUT E2E-ARGS...
# with its output in test-logs/NAME.log, say ok or not ok with the report's
# migration, host check and times lines, and set e2e_passed and e2e_failed
# from its closing line.  A sanitizer report in either QEMU's log
# (qemu-dst.log: the QEMU the guest was migrated to), or a non-zero exit
# without a failed check, counts as one failure more.  The run also writes
# OUT/junit.xml and OUT/results.json (--junit, --json), and the JUnit XML,
# read by junitparser (scripts/junit-check.py), must hold as many passed,
# failed and skipped cases as the closing line says: one failure more if
# not.
run_e2e() {
    local name=$1 out=$2 log rc=0
    shift 2
    log=$UFSC_CACHE/test-logs/$name.log
    mkdir -p "$UFSC_CACHE/test-logs"
    need_pkgs python3-junitparser
    rm -f "$out/junit.xml" "$out/results.json"
    "$UFSC_TOP/scripts/e2e.sh" --out "$out" --junit "$out/junit.xml" --json "$out/results.json" \
        "$@" > "$log" || rc=$?
    e2e_counts "$log" e2e
    if [ -n "$e2e_line" ] && ! /usr/bin/python3 "$UFSC_TOP/scripts/junit-check.py" "$out/junit.xml" \
            "$e2e_passed" "$e2e_failed" "$e2e_skipped" >> "$log" 2>&1; then
        echo "    not ok - $name: its JUnit XML disagrees with its report (see $log)"
        e2e_failed=$((e2e_failed + 1)) rc=1
    fi
    e2e_verdict "$name" "$out" "$log" "$rc" '^    |no verdict|QEMU:|kernel trouble|migration'
    grep -E '^  (migration|host check|times):' "$out/report.txt" 2>/dev/null | sed 's/^/    /' || true
}

# run_e2e_wrapped NAME OUT ARGS...: scripts/e2e-wrapped.sh --out OUT ARGS,
# as run_e2e (no JUnit XML).
run_e2e_wrapped() {
    local name=$1 out=$2 log rc=0
    shift 2
    log=$UFSC_CACHE/test-logs/$name.log
    mkdir -p "$UFSC_CACHE/test-logs"
    "$UFSC_TOP/scripts/e2e-wrapped.sh" --out "$out" "$@" > "$log" 2>&1 || rc=$?
    e2e_counts "$log" e2e-wrapped
    e2e_verdict "$name" "$out" "$log" "$rc" 'FAIL|boot '
}
