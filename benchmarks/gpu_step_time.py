"""Where a nanogan DCGAN training step on CuPy spends its time: Python launching kernels, or the GPU.

    python benchmarks/gpu_step_time.py                        # 64x64, batch 128
    python benchmarks/gpu_step_time.py --batch-size 64 --json out.json
    python benchmarks/gpu_step_time.py --cprofile             # and where the host time goes

Three figures per step, medians over `--iters` steps:

    host    the time train_step takes to return: Python and CuPy queueing
            every kernel of the step (the GPU runs them asynchronously)
    gpu     the GPU's own time for the step's kernels: the step is queued
            behind a kernel that keeps the GPU busy for longer than the
            queueing takes, so the GPU then runs the step's kernels back to
            back; the time from the end of that kernel to the end of the
            step is the GPU's alone
    wall    a step from start to the GPU finishing it, as in training

Wall is about the larger of host and gpu: whichever is larger is what to
make faster. Needs CuPy and an NVIDIA GPU.
"""

import argparse
import json
import os
import statistics
import sys
import time

SPIN_SOURCE = r"""
extern "C" __global__ void spin(long long cycles) {  // one thread that waits `cycles` GPU clock cycles
    const long long start = clock64();
    while (clock64() - start < cycles) {}
}
"""


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--image-size", type=int, default=64, help="16, 32, 64, ... (default 64)")
    parser.add_argument("--batch-size", type=int, default=128, help="images per batch (default 128)")
    parser.add_argument("--iters", type=int, default=10, help="steps measured for each figure (default 10)")
    parser.add_argument("--json", metavar="OUT", help="also write the results to this JSON file")
    parser.add_argument("--cprofile", action="store_true",
                        help="also print where the host time goes: cProfile of --iters steps, by own time")
    return parser.parse_args(argv)


def measure(args):
    import cupy
    import dcgan_workload as workload
    from nanogan.training import train_step

    trainer = workload.NanoganTrainer(args.image_size, args.batch_size, seed=0, backend="cupy")
    for index in range(3):  # compiles every kernel
        trainer.step(index)

    def step(index):
        real, z = trainer.batches[index % len(trainer.batches)]
        train_step(trainer.generator, trainer.discriminator, trainer.g_optimizer, trainer.d_optimizer,
                   trainer.criterion, real, z)

    device = cupy.cuda.Device()
    host, wall = [], []
    for index in range(args.iters):
        device.synchronize()
        start = time.perf_counter()
        step(index)
        host.append(time.perf_counter() - start)
        device.synchronize()
        wall.append(time.perf_counter() - start)

    spin = cupy.RawKernel(SPIN_SOURCE, "spin")
    clock_rate_hz = cupy.cuda.runtime.getDeviceProperties(device.id)["clockRate"] * 1e3
    cycles = int(4 * max(host) * clock_rate_hz)  # four times the longest queueing seen
    gpu = []
    for index in range(args.iters):
        spin_start, spin_done, step_done = cupy.cuda.Event(), cupy.cuda.Event(), cupy.cuda.Event()
        device.synchronize()
        spin_start.record()
        spin((1,), (1,), (cupy.int64(cycles),))
        spin_done.record()
        start = time.perf_counter()
        step(index)
        queued = time.perf_counter() - start
        step_done.record()
        step_done.synchronize()
        spun = cupy.cuda.get_elapsed_time(spin_start, spin_done) / 1e3
        if queued >= spun:  # the GPU may have waited for kernels: the figure would include that wait
            raise RuntimeError(f"queueing the step took {queued * 1e3:.1f} ms, longer than the "
                               f"{spun * 1e3:.1f} ms spin kernel; run again on a quieter machine")
        gpu.append(cupy.cuda.get_elapsed_time(spin_done, step_done) / 1e3)
    if args.cprofile:
        profile_host(step, args.iters, device)
    return {"image_size": args.image_size, "batch_size": args.batch_size, "iters": args.iters,
            "host_ms": 1e3 * statistics.median(host), "gpu_ms": 1e3 * statistics.median(gpu),
            "wall_ms": 1e3 * statistics.median(wall)}


def profile_host(step, iters, device):
    """Print the functions that take the host time of `iters` steps (CuPy's kernel calls are
    counted in the Python functions that make them)."""
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    device.synchronize()
    profiler.runcall(lambda: [step(index) for index in range(iters)])
    device.synchronize()
    pstats.Stats(profiler).sort_stats("tottime").print_stats(25)


def main(argv=None):
    args = parse_args(argv)
    from nanogan.backend import BackendUnavailableError, get_backend

    try:
        get_backend("cupy")
    except BackendUnavailableError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # dcgan_workload beside this file
    result = measure(args)
    print(f"DCGAN training step on CuPy, {args.image_size}x{args.image_size}, batch {args.batch_size}: "
          f"host {result['host_ms']:.1f} ms, gpu {result['gpu_ms']:.1f} ms, wall {result['wall_ms']:.1f} ms "
          f"(medians of {args.iters})")
    if args.json:
        with open(args.json, "w") as out:
            json.dump(result, out, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
