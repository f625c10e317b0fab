#!/bin/bash
# `make bench`: rnx against PyTorch on this machine, in one invocation.
#
#   bash Benchmarks/run.sh [--quick] [--only GROUPS] [--repeats N] [--json PATH] [--no-torch] [--no-build] [--isa avx2]
#
# GROUPS (comma-separated): sgemm, conv, conv18, resnet20-train, resnet20-infer, resnet18-train, resnet34-sd, latency,
#   loading, time-to-accuracy, distributed, startup
#   (default: all of them; --quick = sgemm,conv with 5 repeats). `distributed` (needs Open MPI's mpirun) times
#   data-parallel ResNet-20 training on 1 and 2 ranks of one thread each, and MPI_Allreduce of 1 MB and 45 MB.
#   `resnet34-sd` (rnx only) times pre-activation ResNet-34 training steps with stochastic depth p_L = 1 and 0.5.
#   `latency` times batch-1 inference m(x) (ResNet-20 at 32 px, ResNet-18 and ResNet-50 at 224 px), first call apart.
#   `loading` decodes and augments (flip, crop, rotate) an epoch of 2,000 64-px JPEGs it writes once into the scratch
#   directory (needs .venv-bench's Pillow); PyTorch's side is PIL + DataLoader(num_workers=2), torchvision being absent.
#   It then times ResNet-18 training epochs over those images with the loader augmenting alongside and over batches built
#   beforehand (3 each, alternating): the overlap figure, 1 when loading never holds training up.
#   `time-to-accuracy` trains the quick-start recipe (examples/quickstart.rnx: ResNet-8 on MNIST-5k, one-cycle, 8 epochs)
#   as an rnx script and the same network and schedule in PyTorch, 3 runs each, and reports the wall time until the
#   held-out accuracy first reaches 96% (evaluated after each epoch), the epochs and the accuracies.
# --isa avx2 (`make bench ISA=avx2`) caps both sides at AVX2 as on a CPU without AVX-512: ONEDNN_MAX_CPU_ISA=AVX2 for
#   rnx and PyTorch, ATEN_CPU_CAPABILITY=avx2 for PyTorch.
# Builds RnxBench (the package in Benchmarks/) in release mode, measures the machine's FMA peak, runs every group of rnx and of
# Benchmarks/torch_bench.py (each model group in its own process, so peak memory is per workload), and prints
# one table; the raw samples and the table's figures go to Benchmarks/results.json (or --json PATH).
#
# Both sides use $BENCH_THREADS threads (default 2). PyTorch lives in .venv-bench, created here when
# missing; if it cannot be installed, rnx's figures are printed alone.
# SCRATCH=.build-x puts the benchmark package's build in another scratch directory (default Benchmarks/.build);
# SWIFT_FLAGS overrides the release flags. rnx itself (for the start-up group) is the one `make build` made in .build.
set -euo pipefail
cd "$(dirname "$0")/.."

groups="sgemm,conv,conv18,resnet20-train,resnet20-infer,resnet18-train,resnet34-sd,latency,loading,time-to-accuracy,distributed,startup"
repeats=7
out=Benchmarks/results.json
torch=1
build=1
isa=""
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) groups="sgemm,conv"; repeats=5 ;;
        --only) groups="$2"; shift ;;
        --repeats) repeats="$2"; shift ;;
        --json) out="$2"; shift ;;
        --no-torch) torch=0 ;;
        --no-build) build=0 ;;
        --isa) isa="$2"; shift ;;
        *) echo "Benchmarks/run.sh: unknown option $1 (see the header of Benchmarks/run.sh)" >&2; exit 2 ;;
    esac
    shift
done
case "$repeats" in ''|*[!0-9]*) echo "Benchmarks/run.sh: --repeats needs a number ≥ 5, found '$repeats'" >&2; exit 2 ;; esac
if [ "$repeats" -lt 5 ]; then echo "Benchmarks/run.sh: --repeats needs a number ≥ 5, found $repeats" >&2; exit 2; fi

case "$isa" in
    "") ;;
    avx2) export ONEDNN_MAX_CPU_ISA=AVX2 ATEN_CPU_CAPABILITY=avx2 ;;
    *) echo "Benchmarks/run.sh: --isa takes avx2, found '$isa'" >&2; exit 2 ;;
esac

