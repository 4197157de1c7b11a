#!/usr/bin/env bash
# check.sh: what "make check" runs.  Builds what is missing, runs every
# test and ends with the line "N passed, N failed".
set -euo pipefail
source "$(dirname "$0")/lib.sh"

start=$(date +%s)
"$UFSC_TOP/scripts/deps.sh" test
build=$("$UFSC_TOP/scripts/build-qemu.sh")
step "build ready after $(( $(date +%s) - start ))s"
"$UFSC_TOP/scripts/run-tests.sh" "$build"
