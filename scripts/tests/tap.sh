# shellcheck shell=bash
# tap.sh: sourced by the host tests of scripts/tests/ that write TAP.
# Sets tmp (a scratch directory, removed on exit), n and failed, and
#   t DESCRIPTION CMD...   one test: ok if CMD succeeds, else not ok with
#                          CMD's output as TAP comments
#   tap_end                the plan line; fails if a test failed
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 failed=0
t() {
    local d=$1; shift
    n=$((n + 1))
    if "$@" > "$tmp/out" 2>&1; then
        echo "ok $n - $d"
    else
        echo "not ok $n - $d"
        sed 's/^/# /' "$tmp/out"
        failed=$((failed + 1))
    fi
}
tap_end() {
    echo "1..$n"
    [ "$failed" = 0 ]
}
