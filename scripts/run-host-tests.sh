#!/usr/bin/env bash
# run-host-tests.sh: the tests of our host-side tools, which need neither a
# QEMU build nor the network: the parsing of apt's --print-uris by
# fetch-qemu.sh (against a mock apt-get), the JUnit XML and JSON of
# e2e.sh --junit/--json, the NEON code of crypto/adiantum.c cross-compiled
# and run under qemu-user, the hardware-wrapped keys of fscrypt-check.py
# against OpenSSL's KBKDF and on a synthetic ext4 image
# (scripts/tests/test-*.sh) and the second Adiantum implementation of the
# host check against the published vectors; with --install, make install
# and uninstall into a scratch prefix (scripts/tests/install-check.sh).
# TAP per test (run_tap in lib.sh); ends with "N passed, N failed" and
# appends "PASSED FAILED" to $UFSC_RESULTS when set.
set -uo pipefail
source "$(dirname "$0")/lib.sh"

if [ "${1:-}" = --install ]; then
    # make install and make uninstall (needs the default QEMU build)
    run_tap host-install bash "$UFSC_TOP/scripts/tests/install-check.sh"
else
    # test-e2e-results.sh reads JUnit XML with junitparser;
    # test-adiantum-aarch64.sh cross-compiles and runs under qemu-user;
    # test-fscrypt-check.sh needs openssl kdf, mkfs.ext4 and debugfs
    need_pkgs python3-junitparser gcc-aarch64-linux-gnu libc6-dev-arm64-cross \
        qemu-user-static python3-cryptography e2fsprogs openssl
    for t in "$UFSC_TOP"/scripts/tests/test-*.sh; do
        run_tap "host-$(basename "$t" .sh)" bash "$t"
    done
    run_tap host-adiantum-py /usr/bin/python3 "$UFSC_TOP/scripts/adiantum.py" --selftest
fi

echo "$tap_passed passed, $tap_failed failed"
[ -n "${UFSC_RESULTS:-}" ] && echo "$tap_passed $tap_failed" >> "$UFSC_RESULTS"
[ "$tap_failed" = 0 ] && [ "$tap_passed" -gt 0 ]
