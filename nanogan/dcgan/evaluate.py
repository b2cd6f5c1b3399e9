"""Evaluate a GAN's samples against real images: FID, KID, IS, precision/recall, MS-SSIM, D accuracy.

    python examples/evaluate.py --real data/celeba/img_align_celeba.zip --fake runs/celeba_dcgan/checkpoint.npz
    python examples/evaluate.py --real synthetic --fake samples/ --metrics fid,kid --n 5000
    python examples/evaluate.py --real real.npz --fake runs/celeba_dcgan/checkpoint.npz --metrics fid

--real: a folder or zip of images (CelebA's zip as it is), `synthetic` (fresh faces of the
distribution the built-in dataset comes from), or a statistics file (the cache file a
previous run names, FeatureStatistics.save's, or pytorch-fid's --save-stats). Real images
are resized and centre-cropped to the fake images' size, as training does, and their
statistics are cached in --cache-dir: the second evaluation measures only the fake side.
--fake: a folder or zip of square images of one size, or a DCGAN checkpoint to draw --n
samples from. The numbers need pytorch-fid's Inception weights (docs/evaluation.md says
where to get them); the program prints the result as JSON (or writes it to --json) and
ends with one summary line.

--features faces runs the face benchmark instead (nanogan/metrics/faces.py), for a GAN
trained on nanogan's synthetic faces (--real synthetic): modes covered, KL and domain FID
through nanogan's own face classifier, with no weights file to fetch.
"""

import argparse
import json
import os
import warnings

from .. import data
from ..cli import add_backend_argument, fail, positive_int, require_backend
from ..files import write_json
from ..io.checkpoint import CheckpointError
from ..metrics import (DEFAULT_METRICS, METRICS, EvaluationError, FolderSource, GeneratorSource, SyntheticSource,
                       compare, discriminator_accuracy, load_inception, load_side, measure_side, real_side,
                       summary_line)
from ..metrics.faces import face_extractor, face_figures, face_summary, measure_faces, real_faces, true_marginals
from ..metrics.kid import SUBSET_SIZE
from .cli import one_line_warning
from .trainer import load_models


def metric_names(text):
    """"fid,kid" -> ("fid", "kid"), or an argparse error naming the known metrics."""
    names = tuple(name.strip() for name in text.split(",") if name.strip())
    unknown = [name for name in names if name not in METRICS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"expected metrics from {','.join(METRICS)}, got {text!r}")
    return names


