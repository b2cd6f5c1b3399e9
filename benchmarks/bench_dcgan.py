"""Time one DCGAN training iteration in nanogan and, where it is installed, in PyTorch.

    python benchmarks/bench_dcgan.py                                  # 64x64, batch 64, 2 threads
    python benchmarks/bench_dcgan.py --image-size 32 --batch-size 128 --iters 20
    python benchmarks/bench_dcgan.py --profile                        # nanogan per layer and pass
    python benchmarks/bench_dcgan.py --json result.json

Method (docs/performance.md says more). Each framework runs in its own child
process, so each one's peak memory is its own and neither imports the other.
The parent makes them take turns, one timed iteration each (A B A B ...),
after `--warmup` untimed iterations: on a shared machine whose speed drifts,
the two iterations of a pair see nearly the same machine, so the per-pair
ratio is what to trust. Each turn starts with `--lead-in` untimed iterations
(default 1), so that the timed one follows another as in a training loop,
not a pause in which the other framework ran and the cores went idle. Both start from nanogan's initial weights and train on the
same batches, and their first-step losses are printed side by side as a check.

PyTorch is optional (pip install torch, the CPU build): without it only
nanogan is timed.
"""

import argparse
import datetime
import importlib.metadata
import importlib.util
import multiprocessing
import os
import platform
import statistics
import sys
import time

from nanogan.blas import use_short_blas_spin
from nanogan.files import write_json

THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
BLAS_CORE_VARIABLES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_THREAD_TIMEOUT")  # change OpenBLAS
# Seconds both children sit idle between turns: BLAS and OpenMP worker threads spin
# for a while after their last task, and must not steal the next turn's cores.
SETTLE_SECONDS = 0.05


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--image-size", type=int, default=64, help="16, 32, 64, ... (default 64)")
    parser.add_argument("--batch-size", type=int, default=64, help="images per batch (default 64)")
    parser.add_argument("--iters", type=int, default=10, help="timed iterations per framework (default 10)")
    parser.add_argument("--warmup", type=int, default=2, help="untimed iterations first (default 2)")
    parser.add_argument("--lead-in", type=int, default=1,
                        help="untimed iterations at the start of each turn, before the timed one (default 1)")
    parser.add_argument("--threads", type=int, default=2, help="BLAS and PyTorch threads (default 2)")
    parser.add_argument("--backend", default="numpy", help="nanogan backend: numpy or cupy (default numpy)")
    parser.add_argument("--tf32", action="store_true",
                        help="with --backend cupy: TF32 matrix products (default: exact float32)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the initial weights and batches")
    parser.add_argument("--no-torch", action="store_true", help="time nanogan only")
    parser.add_argument("--torch-loop", choices=["train_step", "tutorial"], default="train_step",
                        help="train_step: PyTorch freezes D in the G step as nanogan does (default); "
                             "tutorial: the PyTorch tutorial's loop, which does not")
    parser.add_argument("--profile", action="store_true", help="nanogan per layer and pass instead")
    parser.add_argument("--json", metavar="OUT", help="also write the results to this JSON file")
    args = parser.parse_args(argv)
    if args.iters < 1 or args.batch_size < 2 or args.threads < 1 or args.warmup < 0 or args.lead_in < 0:
        parser.error("--iters and --threads must be >= 1, --batch-size >= 2, --warmup and --lead-in >= 0")
    if args.tf32 and args.backend != "cupy":
        parser.error("--tf32 applies to --backend cupy only")
    return args


def limit_threads(threads):
    """Set the BLAS thread count, and OpenBLAS's short idle spin as nanogan's programs ask for it
    (nanogan/blas.py); both only take effect before numpy is first imported."""
    if "numpy" in sys.modules:
        raise RuntimeError("limit_threads must run before numpy is imported")
    for name in THREAD_VARIABLES:
        os.environ[name] = str(threads)
    use_short_blas_spin()


def blas_info():
    """Which BLAS library and kernel (architecture) numpy runs, and with how many threads."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "threadpoolctl not installed"
    return [{key: pool.get(key) for key in ("internal_api", "version", "architecture", "num_threads")}
            for pool in threadpool_info() if pool.get("user_api") == "blas"]


def _status_mb(field):
    """A memory figure of this process from /proc/self/status (Linux), in MiB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024  # reported in KiB
    raise RuntimeError(f"/proc/self/status has no {field}")


