#!/usr/bin/env bash
# Builds the libFuzzer targets with AddressSanitizer (and LeakSanitizer) and runs each one in turn: first its
# regressions/<target>/ inputs once each, then fuzzing for FUZZ_SECONDS seconds (default 120), or FUZZ_RUNS
# executions when that is set, starting from a copy of corpus/<target>/ so the committed corpus never changes.
# FUZZ_SECONDS=0 only replays the regressions (a quick check). FUZZ_TARGETS picks targets (default: all).
# Prints executions, exec/s, crashes (out-of-memory included), leaks, timeouts and failing regressions per target;
# exits 1 when any target found anything.
# `make fuzz` runs this; docs/fuzzing.md explains the rest.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
scratch=${FUZZ_SCRATCH:-$root/.build-fuzz}
seconds=${FUZZ_SECONDS:-120}
runs=${FUZZ_RUNS:-}
targets=${FUZZ_TARGETS:-dsl safetensors idx csv image checkpoint}

# Inputs larger than a format needs only slow the fuzzer down.
max_len() {
    case $1 in
        dsl) echo 4096 ;;
        image) echo 16384 ;;
        checkpoint | safetensors) echo 8192 ;;
        *) echo 4096 ;;
    esac
}

nice -n 10 swift build -c release --package-path "$here" --scratch-path "$scratch" --sanitize=fuzzer --sanitize=address \
    2>&1 | grep -E 'error|warning: unre|Build' || true
bin=$(swift build -c release --package-path "$here" --scratch-path "$scratch" --sanitize=fuzzer --sanitize=address --show-bin-path) || exit 2

# One worker thread and sleeping OpenMP threads: the fuzzers share the machine. LeakSanitizer runs at exit and,
# through libFuzzer, after inputs whose mallocs and frees do not balance. Fake stacks would move locals off the
# thread's stack and fool the interpreter's address-based stack guard into a real overflow.
export RNX_THREADS=1 OMP_NUM_THREADS=1 OMP_WAIT_POLICY=passive
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:detect_stack_use_after_return=0:symbolize=1:handle_abort=1}

failed=0
summary=()
for target in $targets; do
    binary=$bin/fuzz-$target
    if [ ! -x "$binary" ]; then
        echo "fuzz: no target '$target' (built: $(cd "$bin" && ls -d fuzz-* 2>/dev/null | sed 's/fuzz-//' | tr '\n' ' '))" >&2
        exit 2
    fi
    options=(-timeout=10 -rss_limit_mb=2048 -max_len="$(max_len "$target")" -dict="$here/dict/$target.dict")
    run_dir=$scratch/runs/$target
    rm -rf "$run_dir"
    mkdir -p "$run_dir/corpus" "$run_dir/artifacts" "$run_dir/tmp"
    # Each fuzzer process makes its scratch directory here: one that dies on a finding cannot remove it.
    export TMPDIR=$run_dir/tmp

    replayed=0
    regressed=0
    for input in "$here/regressions/$target"/*; do
        [ -f "$input" ] || continue
        replayed=$((replayed + 1))
        if ! nice -n 10 "$binary" "${options[@]}" "$input" >"$run_dir/replay.log" 2>&1; then
            regressed=$((regressed + 1))
            echo "fuzz: $target regression fails: $input (log below)"
            grep -E 'ERROR|SUMMARY|Fatal error|#[0-9]+ 0x' "$run_dir/replay.log" | head -30
        fi
    done

    executions=0 rate=0
    if [ "$seconds" != 0 ] || [ -n "$runs" ]; then
        cp "$here/corpus/$target"/* "$run_dir/corpus/"
        limit=(-max_total_time="$seconds")
        [ -n "$runs" ] && limit=(-runs="$runs")
        echo "fuzz: $target (${limit[0]#-}) ..."
        nice -n 10 "$binary" "${options[@]}" "${limit[@]}" -print_final_stats=1 -artifact_prefix="$run_dir/artifacts/" \
            "$run_dir/corpus" >"$run_dir/fuzz.log" 2>&1
        executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$run_dir/fuzz.log" | tail -1)
        rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$run_dir/fuzz.log" | tail -1)
    fi
    count() { find "$run_dir/artifacts" -name "$1-*" | wc -l; }
    crashes=$(($(count crash) + $(count oom)))
    leaks=$(count leak)
    timeouts=$(count timeout)
    line=$(printf '%-12s executions %10s  exec/s %6s  crashes %s  leaks %s  timeouts %s  regressions failing %s of %s' \
        "$target" "${executions:-?}" "${rate:-?}" "$crashes" "$leaks" "$timeouts" "$regressed" "$replayed")
    summary+=("$line")
    [ "$regressed" -gt 0 ] && failed=1
    if [ $((crashes + leaks + timeouts)) -gt 0 ]; then
        failed=1
        for artifact in "$run_dir/artifacts"/*; do
            [ -f "$artifact" ] && echo "fuzz: $target found $artifact (log: $run_dir/fuzz.log)"
        done
        grep -E '^==[0-9]+==ERROR|^SUMMARY|Fatal error|^ *#[0-9]+ 0x' "$run_dir/fuzz.log" | head -40
    fi
done

echo
printf '%s\n' "${summary[@]}"
exit $failed