def build_parser():
    """The evaluate program's argparse parser."""
    parser = argparse.ArgumentParser(prog="evaluate.py", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--real", required=True, help="image folder or zip, 'synthetic', or a statistics .npz")
    parser.add_argument("--fake", required=True, help="image folder or zip, or a DCGAN checkpoint (.npz)")
    parser.add_argument("--features", choices=("inception", "faces"), default="inception",
                        help="inception: the metrics below (default); faces: the face benchmark (modes covered, KL, "
                             "domain FID) of a GAN trained on the synthetic faces, with --real synthetic")
    parser.add_argument("--metrics", type=metric_names, default=DEFAULT_METRICS,
                        help=f"comma-separated, from {','.join(METRICS)} (default {','.join(DEFAULT_METRICS)}); "
                             f"d-acc needs a checkpoint and real images")
    parser.add_argument("--n", type=positive_int, default=10_000,
                        help="images per side, at most (default 10000; published FIDs use 50000)")
    parser.add_argument("--batch-size", type=positive_int, default=50, help="images per forward pass (default 50)")
    add_backend_argument(parser)
    parser.add_argument("--inception-weights", metavar="PATH",
                        help="pytorch-fid's Inception weights file (default: where docs/evaluation.md says)")
    parser.add_argument("--cache-dir", default=data.DEFAULT_CACHE_DIR,
                        help=f"where real statistics are cached (default {data.DEFAULT_CACHE_DIR})")
    parser.add_argument("--kid-subset-size", type=positive_int, default=SUBSET_SIZE,
                        help=f"features per KID subset (default {SUBSET_SIZE}, torch-fidelity's); at most --n")
    parser.add_argument("--seed", type=int, default=0, help="seed of the noise for a checkpoint's samples")
    parser.add_argument("--json", metavar="PATH", help="write the result here (default: print it)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")
    return parser


def open_fake(args):
    """(source of fake images, the checkpoint's discriminator or None)."""
    if os.path.isfile(args.fake) and args.fake.endswith(".npz"):
        generator, discriminator, _ = load_models(args.fake, backend=args.backend)
        return GeneratorSource(generator, args.seed, description=f"samples of {args.fake}"), discriminator
    return FolderSource(args.fake, option="--fake"), None


def open_real(args, image_size):
    """A source of real images at image_size, or None when --real is a statistics file."""
    if args.real == data.SYNTHETIC:
        return SyntheticSource(image_size)
    if os.path.isfile(args.real) and args.real.endswith(".npz"):
        return None
    return FolderSource(args.real, image_size, option="--real")


def evaluate_faces(args, extractor):
    """The face benchmark of the fake images, and of held-out real faces (the ceiling), against held-out
    real faces: the result as a JSON-able dict."""
    if args.real != data.SYNTHETIC:
        raise EvaluationError(f"--features faces judges a GAN trained on nanogan's synthetic faces, against fresh "
                              f"ones: use --real synthetic, got --real {args.real}")
    fake_source, _ = open_fake(args)
    image_size = fake_source.image_size or fake_source.first_image_size()
    extractor = extractor or face_extractor(image_size, args.backend)
    progress = not args.no_progress
    real, ceiling = real_faces(image_size, extractor, args.n, args.batch_size, progress)
    fake = measure_faces(fake_source, extractor, args.n, args.batch_size, progress, label="fake")
    return {"faces": {"fake": face_figures(fake, real), "real": ceiling,
                      "true_marginals": true_marginals()},
            "network": extractor.name, "backend": args.backend, "image_size": image_size,
            "fake": {"source": fake.description, "count": fake.count},
            "real": {"source": real.description, "count": real.count}}


def evaluate(args, extractor):
    """Measure both sides and compare them: the result as a JSON-able dict."""
    fake_source, discriminator = open_fake(args)
    image_size = fake_source.image_size or fake_source.first_image_size()
    real_source = open_real(args, image_size)
    if "d-acc" in args.metrics and (discriminator is None or real_source is None):
        raise EvaluationError("d-acc needs a DCGAN checkpoint as --fake (its discriminator) and real images as --real "
                              "(not a statistics file)")
    extractor = extractor or load_inception(args.inception_weights, args.backend)
    progress = not args.no_progress
    if real_source is None:
        real, statistics_file = load_side(args.real), args.real
    else:
        real, statistics_file = real_side(real_source, extractor, args.n, args.cache_dir, args.batch_size, progress)
    fake = measure_side(fake_source, extractor, args.n, args.batch_size, diversity="ms-ssim" in args.metrics,
                        progress=progress, label="fake")
    figures = compare(real, fake, args.metrics, kid_subset_size=args.kid_subset_size)
    if "d-acc" in args.metrics:
        accuracy_real, accuracy_fake = discriminator_accuracy(
            discriminator, real_source.batches(real.count, args.batch_size),
            fake_source.batches(fake.count, args.batch_size))
        figures["d_accuracy"] = {"real": accuracy_real, "fake": accuracy_fake}
    return {"metrics": figures, "network": extractor.name, "backend": args.backend, "image_size": image_size,
            "fake": {"source": fake.description, "count": fake.count},
            "real": {"source": real.description, "count": real.count, "statistics_file": statistics_file}}


def main(argv=None, extractor=None):
    """The program: parse `argv` (sys.argv[1:] if None), evaluate, print; returns the exit code.

    extractor: the feature network (default: pytorch-fid's Inception, loaded with --inception-weights).
    """
    warnings.formatwarning = one_line_warning
    args = build_parser().parse_args(argv)
    require_backend(args.backend, tf32=args.tf32)
    try:
        result = (evaluate_faces if args.features == "faces" else evaluate)(args, extractor)
    except (EvaluationError, data.DataError, CheckpointError) as error:
        fail(str(error))
    if args.json:
        write_json(args.json, result)
    else:
        print(json.dumps(result, indent=2))
    if args.features == "faces":
        print(face_summary(result["faces"]["fake"], result["faces"]["real"]))
    else:
        print(summary_line(result["metrics"], result["real"]["count"], result["fake"]["count"]))
    return 0
