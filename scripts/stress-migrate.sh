#!/usr/bin/env bash
# stress-migrate.sh [RUNS]: the x86_64 end-to-end test with its migration
# (MCQ mode), RUNS times (default 5), each with "stress-ng --cpu 2" loading
# both cores beside it: the migration check must not depend on the host's
# speed.  Prints, per run, the verdict and the files the guest wrote before
# and after the migration; exits 0 only if every run passed.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

runs=${1:-5}
need_pkgs stress-ng
build=$(default_build)
kernel=$("$UFSC_TOP/scripts/build-kernel.sh" x86_64)
initrd=$("$UFSC_TOP/scripts/build-initramfs.sh" x86_64)
out=$UFSC_CACHE/e2e-stress
bad=0
for i in $(seq "$runs"); do
    stress-ng --cpu 2 --quiet &
    spid=$!
    set +e
    "$UFSC_TOP/scripts/e2e.sh" --arch x86_64 --quick --timeout 900 --props mcq=on --migrate \
        --qemu "$build" --kernel "$kernel" --initrd "$initrd" --out "$out" > "$out.log" 2>&1
    rc=$?
    set -e
    kill "$spid" 2>/dev/null || true
    wait "$spid" 2>/dev/null || true
    [ "$rc" = 0 ] || bad=$((bad + 1))
    printf 'run %d: %s; %s; %s\n' "$i" "$(tail -1 "$out/report.txt")" \
        "$(sed -n 's/^  migration: \([0-9]* files written.*\)/\1/p' "$out/report.txt")" \
        "$(sed -n 's/^  migration: \(migration .*\)/\1/p' "$out/report.txt")"
    [ "$rc" = 0 ] || cp -r "$out" "$out-failed-$i"
done
echo "stress-migrate: $((runs - bad)) passed, $bad failed"
[ "$bad" = 0 ]
