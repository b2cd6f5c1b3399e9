"""Regenerate docs/toy-gan-log.md, the measurements behind docs/toy-gan.md, and its figures.

    python scripts/toy_gan_log.py     # every run, over --jobs processes: 12-14 min with 2 on a busy 2-core machine

Runs, all seeded, so a rerun on the same code writes the same numbers:
- the toy Gaussian GAN (nanogan.toy.gaussian_training.fit_toy_gaussian) for every discriminator and
  optimizer, seeds 0 to --seeds - 1, --steps steps each;
- the same generator started at the right mean with the wrong covariance (b = mu, W = I), against the
  linear D with Adam and with SGD, seeds 0 to --right-mean-seeds - 1;
- the ring of Gaussians (nanogan.toy.ring_training.fit_gaussian_ring), seeds 0 to --ring-seeds - 1.

Writes toy-gan-log.md and images/toy-gan-log/*.png into --out (default docs/). The text around the
numbers is written here; every number in it is computed from the runs.
"""

import argparse
import os
import shutil
import tempfile
from concurrent.futures import ProcessPoolExecutor

from nanogan.blas import use_short_blas_spin

use_short_blas_spin()  # before NumPy loads OpenBLAS: nanogan/blas.py says why

import numpy as np  # noqa: E402

from nanogan.cli import positive_int, prepare_output_dir  # noqa: E402
from nanogan.files import atomic_write  # noqa: E402
from nanogan.models.toy import LinearGenerator, LogisticDiscriminator  # noqa: E402
from nanogan.nn import BCELoss  # noqa: E402
from nanogan.random import manual_seed  # noqa: E402
from nanogan.toy.data import default_target  # noqa: E402
from nanogan.toy.gaussian import bures_distance  # noqa: E402
from nanogan.toy.gaussian_training import (DEFAULT_LR, fit_toy_gaussian, format_toy_table,  # noqa: E402
                                           write_toy_gaussian)
from nanogan.toy.ring_training import fit_gaussian_ring, format_ring_report, write_gaussian_ring  # noqa: E402
from nanogan.toy.training import ToyGAN, make_optimizer, training_steps  # noqa: E402
from toy_gan_log_text import render_page  # noqa: E402  (next to this script, on its sys.path)

SETTINGS = [("linear", "adam"), ("quadratic", "adam"), ("mlp", "adam"),
            ("linear", "sgd"), ("quadratic", "sgd"), ("mlp", "sgd")]
FIGURES = {  # figure of the page -> (run, file that the run writes)
    "linear-samples.png": ("linear", "samples.png"), "linear-w2.png": ("linear", "w2.png"),
    "quadratic-samples.png": ("quadratic", "samples.png"), "quadratic-w2.png": ("quadratic", "w2.png"),
    "ring-coverage.png": ("ring", "coverage.png"),
}


def quiet(line):
    """A log that keeps nothing: the runs' progress lines are not wanted here."""


def toy_run(discriminator, optimizer, seed, steps):
    """One toy Gaussian run; the progress lines are kept for the page."""
    lines = []
    run = fit_toy_gaussian(steps=steps, discriminator=discriminator, optimizer=optimizer, seed=seed, log=lines.append)
    return run, lines


def right_mean_run(optimizer, seed, steps):
    """G starts at b = mu and W = I against the linear D; returns B(Sigma, W W^T) before and after `steps` steps."""
    target = default_target(2)
    manual_seed(seed)  # D's initial weights
    generator = LinearGenerator(2)
    generator.linear.weight.data[...] = np.eye(2)
    generator.linear.bias.data[...] = target.mean
    discriminator = LogisticDiscriminator(2)
    lr = DEFAULT_LR[optimizer]
    gan = ToyGAN(generator, discriminator, make_optimizer(optimizer, generator.parameters(), lr),
                 make_optimizer(optimizer, discriminator.parameters(), lr), BCELoss())
    before = bures_distance(target.cov, generator.distribution()[1])
    for _ in training_steps(gan, target.sample, 2, 256, steps, np.random.default_rng(seed), "numpy"):
        pass
    return before, bures_distance(target.cov, generator.distribution()[1])


def ring_run(seed, steps):
    return fit_gaussian_ring(steps=steps, seed=seed, log=quiet)


