"""Inception images/s: nanogan's FID Inception network against pytorch-fid's, same weights, same batches.

    python benchmarks/bench_inception.py                               # batch 32 of 64x64 images, 2 threads
    python benchmarks/bench_inception.py --image-size 299 --batch-size 50 --batches 6
    python benchmarks/bench_inception.py --json result.json

What is timed is feature extraction as FID does it: a stream of batches of images in [0, 1], each
resized to 299x299 inside the network and turned into (N, 2048) pool features, of which only the
features are kept. Each framework runs in a child process, as in bench_dcgan.py (whose helpers this
uses), and the two take turns, one batch each (A B A B ...), after --warmup untimed batches, so that
each pair of batches sees nearly the same machine: the per-pair ratio is the figure to trust. Both
networks have nanogan's random initial weights (pytorch-fid reads them as its weight file, through
tests/reference_networks.py) and their features of the first batch are compared as a check.

pytorch-fid is optional (pip install -e ".[reference]"): without it only nanogan is timed.
"""

import argparse
import importlib.util
import os
import statistics
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--image-size", type=int, default=64, help="side of the input images (default 64)")
    parser.add_argument("--batch-size", type=int, default=32, help="images per batch (default 32)")
    parser.add_argument("--batches", type=int, default=4, help="timed batches per framework (default 4)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed batches first (default 1)")
    parser.add_argument("--threads", type=int, default=2, help="BLAS and PyTorch threads (default 2)")
    parser.add_argument("--backend", default="numpy", help="nanogan backend: numpy or cupy (default numpy)")
    parser.add_argument("--no-torch", action="store_true", help="time nanogan only")
    parser.add_argument("--json", metavar="OUT", help="also write the results to this JSON file")
    args = parser.parse_args(argv)
    if min(args.image_size, args.batch_size, args.batches, args.threads) < 1 or args.warmup < 0:
        parser.error("--image-size, --batch-size, --batches and --threads must be >= 1, --warmup >= 0")
    return args


def batch(index, args):
    """Batch `index` of the stream: uniform images in [0, 1], the same for both frameworks."""
    import numpy as np

    rng = np.random.default_rng(index)
    return rng.uniform(0, 1, (args.batch_size, 3, args.image_size, args.image_size)).astype(np.float32)


def worker(connection, framework, args, state=None):
    """Build one framework's network and report ready; then for each batch index received, extract that batch's
    features and send the time; at "stop", send the memory figures and the first batch's features."""
    import bench_dcgan

    if framework == "torch":
        import torch

        sys.path.insert(0, os.path.join(ROOT, "tests"))
        import reference_networks

        torch.set_num_threads(args.threads)
        with tempfile.TemporaryDirectory() as hub:
            network = reference_networks.pytorch_fid_inception(state, hub, output_blocks=(3,)).eval()

        def features(images):
            with torch.no_grad():
                return network(torch.from_numpy(images))[0].reshape(len(images), -1).numpy()
    else:
        from nanogan.backend import to_backend, to_numpy
        from nanogan.models import FIDInceptionV3

        network = FIDInceptionV3().to(args.backend).eval()
        state = {name: to_numpy(value) for name, value in network.state_dict().items()}

        def features(images):
            return to_numpy(network(to_backend(images, args.backend))[0])

    baseline_mb = bench_dcgan.current_rss_mb()
    connection.send({"state": state, "blas": bench_dcgan.blas_info()})
    kept, first = 0, None
    for index in iter(connection.recv, "stop"):
        images = batch(index, args)
        start = time.perf_counter()
        pool = features(images)
        elapsed = time.perf_counter() - start
        kept += pool.nbytes  # a stream keeps the features only, never the images
        first = pool if first is None else first
        connection.send(elapsed)
    connection.send({"baseline_rss_mb": baseline_mb, "peak_rss_mb": bench_dcgan.peak_rss_mb(), "first": first,
                     "features_mb": kept / 2**20})


def compare(args):
    import bench_dcgan
    import numpy as np

    frameworks = {"nanogan": bench_dcgan.start_worker("nanogan", args, target=worker)}
    torch_note = None
    if not args.no_torch:
        if importlib.util.find_spec("pytorch_fid") is None:
            torch_note = "pytorch-fid is not installed (pip install -e \".[reference]\"): timing nanogan only"
            print(torch_note)
        else:
            frameworks["torch"] = bench_dcgan.start_worker("torch", args, frameworks["nanogan"][2]["state"], worker)
    times, finals = bench_dcgan.take_turns(frameworks, args.warmup, args.batches)  # A B A B: one batch each
    results = {"config": vars(args), "blas": frameworks["nanogan"][2]["blas"], "frameworks": {},
               "torch_note": torch_note}
    for name, elapsed in times.items():
        median = statistics.median(elapsed)
        results["frameworks"][name] = {
            "seconds_per_batch": elapsed, "median_seconds_per_batch": median,
            "images_per_second": args.batch_size / median, "peak_rss_mb": finals[name]["peak_rss_mb"],
            "network_rss_mb": finals[name]["peak_rss_mb"] - finals[name]["baseline_rss_mb"],
            "features_mb": finals[name]["features_mb"]}
    if "torch" in times:
        results["speed_ratio"] = bench_dcgan.speed_ratio(times)
        ours, theirs = finals["nanogan"]["first"], finals["torch"]["first"]
        results["features_max_relative_difference"] = float(np.abs(ours - theirs).max() / np.abs(theirs).max())
    return results


def report(results):
    config = results["config"]
    print(f"Inception pool features, batches of {config['batch_size']} images of {config['image_size']}x"
          f"{config['image_size']} (resized to 299x299), backend {config['backend']}, {config['threads']} threads, "
          f"{config['batches']} timed batches after {config['warmup']} warm-up")
    print(f"BLAS: {results['blas']}")
    print(f"{'':10}{'s/batch':>9}{'images/s':>10}{'peak RSS MB':>13}{'network MB':>12}")
    for name, row in results["frameworks"].items():
        print(f"{name:10}{row['median_seconds_per_batch']:9.3f}{row['images_per_second']:10.2f}"
              f"{row['peak_rss_mb']:13.0f}{row['network_rss_mb']:12.0f}")
    if "speed_ratio" in results:
        ratio = results["speed_ratio"]
        print(f"speed nanogan/PyTorch per pair: median {ratio['median']:.2f}x (min {ratio['min']:.2f}, "
              f"max {ratio['max']:.2f}); features differ by {results['features_max_relative_difference']:.1e} "
              f"(max relative)")


def main(argv=None):
    args = parse_args(argv)
    sys.path.insert(0, HERE)  # bench_dcgan beside this file
    import bench_dcgan

    bench_dcgan.limit_threads(args.threads)
    results = compare(args)
    report(results)
    if args.json:
        from nanogan.files import write_json

        write_json(args.json, results)


if __name__ == "__main__":
    main()
