"""What nanogan's own kernel threads buy: one DCGAN training iteration with the copies and
elementwise passes on one thread against the same on several, in one process.

    python benchmarks/bench_threads.py                                   # 64x64, batch 64, 2 threads
    python benchmarks/bench_threads.py --image-size 32 --batch-size 128 --rounds 16

BLAS runs on `--threads` threads throughout; only nanogan.set_num_threads
changes, from 1 to `--threads`, iteration by iteration (A B A B ...), so that
each pair sees nearly the same machine; the speed-up is the median of the
per-pair ratios. `--gap` idles that many seconds before each timed iteration
(0 by default, as in a training loop; docs/performance.md shows why it matters).
"""

import argparse
import statistics
import sys
import time

import bench_dcgan


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--image-size", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=10, help="timed pairs (default 10)")
    parser.add_argument("--threads", type=int, default=2, help="BLAS threads, and nanogan's in the B runs")
    parser.add_argument("--gap", type=float, default=0.0, help="idle seconds before each timed iteration")
    args = parser.parse_args(argv)
    if args.rounds < 1 or args.threads < 2 or args.gap < 0:
        parser.error("--rounds must be >= 1, --threads >= 2 (1 is what it compares with), --gap >= 0")
    bench_dcgan.limit_threads(args.threads)  # before numpy's first import
    import dcgan_workload as workload
    import nanogan

    trainer = workload.NanoganTrainer(args.image_size, args.batch_size, seed=0, backend="numpy")
    for index in range(2):  # warm-up: scratch buffers, thread pool
        trainer.step(index)
    times = {1: [], args.threads: []}
    for index in range(args.rounds):
        for count in times:
            nanogan.set_num_threads(count)
            if args.gap:
                time.sleep(args.gap)
            start = time.perf_counter()
            trainer.step(index)
            times[count].append(time.perf_counter() - start)
    one, many = times[1], times[args.threads]
    ratios = [a / b for a, b in zip(one, many)]
    print(f"DCGAN iteration, {args.image_size}x{args.image_size}, batch {args.batch_size}, "
          f"BLAS on {args.threads} threads, {args.rounds} pairs, gap {args.gap} s")
    print(f"nanogan threads 1: {statistics.median(one) * 1000:.1f} ms; "
          f"{args.threads}: {statistics.median(many) * 1000:.1f} ms")
    print(f"speed-up per pair: median {statistics.median(ratios):.2f}x (min {min(ratios):.2f}, max {max(ratios):.2f})")


if __name__ == "__main__":
    sys.exit(main())
