#!/usr/bin/env bash
# test-e2e-results.sh: scripts/e2e-results.py (e2e.sh --junit, --json) on a
# cases file with every result and awkward text (XML metacharacters, a
# control character, a tab in a message, non-ASCII), read back by
# junitparser (scripts/junit-check.py) and by Python's json; and
# junit-check.py itself must refuse counts that do not match.  TAP on
# stdout.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source-path=SCRIPTDIR source=tap.sh
source "$top/scripts/tests/tap.sh"

printf '%s\t%s\t%s\t%s\n' \
    guest find-lus ok '' \
    guest 'write-ext4-v2-<big>' fail 'exit 1: short write & "quoted" <tag>' \
    guest adiantum-ext4 skip 'the LU does not advertise Adiantum' \
    host-check 'ext4 v2 hw /v2/big' ok 'ino=12 size=1048699 AES-256-XTS: 257 blocks' \
    host-check 'f2fs v2 hw /v2/huge' fail "$(printf 'block 3 differs\001 (control)')" \
    e2e qemu-exit ok '' > "$tmp/cases.tsv"
# A message with a tab: e2e.sh turns tabs into spaces, but a stray one must
# stay part of the message.
printf 'e2e\tdevice-no-errors\tfail\tcqhci_err_dma\ttask 3 – ü\n' >> "$tmp/cases.tsv"

results() {
    /usr/bin/python3 "$top/scripts/e2e-results.py" --cases "$tmp/cases.tsv" \
        --suite ufs-crypto-e2e.test --junit "$tmp/junit.xml" --json "$tmp/r.json" \
        --meta arch=aarch64 --meta 'native_modes=["AES-256-XTS"]' \
        --meta timings.qemu_run_s=12.5 --meta 'props=a=b,,c' > "$tmp/results.out"
}
t "e2e-results.py writes both files" results
t "it prints the counts" grep -qx '3 passed, 3 failed, 1 skipped' "$tmp/results.out"
t "junitparser reads 3 passed, 3 failed, 1 skipped" \
    /usr/bin/python3 "$top/scripts/junit-check.py" "$tmp/junit.xml" 3 3 1
t "junit-check.py refuses other counts" \
    bash -c '! /usr/bin/python3 "$1" "$2" 4 2 1' _ "$top/scripts/junit-check.py" "$tmp/junit.xml"
t "the failure messages are in the XML, escaped" \
    /usr/bin/python3 - "$tmp/junit.xml" <<'PY'
import sys
from junitparser import JUnitXml, Failure
msgs = {c.name: [r.message for r in c.result if isinstance(r, Failure)]
        for s in JUnitXml.fromfile(sys.argv[1]) for c in s}
assert msgs['write-ext4-v2-<big>'] == ['exit 1: short write & "quoted" <tag>'], msgs
assert msgs['f2fs v2 hw /v2/huge'] == ['block 3 differs? (control)'], msgs
assert msgs['device-no-errors'] == ['cqhci_err_dma\ttask 3 – ü'], msgs
PY
t "the JSON summary has the metadata and counts" \
    /usr/bin/python3 - "$tmp/r.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d['arch'] == 'aarch64' and d['props'] == 'a=b,,c', d
assert d['native_modes'] == ['AES-256-XTS'], d
assert d['timings'] == {'qemu_run_s': 12.5}, d
assert d['counts'] == {'passed': 3, 'failed': 3, 'skipped': 1}, d
assert d['counts_by_class']['guest'] == {'passed': 1, 'failed': 1, 'skipped': 1}, d
assert [f['name'] for f in d['failures']] == \
    ['write-ext4-v2-<big>', 'f2fs v2 hw /v2/huge', 'device-no-errors'], d
PY
printf 'guest\tbroken\tmaybe\t\n' > "$tmp/bad.tsv"
t "a line with an unknown result is refused" \
    bash -c '! /usr/bin/python3 "$1" --cases "$2" --junit "$3"' _ \
    "$top/scripts/e2e-results.py" "$tmp/bad.tsv" "$tmp/bad.xml"

tap_end
