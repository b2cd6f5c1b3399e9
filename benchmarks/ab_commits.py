"""Time nanogan's DCGAN training iteration at two commits, side by side in one run.

    python benchmarks/ab_commits.py --old HEAD~3                       # HEAD~3 against the working tree
    python benchmarks/ab_commits.py --old v1 --new v2 --image-size 32 --batch-size 128
    python benchmarks/ab_commits.py --old HEAD --backend cupy --batch-size 128

The old commit (and the new one, if given) is checked out in a temporary git
worktree. Each side runs in its own child process with that tree first on
its path, so each imports its own nanogan, and the two take turns, one timed
iteration each (A B A B ...), as benchmarks/bench_dcgan.py times nanogan
against PyTorch: on a shared machine whose speed drifts, the two iterations
of a pair see nearly the same machine, so the per-pair ratio is what to
trust. Both sides build the same DCGAN from the same seed (the public API:
nanogan.models, nanogan.optim, nanogan.training.train_step) and train on the
same batches; their first-step losses are printed side by side as a check.
"""

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SETTLE_SECONDS = 0.05  # both children idle between turns, so that spinning BLAS threads do not steal the next turn


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--old", default="HEAD", help="the commit to compare against (default HEAD)")
    parser.add_argument("--new", help="the commit to compare (default: the working tree, uncommitted changes too)")
    parser.add_argument("--image-size", type=int, default=64, help="16, 32, 64, ... (default 64)")
    parser.add_argument("--batch-size", type=int, default=64, help="images per batch (default 64)")
    parser.add_argument("--iters", type=int, default=10, help="timed iterations per side (default 10)")
    parser.add_argument("--warmup", type=int, default=2, help="untimed iterations first (default 2)")
    parser.add_argument("--lead-in", type=int, default=1, help="untimed iterations at the start of each turn")
    parser.add_argument("--threads", type=int, default=2, help="BLAS threads (default 2)")
    parser.add_argument("--backend", default="numpy", help="numpy or cupy (default numpy)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the initial weights and batches")
    parser.add_argument("--json", metavar="OUT", help="also write the results to this JSON file")
    parser.add_argument("--worker", metavar="TREE", help=argparse.SUPPRESS)  # internal: run one side
    args = parser.parse_args(argv)
    if args.iters < 1 or args.batch_size < 2 or args.threads < 1 or args.warmup < 0 or args.lead_in < 0:
        parser.error("--iters and --threads must be >= 1, --batch-size >= 2, --warmup and --lead-in >= 0")
    return args


# -- one side, in its own process -----------------------------------------------------------------


def worker(args):
    """Build the DCGAN with the nanogan of args.worker; then for each index read from stdin, run the
    lead-in iterations and one timed iteration and print its seconds; at "stop", print a JSON summary."""
    sys.path[:0] = [args.worker, HERE]  # this side's nanogan, and dcgan_workload beside this file
    import dcgan_workload as workload
    import nanogan

    trainer = workload.NanoganTrainer(args.image_size, args.batch_size, args.seed, args.backend)
    first_losses = None
    print("ready", flush=True)
    for line in sys.stdin:
        if line.strip() == "stop":
            break
        index = int(line)
        for _ in range(args.lead_in):
            metrics = trainer.step(index)
            first_losses = first_losses or [metrics.to_host()["loss_d"], metrics.to_host()["loss_g"]]
        start = time.perf_counter()
        metrics = trainer.step(index)
        elapsed = time.perf_counter() - start
        first_losses = first_losses or [metrics.to_host()["loss_d"], metrics.to_host()["loss_g"]]
        print(elapsed, flush=True)
    print(json.dumps({"peak_rss_mb": peak_rss_mb(), "first_losses": first_losses,
                      "nanogan": os.path.dirname(os.path.abspath(nanogan.__file__))}), flush=True)


