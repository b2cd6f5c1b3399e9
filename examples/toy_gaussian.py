"""The article's toy GAN (section 4.4): a linear generator G(z) = W z + b learns a
Gaussian N(mu, Sigma) against a discriminator D. Takes a few seconds on a CPU.

    python examples/toy_gaussian.py                              # linear D: the mean, not the covariance
    python examples/toy_gaussian.py --discriminator quadratic    # D sees x_i x_j: the covariance too
    python examples/toy_gaussian.py --discriminator mlp          # one hidden LeakyReLU layer

Prints progress, then the target vs the generator's exact N(b, W W^T) and the
exact 2-Wasserstein distance between them. Writes summary.json, samples.png,
losses.png and w2.png into --out. docs/toy-gan.md explains the numbers;
docs/toy-gan-log.md has them for every setting and ten seeds.
"""

import argparse

from nanogan.blas import use_short_blas_spin

use_short_blas_spin()  # before NumPy loads OpenBLAS: nanogan/blas.py says why

from nanogan.cli import (add_backend_argument, add_objective_arguments, gan_options, nonnegative_int,  # noqa: E402
                         positive_float, positive_int, prepare_output_dir, require_backend)
from nanogan.toy.gaussian_training import (DEFAULT_LR, DISCRIMINATORS, OPTIMIZERS, format_toy_table,  # noqa: E402
                                           train_toy_gaussian)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dim", type=positive_int, default=2, help="dimension of the data (default 2)")
    parser.add_argument("--steps", type=positive_int, default=6000, help="training steps (default 6000)")
    parser.add_argument("--batch-size", type=positive_int, default=256,
                        help="real and fake samples per step (default 256)")
    parser.add_argument("--lr", type=positive_float,
                        help=f"learning rate of both players (default {DEFAULT_LR['adam']:g} for adam, "
                             f"{DEFAULT_LR['sgd']:g} for sgd)")
    parser.add_argument("--optimizer", choices=OPTIMIZERS, default="adam",
                        help="adam (betas 0.5, 0.999, as DCGAN) or sgd (the article's plain gradient descent)")
    parser.add_argument("--discriminator", choices=sorted(DISCRIMINATORS), default="linear",
                        help="linear: sigmoid(theta^T x + c), the article's; quadratic: adds x_i x_j; "
                             "mlp: one hidden layer (default linear)")
    parser.add_argument("--seed", type=nonnegative_int, default=0, help="seed for weights, data and noise (default 0)")
    add_objective_arguments(parser)
    add_backend_argument(parser)
    parser.add_argument("--out", default="runs/toy_gaussian", help="output folder (default runs/toy_gaussian)")
    return parser.parse_args()


def main():
    args = parse_args()
    require_backend(args.backend, tf32=args.tf32)
    prepare_output_dir(args.out)
    summary = train_toy_gaussian(args.out, dim=args.dim, steps=args.steps, batch_size=args.batch_size, lr=args.lr,
                                 optimizer=args.optimizer, discriminator=args.discriminator, seed=args.seed,
                                 backend=args.backend, options=gan_options(args, args.batch_size), lr_d=args.lr_d,
                                 lr_g=args.lr_g)
    print()
    print(format_toy_table(summary))
    print(f"wrote summary.json, samples.png, losses.png, w2.png to {args.out}")


if __name__ == "__main__":
    main()
