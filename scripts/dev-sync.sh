#!/usr/bin/env bash
# dev-sync.sh TREE: copy the overlay into a QEMU tree (only changed files).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
tree=$1
(cd "$top" && for d in hw include tests docs crypto configs; do if [ -d "$d" ]; then find "$d" -type f; fi; done) |
while read -r f; do
    cmp -s "$top/$f" "$tree/$f" || { mkdir -p "$(dirname "$tree/$f")"; cp "$top/$f" "$tree/$f"; }
done
