#!/usr/bin/env bash
# run-host-tests.sh: the tests of our host-side tools, which need neither a
# QEMU build nor the network: the parsing of apt's --print-uris by
# fetch-qemu.sh (scripts/tests/test-*.sh, against a mock apt-get) and the
# second Adiantum implementation of the host check against the published
# vectors; with --install, make install and uninstall into a scratch
# prefix (scripts/tests/install-check.sh).  TAP per test; ends with "N passed, N failed" and appends
# "PASSED FAILED" to $UFSC_RESULTS when set.
set -uo pipefail
source "$(dirname "$0")/lib.sh"

log=$UFSC_CACHE/test-logs
mkdir -p "$log"
passed=0 failed=0

# run_tap NAME CMD...: run a TAP-speaking test, count its results.
run_tap() {
    local name=$1; shift
    local out=$log/$name.tap rc n_ok n_fail
    "$@" > "$out" 2>&1
    rc=$?
    n_ok=$(grep -c '^ok ' "$out")
    n_fail=$(grep -c '^not ok ' "$out")
    grep -E '^(ok|not ok) ' "$out" | sed "s|^|    |"
    if [ "$rc" != 0 ] && [ "$n_fail" = 0 ]; then
        n_fail=1
        echo "    not ok - $name exited with status $rc:"
        tail -5 "$out" | sed 's|^|        |'
    fi
    passed=$((passed + n_ok)); failed=$((failed + n_fail))
    step "$name: $n_ok passed, $n_fail failed (log $out)"
}

if [ "${1:-}" = --install ]; then
    # make install and make uninstall (needs the default QEMU build)
    run_tap host-install bash "$UFSC_TOP/scripts/tests/install-check.sh"
else
    for t in "$UFSC_TOP"/scripts/tests/test-*.sh; do
        run_tap "host-$(basename "$t" .sh)" bash "$t"
    done
    run_tap host-adiantum-py /usr/bin/python3 "$UFSC_TOP/scripts/adiantum.py" --selftest
fi

echo "$passed passed, $failed failed"
[ -n "${UFSC_RESULTS:-}" ] && echo "$passed $failed" >> "$UFSC_RESULTS"
[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