def peak_rss_mb():
    """This process's peak resident memory (VmHWM of /proc/self/status), in MiB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("/proc/self/status has no VmHWM")


# -- the interleaved run --------------------------------------------------------------------------


@contextlib.contextmanager
def checkout(revision):
    """A temporary worktree of `revision` (None: the repository as it is), removed afterwards."""
    if revision is None:
        yield ROOT
        return
    folder = tempfile.mkdtemp(prefix="nanogan-ab-")
    subprocess.run(["git", "-C", ROOT, "worktree", "add", "--detach", "--quiet", folder, revision], check=True)
    try:
        yield folder
    finally:
        subprocess.run(["git", "-C", ROOT, "worktree", "remove", "--force", folder], check=True)


class Side:
    """One child process running `worker` on a tree."""

    def __init__(self, name, tree, args):
        self.name, self.times = name, []
        options = [f"--{key.replace('_', '-')}={value}" for key, value in vars(args).items()
                   if key in ("image_size", "batch_size", "lead_in", "backend", "seed")]
        self.process = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--worker", tree, *options],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.expect("ready")

    def expect(self, what):
        line = self.process.stdout.readline()
        if not line:
            sys.exit(f"error: the {self.name} worker exited with code {self.process.wait()} before it answered; "
                     "its traceback is printed above")
        if what and line.strip() != what:
            sys.exit(f"error: the {self.name} worker said {line.strip()!r}, expected {what!r}")
        return line

    def run(self, index):
        self.process.stdin.write(f"{index}\n")
        self.process.stdin.flush()
        return float(self.expect(None))

    def stop(self):
        self.process.stdin.write("stop\n")
        self.process.stdin.flush()
        summary = json.loads(self.expect(None))
        self.process.wait()
        return summary


def compare(args):
    with checkout(args.old) as old_tree, checkout(args.new) as new_tree:
        sides = [Side("old", old_tree, args), Side("new", new_tree, args)]
        for index in range(args.warmup + args.iters):
            for side in sides:  # A B A B: one iteration each, in turn
                time.sleep(SETTLE_SECONDS)
                elapsed = side.run(index)
                if index >= args.warmup:
                    side.times.append(elapsed)
        summaries = {side.name: side.stop() for side in sides}
    old, new = (side.times for side in sides)
    ratios = [old_time / new_time for old_time, new_time in zip(old, new)]  # > 1: new is faster
    return {"config": {key: value for key, value in vars(args).items() if key != "worker"},
            "sides": {side.name: {**summaries[side.name], "seconds_per_iter": side.times,
                                  "images_per_second": args.batch_size / statistics.median(side.times)}
                      for side in sides},
            "speed_ratio": {"median": statistics.median(ratios), "min": min(ratios), "max": max(ratios),
                            "per_pair": ratios}}


def report(results):
    config = results["config"]
    print(f"DCGAN training iteration, {config['image_size']}x{config['image_size']}, batch {config['batch_size']}, "
          f"backend {config['backend']}, {config['threads']} BLAS threads, {config['iters']} timed pairs; "
          f"old {config['old']}, new {config['new'] or 'the working tree'}")
    for name, side in results["sides"].items():
        losses = ", ".join(f"{loss:.6f}" for loss in side["first_losses"])
        print(f"{name:4} {side['images_per_second']:8.1f} images/s (median)   peak RSS {side['peak_rss_mb']:6.0f} MB   "
              f"first-step losses (D, G) {losses}")
    ratio = results["speed_ratio"]
    print(f"speed new/old per pair: median {ratio['median']:.3f}x (min {ratio['min']:.3f}, max {ratio['max']:.3f})")


def main(argv=None):
    args = parse_args(argv)
    if args.worker:
        worker(args)
        return
    import bench_dcgan  # beside this file
    from nanogan.files import write_json

    bench_dcgan.limit_threads(args.threads)  # inherited by both workers, as bench_dcgan.py sets them
    results = compare(args)
    if args.json:
        write_json(args.json, results)
    report(results)


if __name__ == "__main__":
    main()
