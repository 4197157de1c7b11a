#!/usr/bin/env bash
# check.sh: what "make check" runs.  Builds what is missing, runs every
# test and ends with the line "N passed, N failed".
set -euo pipefail
source "$(dirname "$0")/lib.sh"

start=$(date +%s)
"$UFSC_TOP/scripts/deps.sh" test
build=$("$UFSC_TOP/scripts/build-qemu.sh")
builds=("$build:${UFSC_CRYPTO:-gcrypt}")
# The other crypto backend must keep working too: build it for one target
# and run the device's unit test and qtests on it.
other=nettle
[ "${UFSC_CRYPTO:-gcrypt}" = nettle ] && other=gcrypt
if [ "${UFSC_CHECK_OTHER_BACKEND:-1}" = 1 ]; then
    step "building QEMU with the $other backend as well (aarch64 only)"
    build2=$(UFSC_CRYPTO=$other UFSC_TARGETS=aarch64-softmmu "$UFSC_TOP/scripts/build-qemu.sh")
    builds+=("$build2:$other:aarch64")
fi
step "builds ready after $(( $(date +%s) - start ))s"
"$UFSC_TOP/scripts/run-tests.sh" "${builds[@]}"
