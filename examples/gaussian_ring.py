"""Mode collapse, the article's first listed challenge: a small MLP GAN on a ring of
8 Gaussians (radius 2, std 0.02), the test of Metz et al., "Unrolled GANs" (2017).

    python examples/gaussian_ring.py        # about 10 s on a 2-core CPU
    python examples/gaussian_ring.py --pack 2 --lr-d 1e-3   # a remedy (docs/objectives.md)

Prints progress and how many of the 8 modes the generator covers (a mode counts
when at least 1% of the samples lie within 3 std of its centre) and the share of
high-quality samples (within 3 std of some centre). Writes summary.json,
samples.png, coverage.png and losses.png into --out.
"""

import argparse
import os

# The layers here multiply 256x128 matrices, too small for several BLAS threads to pay:
# on a busy 2-core machine one thread ran 1000 steps in 6 s, two threads in 32 s.
# Set before NumPy loads; export OPENBLAS_NUM_THREADS to choose otherwise.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from nanogan.cli import (add_backend_argument, add_objective_arguments, gan_options, nonnegative_int, positive_float,
                         positive_int, prepare_output_dir, require_backend)
from nanogan.toy.ring_training import format_ring_report, train_gaussian_ring


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=positive_int, default=5000, help="training steps (default 5000)")
    parser.add_argument("--batch-size", type=positive_int, default=256,
                        help="real and fake samples per step (default 256)")
    parser.add_argument("--lr", type=positive_float, default=1e-3,
                        help="Adam learning rate of both players (default 1e-3)")
    parser.add_argument("--seed", type=nonnegative_int, default=0, help="seed for weights, data and noise (default 0)")
    add_objective_arguments(parser)
    add_backend_argument(parser)
    parser.add_argument("--out", default="runs/gaussian_ring", help="output folder (default runs/gaussian_ring)")
    return parser.parse_args()


def main():
    args = parse_args()
    require_backend(args.backend, tf32=args.tf32)
    prepare_output_dir(args.out)
    options = gan_options(args, args.batch_size)
    summary = train_gaussian_ring(args.out, steps=args.steps, batch_size=args.batch_size, lr=args.lr, seed=args.seed,
                                  backend=args.backend, options=options, lr_d=args.lr_d, lr_g=args.lr_g)
    print()
    print(format_ring_report(summary))
    print(f"wrote summary.json, samples.png, coverage.png, losses.png to {args.out}")


if __name__ == "__main__":
    main()
