"""Run bench_dcgan.py over batch sizes and image sizes, one interleaved comparison each,
and print a Markdown table (the scaling table of docs/performance.md).

    python benchmarks/sweep_dcgan.py --image-sizes 32 64 --batch-sizes 16 32 64 128 256 --iters 5

Each cell is its own interleaved nanogan/PyTorch run; compare cells of one
column only loosely, since the machine may have changed between them.
"""

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # bench_dcgan and its helpers

import bench_dcgan  # noqa: E402  (needs the path above)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--image-sizes", type=int, nargs="+", default=[32, 64])
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[16, 32, 64, 128, 256])
    parser.add_argument("--iters", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--json", metavar="OUT", help="also write every run's results to this JSON file")
    sweep = parser.parse_args()
    bench_dcgan.limit_threads(sweep.threads)
    runs = []
    print("| image | batch | nanogan img/s | PyTorch img/s | speed ratio (min-max) | nanogan GFLOP/s "
          "| peak RSS MB nanogan / PyTorch | training MB nanogan / PyTorch |")
    print("|---|---|---|---|---|---|---|---|")
    for image_size in sweep.image_sizes:
        for batch_size in sweep.batch_sizes:
            args = bench_dcgan.parse_args(["--image-size", str(image_size), "--batch-size", str(batch_size),
                                           "--iters", str(sweep.iters), "--warmup", str(sweep.warmup),
                                           "--threads", str(sweep.threads)])
            results = bench_dcgan.compare(args)
            runs.append(results)
            nanogan, torch = results["frameworks"]["nanogan"], results["frameworks"].get("torch")
            if torch is None:
                print(f"| {image_size} | {batch_size} | {nanogan['images_per_second']:.1f} | - | - "
                      f"| {nanogan['gflops']:.0f} | {nanogan['peak_rss_mb']:.0f} / - "
                      f"| {nanogan['training_rss_mb']:.0f} / - |", flush=True)
                continue
            ratio = results["speed_ratio"]
            print(f"| {image_size} | {batch_size} | {nanogan['images_per_second']:.1f} "
                  f"| {torch['images_per_second']:.1f} "
                  f"| {ratio['median']:.2f} ({ratio['min']:.2f}-{ratio['max']:.2f}) | {nanogan['gflops']:.0f} "
                  f"| {nanogan['peak_rss_mb']:.0f} / {torch['peak_rss_mb']:.0f} "
                  f"| {nanogan['training_rss_mb']:.0f} / {torch['training_rss_mb']:.0f} |", flush=True)
    if sweep.json:
        with open(sweep.json, "w") as out:
            json.dump(runs, out, indent=2)


if __name__ == "__main__":
    main()
