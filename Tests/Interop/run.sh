#!/usr/bin/env bash
# Runs every Tests/Interop/*.py with the interop environment's Python, each in a fresh directory, against the rnx
# binary in $RNX (default .build/release/rnx). Prints one PASS/FAIL line per script; fails when any script fails.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
python=${INTEROP_PYTHON:-$root/.venv-interop/bin/python}
export RNX=$(realpath "${RNX:-$root/.build/release/rnx}")
export RNX_INTEROP_REFERENCE=$root/Tests/KernelTests/Reference
export OMP_WAIT_POLICY=passive
[ -x "$python" ] || { echo "no interop Python at $python (run: make interop)" >&2; exit 1; }
[ -x "$RNX" ] || { echo "no rnx binary at $RNX (run: make build)" >&2; exit 1; }
failed=0
for script in "$root"/Tests/Interop/*.py; do
    name=$(basename "$script" .py)
    work=$(mktemp -d "${TMPDIR:-/tmp}/rnx-interop-$name.XXXXXX")
    if (cd "$work" && "$python" "$script") >"$work/log.txt" 2>&1; then
        echo "PASS $name: $(tail -n 1 "$work/log.txt")"
        rm -rf "$work"
    else
        echo "FAIL $name (files kept in $work):"
        sed 's/^/    /' "$work/log.txt"
        failed=1
    fi
done
exit $failed
