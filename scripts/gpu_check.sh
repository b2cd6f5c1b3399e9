#!/usr/bin/env bash
# One-command check of nanogan's CuPy backend on an NVIDIA GPU, in under 5 minutes (issue 6).
#
#   scripts/gpu_check.sh [RESULTS_DIR]          # default RESULTS_DIR: results/gpu_check
#
# Needs an NVIDIA GPU and CuPy (pip install "nanogan[cuda12]" or "nanogan[cuda13]"), plus the
# test extras (pip install -e ".[test]"). Stages, in this order:
#   environment  GPU, CUDA, CuPy and PyTorch versions; without CuPy or a GPU it stops here (exit 2)
#   smoke        a narrow 64x64 DCGAN trains 3 steps on the GPU: every kernel compiles (gpu_smoke.py)
#   parity       tests/test_backend_parity.py and tests/test_cuda_kernels.py: DCGAN training and each CUDA
#                kernel on CuPy against the NumPy reference
#   benchmark    benchmarks/bench_dcgan.py --backend cupy, 64x64, batch 128 (when that file exists),
#                in exact float32 and again with --tf32 (benchmark_tf32), against PyTorch+cuDNN if present
#   profile      the same iteration per layer and pass (bench_dcgan.py --profile), GPU-synchronised
#   step_time    benchmarks/gpu_step_time.py: a step's host (Python, queueing) time against its GPU time
#   training     examples/celeba_dcgan.py --backend cupy on synthetic faces, 64x64, batch 128: the whole
#                loop (data, logging, samples, checkpoint) and its images per second
#   suite        the whole test suite (on pytest-xdist workers where installed); every
#                backend-parametrized test runs on cupy as well
# Everything is merged into RESULTS_DIR/gpu_check.json, with each stage's log beside it. Each
# stage has a time limit within a 280 s budget. A failed stage does not stop the later ones (GPU
# time is scarce, so one run should show everything), but the script then ends with a FAILED
# line naming them and exit status 1.
set -uo pipefail
if [[ ${1:-} == -h || ${1:-} == --help ]]; then
    sed -n '2,/^set /p' "$0" | sed '$d; s/^# \{0,1\}//'
    exit 0