def peak_rss_mb():
    """This process's peak resident memory so far: VmHWM, the high-water mark of its own
    address space (getrusage's ru_maxrss would also count the parent's memory at fork)."""
    return _status_mb("VmHWM")


def current_rss_mb():
    return _status_mb("VmRSS")


# -- the child processes ---------------------------------------------------------------------------


def worker(connection, framework, args, models=None):
    """Build one framework's trainer and report ready; then, for each iteration index received,
    run that iteration and send back its time; at "stop", send the memory figures and losses."""
    import dcgan_workload as workload

    if framework == "torch":
        import torch

        torch.set_num_threads(args.threads)
        if args.backend == "cupy":  # PyTorch with cuDNN on the same GPU, TF32 as asked (cuDNN's default is on)
            torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = args.tf32
            torch.backends.cudnn.benchmark = True
        trainer = workload.TorchTrainer(args.image_size, args.batch_size, args.seed, models, args.torch_loop,
                                        device="cuda" if args.backend == "cupy" else "cpu")
    else:
        from nanogan.backend import to_numpy

        trainer = workload.NanoganTrainer(args.image_size, args.batch_size, args.seed, args.backend)
        models = {name: (workload.layer_specs(model),
                         {key: to_numpy(value) for key, value in model.state_dict().items()})
                  for name, model in [("G", trainer.generator), ("D", trainer.discriminator)]}
    baseline_mb = current_rss_mb()
    connection.send({"models": models, "blas": blas_info()})
    first_losses = None
    for index in iter(connection.recv, "stop"):
        for _ in range(args.lead_in):  # untimed, so that the timed iteration follows another, as in training
            result = trainer.step(index)
            first_losses = first_losses or _losses(framework, result)
        start = time.perf_counter()
        result = trainer.step(index)
        elapsed = time.perf_counter() - start
        first_losses = first_losses or _losses(framework, result)
        connection.send(elapsed)
    connection.send({"baseline_rss_mb": baseline_mb, "peak_rss_mb": peak_rss_mb(), "first_losses": first_losses,
                     "gpu_reserved_mb": gpu_reserved_mb(framework, args.backend)})


def gpu_reserved_mb(framework, backend):
    """GPU memory the framework's allocator holds at the end: its peak, since neither pool gives
    memory back by itself (CuPy's default pool; PyTorch's max_memory_reserved). None on the CPU."""
    if backend != "cupy":
        return None
    if framework == "torch":
        import torch

        return torch.cuda.max_memory_reserved() / 2**20
    import cupy

    return cupy.get_default_memory_pool().total_bytes() / 2**20


def _losses(framework, result):
    if framework == "torch":
        return [result[0].item(), result[1].item()]
    metrics = result.to_host()
    return [metrics["loss_d"], metrics["loss_g"]]


def start_worker(framework, args, models=None, target=worker):
    """A child process running `target` (default: `worker`); returns (process, connection, its "ready" message)."""
    context = multiprocessing.get_context("spawn")  # a fresh interpreter: no memory shared with the parent
    parent_end, child_end = context.Pipe()
    process = context.Process(target=target, args=(child_end, framework, args, models), daemon=True)
    process.start()
    child_end.close()  # the child holds its end now: if it dies, recv() ends with EOFError instead of waiting
    return process, parent_end, receive(process, parent_end, framework)


def receive(process, connection, framework):
    """The worker's next message; a worker that died (an import error, out of memory) stops the run."""
    try:
        return connection.recv()
    except EOFError:
        process.join()
        sys.exit(f"error: the {framework} benchmark worker exited with code {process.exitcode} "
                 "before it answered; its traceback is printed above")


# -- the interleaved run ---------------------------------------------------------------------------


def compare(args):
    import dcgan_workload as workload

    frameworks = {"nanogan": start_worker("nanogan", args)}
    torch_note = None
    if not args.no_torch:
        if importlib.util.find_spec("torch") is None:  # looked up, not imported: the parent stays small
            torch_note = "PyTorch is not installed (pip install torch): timing nanogan only"
        else:
            frameworks["torch"] = start_worker("torch", args, frameworks["nanogan"][2]["models"])
    if torch_note:
        print(torch_note)

    times, finals = take_turns(frameworks, args.warmup, args.iters)

    flops = workload.iteration_flops(args.image_size)
    results = {"config": vars(args), "environment": environment(frameworks),
               "flops_per_image": flops,
               "flops_per_image_tutorial_loop": workload.iteration_flops(args.image_size, tutorial=True),
               "frameworks": {}, "torch_note": torch_note}
    for name, elapsed in times.items():
        median = statistics.median(elapsed)
        final = finals[name]
        results["frameworks"][name] = {
            "seconds_per_iter": elapsed, "median_seconds_per_iter": median,
            "images_per_second": args.batch_size / median, "gflops": flops * args.batch_size / median / 1e9,
            "baseline_rss_mb": final["baseline_rss_mb"], "peak_rss_mb": final["peak_rss_mb"],
            "training_rss_mb": final["peak_rss_mb"] - final["baseline_rss_mb"],
            "gpu_reserved_mb": final["gpu_reserved_mb"],
            "first_step_losses": final["first_losses"],
        }
    if "torch" in times:
        results["speed_ratio"] = speed_ratio(times)
    return results