threads="${BENCH_THREADS:-2}"
scratch="${SCRATCH:-Benchmarks/.build}"
# The Makefile's release flags.
swift_flags="${SWIFT_FLAGS:--c release -Xswiftc -enable-testing}"
work="$scratch/bench"
mkdir -p "$work"
rm -f "$work"/*.json

has() { case ",$groups," in *",$1,"*) return 0 ;; *) return 1 ;; esac; }

# Each side runs as its users get it: rnx sets its own OpenMP wait policy at start-up (OpenMPWaitPolicy), PyTorch keeps
# its defaults; both get the same thread count.
export RNX_THREADS="$threads"

load=$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo 0)
notes=("load average at start: $load")
[ -n "$isa" ] && notes+=("capped at $isa: ONEDNN_MAX_CPU_ISA=$ONEDNN_MAX_CPU_ISA (both), ATEN_CPU_CAPABILITY=$ATEN_CPU_CAPABILITY (torch)")
if awk -v l="$load" 'BEGIN { exit !(l > 0.5) }'; then
    echo "bench: warning: load average is $load; other processes will distort the figures" >&2
    notes+=("machine was busy (load $load): figures are distorted")
fi

if [ "$build" = 1 ]; then
    echo "bench: building RnxBench (release)" >&2
    swift build $swift_flags --package-path Benchmarks --scratch-path "$scratch" --product RnxBench >&2
fi
rnxbench="$(swift build $swift_flags --package-path Benchmarks --scratch-path "$scratch" --show-bin-path)/RnxBench"

peak=""
if cc -O2 -march=native -pthread -o "$work/fma_peak" Benchmarks/fma_peak.c 2>/dev/null; then
    echo "bench: measuring the FMA peak" >&2
    "$work/fma_peak" "$threads" > "$work/peak.json" && peak="--peak=$work/peak.json"
else
    echo "bench: no C compiler; GFLOP/s percentages use the nominal peak" >&2
fi

python=""
if [ "$torch" = 1 ]; then
    if ! .venv-bench/bin/python -c "import torch" 2>/dev/null; then
        echo "bench: installing PyTorch (CPU) into .venv-bench" >&2
        if ! { python3 -m venv .venv-bench && .venv-bench/bin/pip install -q "torch==2.13.0+cpu" numpy pillow; } >&2; then
            echo "bench: PyTorch could not be installed; printing rnx's figures alone" >&2
            notes+=("PyTorch could not be installed: no comparison")
        fi
    fi
    .venv-bench/bin/python -c "import torch" 2>/dev/null && python=.venv-bench/bin/python
fi

runs=()
# PyTorch twice: as installed (OpenMP threads spin between calls) and with OMP_WAIT_POLICY=passive, which can only be
# chosen before torch starts; the report takes the best of all its configurations. $3: repeats other than --repeats.
run_torch() {
    echo "bench: torch $1" >&2
    "$python" Benchmarks/torch_bench.py --only "$1" --repeats "${3:-$repeats}" --threads "$threads" --json "$work/torch-$2.json" \
        && runs+=("$work/torch-$2.json")
    OMP_WAIT_POLICY=passive "$python" Benchmarks/torch_bench.py --only "$1" --repeats "${3:-$repeats}" --threads "$threads" \
        --json "$work/torch-$2-passive.json" && runs+=("$work/torch-$2-passive.json")
}
# Micro-benchmarks: conv2d through its default backend and forced onto im2col, plus the direct oneDNN calls.
micro=$(echo "$groups" | tr ',' '\n' | grep -E '^(sgemm|conv|conv18)$' | paste -sd, - || true)
if [ -n "$micro" ]; then
    echo "bench: rnx $micro" >&2
    "$rnxbench" --only "$micro" --repeats "$repeats" --json "$work/rnx-micro.json" && runs+=("$work/rnx-micro.json")
    convs=$(echo "$micro" | tr ',' '\n' | grep -v '^sgemm$' | paste -sd, - || true)
    if [ -n "$convs" ]; then
        RNX_CONV=im2col "$rnxbench" --only "$convs" --repeats "$repeats" --json "$work/rnx-conv-im2col.json" && runs+=("$work/rnx-conv-im2col.json")
    fi
    if [ -n "$python" ]; then
        run_torch "$micro" micro
    fi
fi
for group in resnet20-train resnet20-infer resnet18-train resnet34-sd latency; do
    has "$group" || continue
    echo "bench: rnx $group" >&2
    "$rnxbench" --only "$group" --repeats "$repeats" --json "$work/rnx-$group.json" && runs+=("$work/rnx-$group.json")
    # Stochastic depth compares rnx with itself.
    if [ -n "$python" ] && [ "$group" != resnet34-sd ]; then
        run_torch "$group" "$group"
    fi
done

if has loading; then
    images="$work/jpeg-folder"
    if [ -n "$python" ] && { [ -d "$images" ] || { "$python" Benchmarks/torch_bench.py --write-image-folder "$images.tmp" \
        && mv "$images.tmp" "$images"; }; }; then
        echo "bench: rnx and torch loading" >&2
        "$rnxbench" --only loading --repeats "$repeats" --image-folder "$images" --json "$work/rnx-loading.json" \
            && runs+=("$work/rnx-loading.json")
        "$python" Benchmarks/torch_bench.py --only loading --repeats "$repeats" --threads "$threads" --image-folder "$images" \
            --json "$work/torch-loading.json" && runs+=("$work/torch-loading.json")
    else
        notes+=("loading not measured: the JPEG files are written with .venv-bench's Pillow")
    fi
fi

# Each repeat is a whole training run (about a minute on 2 cores): the median of 3.
if has time-to-accuracy; then
    echo "bench: rnx time-to-accuracy (3 training runs)" >&2
    "$rnxbench" --only time-to-accuracy --repeats 3 --json "$work/rnx-time-to-accuracy.json" && runs+=("$work/rnx-time-to-accuracy.json")
    if [ -n "$python" ]; then
        run_torch time-to-accuracy time-to-accuracy 3
    fi
fi

# Data parallel: one thread per rank, so 2 ranks use the 2 cores one thread each would; the mpirun flags are
# those `rnx run --np` uses (MPILauncher).
if has distributed; then
    if command -v mpirun >/dev/null; then
        echo "bench: rnx distributed (1 and 2 ranks, 1 thread each)" >&2
        root=""; [ "$(id -u)" = 0 ] && root="--allow-run-as-root"
        export OMPI_MCA_btl_vader_single_copy_mechanism="${OMPI_MCA_btl_vader_single_copy_mechanism:-none}"
        RNX_THREADS=1 OMP_NUM_THREADS=1 "$rnxbench" --only distributed --repeats "$repeats" --json "$work/rnx-dp1.json" \
            && runs+=("$work/rnx-dp1.json")
        RNX_THREADS=1 OMP_NUM_THREADS=1 OMP_WAIT_POLICY=passive mpirun -np 2 --oversubscribe --bind-to none $root \
            "$rnxbench" --only distributed,allreduce --repeats "$repeats" --json "$work/rnx-dp2.json" && runs+=("$work/rnx-dp2.json")
    else
        notes+=("distributed not measured: mpirun not found (apt-get install openmpi-bin libopenmpi-dev)")
    fi
fi

startup=""
if has startup; then
    rnx="$(swift build $swift_flags --show-bin-path)/rnx"
    if [ -x "$rnx" ] && command -v hyperfine >/dev/null; then
        : > "$work/empty.rnx"
        cmds=("$rnx --version" "$rnx run $work/empty.rnx")
        [ -n "$python" ] && cmds+=("$python -c 'import torch'")
        hyperfine -N --warmup 3 --runs 20 --export-json "$work/startup.json" "${cmds[@]}" >&2 && startup="--startup=$work/startup.json"
    elif [ -x "$rnx" ]; then
        # No hyperfine: time 20 starts in a loop; reported as a note.
        start=$(date +%s%N); for _ in $(seq 20); do "$rnx" --version >/dev/null; done; end=$(date +%s%N)
        notes+=("rnx start-up: $(( (end - start) / 20000000 )) ms average of 20 (no hyperfine)")
    else
        notes+=("rnx start-up not measured: $rnx not built (make build)")
    fi
fi

if [ ${#runs[@]} -eq 0 ]; then
    echo "bench: nothing was measured" >&2
    exit 1
fi
note_args=()
for n in "${notes[@]}"; do note_args+=("--note=$n"); done
python3 Benchmarks/report.py --out "$out" $peak $startup "${note_args[@]}" "${runs[@]}"