def quadratic_feature_curvature(samples=1_000_000, seed=0):
    """At the equilibrium of the quadratic D (G = target, D = 1/2), the curvature of L_D in D's six
    parameters is (1/4)(E_x + E_z)[phi phi^T] = (1/2) E[phi phi^T], with phi = (1, x, x_i x_j);
    returns its eigenvalues (smallest first) and E[x_1^2], E[x_1^4], from target samples."""
    target = default_target(2)
    x = target.sample(np.random.default_rng(seed), samples)
    rows, cols = np.triu_indices(2)
    phi = np.concatenate([np.ones((samples, 1)), x, x[:, rows] * x[:, cols]], axis=1)
    curvature = 0.5 * phi.T @ phi / samples
    return np.linalg.eigvalsh(curvature), float(np.mean(x[:, 0] ** 2)), float(np.mean(x[:, 0] ** 4))


def write_figures(out, linear_run, quadratic_run, ring_result):
    """The page's figures, drawn by the runs' own writers into a scratch folder, then copied."""
    folder = os.path.join(out, "images", "toy-gan-log")
    os.makedirs(folder, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        for name, (run, write) in {"linear": (linear_run, write_toy_gaussian),
                                   "quadratic": (quadratic_run, write_toy_gaussian),
                                   "ring": (ring_result, write_gaussian_ring)}.items():
            os.makedirs(os.path.join(scratch, name))
            write(os.path.join(scratch, name), run)
        for figure, (name, file) in FIGURES.items():
            shutil.copyfile(os.path.join(scratch, name, file), os.path.join(folder, figure))


RUN_OPTIONS = ("steps", "seeds", "right_mean_steps", "right_mean_seeds", "ring_steps", "ring_seeds")


def build_parser():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=positive_int, default=6000, help="steps of each toy Gaussian run (6000)")
    parser.add_argument("--seeds", type=positive_int, default=10, help="toy Gaussian seeds per setting (10)")
    parser.add_argument("--right-mean-steps", type=positive_int, default=2000,
                        help="steps of each run from the right mean (2000)")
    parser.add_argument("--right-mean-seeds", type=positive_int, default=6, help="seeds of those runs (6)")
    parser.add_argument("--ring-steps", type=positive_int, default=5000, help="steps of each ring run (5000)")
    parser.add_argument("--ring-seeds", type=positive_int, default=5, help="ring seeds (5)")
    parser.add_argument("--jobs", type=positive_int, default=os.cpu_count() or 1, help="processes (all CPUs)")
    parser.add_argument("--out", default="docs", help="folder for toy-gan-log.md and images/ (default docs)")
    return parser


def the_command(parser, args):
    """The command that reruns these runs: the options that change the numbers, where not the defaults."""
    changed = [f"--{name.replace('_', '-')} {getattr(args, name)}" for name in RUN_OPTIONS
               if getattr(args, name) != parser.get_default(name)]
    return " ".join(["python scripts/toy_gan_log.py", *changed])


def main():
    parser = build_parser()
    args = parser.parse_args()
    prepare_output_dir(args.out)
    with ProcessPoolExecutor(args.jobs) as pool:
        toy = {(name, optimizer, seed): pool.submit(toy_run, name, optimizer, seed, args.steps)
               for name, optimizer in SETTINGS for seed in range(args.seeds)}
        right_mean = {(optimizer, seed): pool.submit(right_mean_run, optimizer, seed, args.right_mean_steps)
                      for optimizer in ("adam", "sgd") for seed in range(args.right_mean_seeds)}
        ring = {seed: pool.submit(ring_run, seed, args.ring_steps) for seed in range(args.ring_seeds)}
        toy = {key: future.result() for key, future in toy.items()}
        right_mean = {key: future.result() for key, future in right_mean.items()}
        ring = {seed: future.result() for seed, future in ring.items()}
    write_figures(args.out, toy["linear", "adam", 0][0], toy["quadratic", "adam", 0][0], ring[0])
    default_run, progress = toy["linear", "adam", 0]
    page = render_page(
        command=the_command(parser, args),
        settings={"settings": SETTINGS, "right_mean_steps": args.right_mean_steps},
        toy={key: run.summary for key, (run, _) in toy.items()},
        default_run=(progress, format_toy_table(default_run.summary), default_run.stages), right_mean=right_mean,
        ring={seed: run.summary for seed, run in ring.items()}, ring_report=format_ring_report(ring[0].summary),
        curvature=quadratic_feature_curvature(),
    )
    with atomic_write(os.path.join(args.out, "toy-gan-log.md"), "w") as file:
        file.write(page)
    print(f"wrote toy-gan-log.md and images/toy-gan-log/ to {args.out}")


if __name__ == "__main__":
    main()