def take_turns(frameworks, warmup, iters):
    """Send the workers step indices in turn, one each (A B A B ...), `warmup` untimed rounds and then `iters`
    timed ones, then "stop". Returns the timed seconds and each worker's last message, by framework."""
    times = {name: [] for name in frameworks}
    for index in range(warmup + iters):
        for name, (process, connection, _) in frameworks.items():
            time.sleep(SETTLE_SECONDS)
            connection.send(index)
            elapsed = receive(process, connection, name)
            if index >= warmup:
                times[name].append(elapsed)
    finals = {}
    for name, (process, connection, _) in frameworks.items():
        connection.send("stop")
        finals[name] = receive(process, connection, name)
        process.join()
    return times, finals


def speed_ratio(times):
    """nanogan's speed over PyTorch's in each pair: t_torch / t_nanogan (> 1: nanogan is faster)."""
    ratios = [torch_time / nanogan_time for nanogan_time, torch_time in zip(times["nanogan"], times["torch"])]
    return {"median": statistics.median(ratios), "min": min(ratios), "max": max(ratios), "per_pair": ratios}


def environment(frameworks):
    import numpy

    info = {"date": datetime.datetime.now().isoformat(timespec="seconds"), "python": platform.python_version(),
            "numpy": numpy.__version__, "cpu_count": os.cpu_count(), "machine": platform.machine(),
            "blas": frameworks["nanogan"][2]["blas"],
            "blas_core_variables": {name: os.environ.get(name) for name in BLAS_CORE_VARIABLES}}
    if "torch" in frameworks:
        info["torch"] = importlib.metadata.version("torch")
    return info


def report(results):
    config = results["config"]
    print(f"DCGAN training iteration, {config['image_size']}x{config['image_size']}, batch {config['batch_size']}, "
          f"backend {config['backend']}{' (TF32)' if config['tf32'] else ''}, {config['threads']} threads, "
          f"{config['iters']} timed iterations after {config['warmup']} warm-up")
    print(f"BLAS: {results['environment']['blas']}")
    print(f"{results['flops_per_image'] / 1e9:.3f} GFLOP per image (convolution GEMMs of train_step; the "
          f"tutorial's loop: {results['flops_per_image_tutorial_loop'] / 1e9:.3f})")
    print(f"{'':10}{'s/iter':>9}{'images/s':>10}{'GFLOP/s':>9}{'peak RSS MB':>13}{'training MB':>13}"
          f"   first-step losses (D, G)")
    for name, row in results["frameworks"].items():
        losses = ", ".join(f"{loss:.5f}" for loss in row["first_step_losses"])
        gpu = f"   GPU memory held {row['gpu_reserved_mb']:.0f} MB" if row["gpu_reserved_mb"] is not None else ""
        print(f"{name:10}{row['median_seconds_per_iter']:9.3f}{row['images_per_second']:10.1f}{row['gflops']:9.1f}"
              f"{row['peak_rss_mb']:13.0f}{row['training_rss_mb']:13.0f}   {losses}{gpu}")
    if "speed_ratio" in results:
        ratio = results["speed_ratio"]
        print(f"speed nanogan/PyTorch per pair: median {ratio['median']:.2f}x "
              f"(min {ratio['min']:.2f}, max {ratio['max']:.2f})")


def main(argv=None):
    args = parse_args(argv)
    limit_threads(args.threads)
    os.environ["CUPY_TF32"] = "1" if args.tf32 else "0"  # read by CuPy in the children, before their first GEMM
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # the helper modules beside this file
    if args.profile:
        import dcgan_profile

        results = dcgan_profile.profile(args)
        dcgan_profile.report(results)
    else:
        results = compare(args)
        report(results)
    if args.json:
        write_json(args.json, results)


if __name__ == "__main__":
    main()