fi
if [[ $# -gt 0 ]]; then
    mkdir -p "$1" && RESULTS_DIR=$(cd "$1" && pwd) || exit 2
fi
cd "$(dirname "$0")/.." || exit 2
RESULTS_DIR=${RESULTS_DIR:-$PWD/results/gpu_check}
BUDGET_SECONDS=280  # the whole check; the slowest stage may overrun its limit by 10 s before it is killed
PYTHON=${PYTHON:-python}
export NANOGAN_REQUIRE_GPU=1  # tests/conftest.py: a cupy test fails, instead of skipping, if CuPy cannot run
export CUPY_TF32=0  # exact float32 GEMMs, which the parity tolerances assume (the benchmark reports its own)
GPU_CHECK_GIT_COMMIT=$(git rev-parse HEAD 2>/dev/null || echo unknown)
if [[ -n $(GIT_OPTIONAL_LOCKS=0 git status --porcelain 2>/dev/null) ]]; then  # read-only: no index refresh
    GPU_CHECK_GIT_COMMIT+=" (the working tree differs from it)"
fi
export GPU_CHECK_GIT_COMMIT

mkdir -p "$RESULTS_DIR"
for file in stages.tsv gpu_check.json environment.json smoke.json bench_dcgan.json bench_dcgan_tf32.json parity.xml \
            profile.json step_time.json suite.xml environment.log smoke.log parity.log benchmark.log \
            benchmark_tf32.log profile.log step_time.log training.log suite.log; do
    rm -f "${RESULTS_DIR:?}/$file"
done
rm -rf "${RESULTS_DIR:?}/training_run"
: >"$RESULTS_DIR/stages.tsv"

# stage NAME LIMIT COMMAND...: run COMMAND for at most LIMIT seconds (fewer if the budget is nearly
# spent), show and log its output, and add its exit status to stages.tsv.
stage() {
    local name=$1 limit=$2
    shift 2
    local left=$((BUDGET_SECONDS - SECONDS))
    ((limit > left)) && limit=$left
    if ((limit < 10)); then
        echo "== $name: skipped, the ${BUDGET_SECONDS} s budget is spent" | tee "$RESULTS_DIR/$name.log" >&2
        printf '%s\tskipped\t0\t%s.log\n' "$name" "$name" >>"$RESULTS_DIR/stages.tsv"
        return
    fi
    echo "== $name (at most $limit s): $*"
    local start=$SECONDS
    timeout --kill-after=10 "$limit" "$@" 2>&1 | tee "$RESULTS_DIR/$name.log"
    local exit_code=${PIPESTATUS[0]}
    printf '%s\t%s\t%s\t%s.log\n' "$name" "$exit_code" "$((SECONDS - start))" "$name" >>"$RESULTS_DIR/stages.tsv"
    ((exit_code == 0)) || echo "== $name FAILED (exit status $exit_code): see $RESULTS_DIR/$name.log" >&2
}

summarize() {
    "$PYTHON" scripts/gpu_check_summary.py "$RESULTS_DIR" || echo "gpu_check: could not write the summary" >&2
    echo "results: $RESULTS_DIR/gpu_check.json"
}

stage environment 60 "$PYTHON" - "$RESULTS_DIR/environment.json" <<'PY'
import json, os, platform, sys

try:
    import cupy
except ImportError as error:
    sys.exit(f"gpu_check: CuPy is not installed ({error}). This check needs an NVIDIA GPU and CuPy: "
             f'pip install "nanogan[cuda12]" (CUDA 12) or pip install "nanogan[cuda13]" (CUDA 13).')
try:
    gpu_count = cupy.cuda.runtime.getDeviceCount()
except Exception as error:  # CUDA raises its own types; all mean "no usable GPU here"
    sys.exit(f"gpu_check: CuPy cannot reach an NVIDIA GPU ({error}); run this check on a machine with one.")
if gpu_count == 0:
    sys.exit("gpu_check: CuPy finds no NVIDIA GPU; run this check on a machine with one.")
import numpy

device = cupy.cuda.runtime.getDeviceProperties(0)
environment = {
    "gpu": device["name"].decode(), "gpu_count": gpu_count,
    "gpu_memory_gib": round(device["totalGlobalMem"] / 2**30, 1),
    "compute_capability": f"{device['major']}.{device['minor']}",
    "cuda_runtime": cupy.cuda.runtime.runtimeGetVersion(), "cuda_driver": cupy.cuda.runtime.driverGetVersion(),
    "cupy": cupy.__version__, "numpy": numpy.__version__, "python": platform.python_version(),
    "CUPY_TF32": os.environ.get("CUPY_TF32"),
    "git_commit": os.environ.get("GPU_CHECK_GIT_COMMIT", "unknown"),
}
try:
    import torch

    environment["torch"] = torch.__version__
    environment["torch_cuda"] = torch.cuda.is_available()
    environment["cudnn"] = torch.backends.cudnn.version() if torch.cuda.is_available() else None
except ImportError:
    environment["torch"] = None  # the benchmark then times nanogan alone
with open(sys.argv[1], "w") as file:
    json.dump(environment, file, indent=2)
print(json.dumps(environment, indent=2))
PY
if [[ $(tail -n 1 "$RESULTS_DIR/stages.tsv" | cut -f 2) != 0 ]]; then
    summarize
    echo "GPU CHECK NOT RUN: no usable CuPy or GPU on this machine (see above)" >&2
    exit 2
fi

stage smoke 90 "$PYTHON" scripts/gpu_smoke.py --json "$RESULTS_DIR/smoke.json"
stage parity 60 "$PYTHON" -m pytest -q -p no:cacheprovider tests/test_backend_parity.py tests/test_cuda_kernels.py \
    --junitxml="$RESULTS_DIR/parity.xml"
if [[ -f benchmarks/bench_dcgan.py ]]; then
    stage benchmark 75 "$PYTHON" benchmarks/bench_dcgan.py --backend cupy --image-size 64 --batch-size 128 \
        --iters 20 --warmup 3 --json "$RESULTS_DIR/bench_dcgan.json"
    stage benchmark_tf32 60 "$PYTHON" benchmarks/bench_dcgan.py --backend cupy --tf32 --image-size 64 \
        --batch-size 128 --iters 20 --warmup 3 --json "$RESULTS_DIR/bench_dcgan_tf32.json"
    stage profile 45 "$PYTHON" benchmarks/bench_dcgan.py --backend cupy --profile --image-size 64 --batch-size 128 \
        --iters 5 --warmup 2 --json "$RESULTS_DIR/profile.json"
    stage step_time 30 "$PYTHON" benchmarks/gpu_step_time.py --image-size 64 --batch-size 128 \
        --json "$RESULTS_DIR/step_time.json"
else
    echo "== benchmark: benchmarks/bench_dcgan.py is missing, not run"
    printf 'benchmark\tabsent\t0\tbenchmark.log\n' >>"$RESULTS_DIR/stages.tsv"
fi
stage training 60 "$PYTHON" examples/celeba_dcgan.py --backend cupy --data synthetic \
    --image-size 64 --batch-size 128 --max-steps 300 --log-every 100 --sample-every 300 --checkpoint-every 300 \
    --no-progress --out "$RESULTS_DIR/training_run"
workers=()
"$PYTHON" -c "import xdist" 2>/dev/null && workers=(-n 8)  # the GPU machine's cores; the GPU is shared
stage suite 200 "$PYTHON" -m pytest -q -p no:cacheprovider "${workers[@]}" --durations=15 \
    --junitxml="$RESULTS_DIR/suite.xml"

summarize
failed=$(awk -F '\t' '$2 != "0" && $2 != "absent" { print $1 }' "$RESULTS_DIR/stages.tsv" | paste -sd ' ' -)
if [[ -n $failed ]]; then
    echo "GPU CHECK FAILED: $failed (logs in $RESULTS_DIR)" >&2
    exit 1
fi
echo "GPU check passed in $SECONDS s"
