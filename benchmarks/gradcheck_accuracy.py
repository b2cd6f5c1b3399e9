"""How accurate is nanogan.gradcheck on correct layers? The evidence behind its tolerance.

Draws random geometries and inputs for every layer family, runs
nanogan.gradcheck on each, and prints the median, 99th percentile and worst
relative error per family. Correct layers should stay far below the 1e-6 the
tests use; a wrong backward pass scores 1e-3 or more.

    python benchmarks/gradcheck_accuracy.py --cases 250
"""

import argparse

import numpy as np

from nanogan import nn
from nanogan.gradcheck import DEFAULT_EPS, check_loss, check_module


def random_conv(rng, transposed):
    kernel, stride, padding = (tuple(int(v) for v in rng.integers(low, high, 2)) for low, high in
                               ((1, 6), (1, 4), (0, 3)))
    channels_in, channels_out = (int(v) for v in rng.integers(1, 4, 2))
    batch = int(rng.integers(1, 5))
    bias = bool(rng.integers(2))
    if transposed:
        output_padding = tuple(int(rng.integers(0, s)) for s in stride)
        size = tuple(int(v) for v in rng.integers(1, 5, 2))
        padding = tuple(min(p, ((n - 1) * s + k + op - 1) // 2) for p, n, s, k, op
                        in zip(padding, size, stride, kernel, output_padding))
        layer = nn.ConvTranspose2d(channels_in, channels_out, kernel, stride, padding, output_padding, bias)
    else:
        size = tuple(int(rng.integers(max(1, k - 2 * p), k + 6)) for k, p in zip(kernel, padding))
        layer = nn.Conv2d(channels_in, channels_out, kernel, stride, padding, bias)
    return layer, rng.standard_normal((batch, channels_in) + size)


def random_batchnorm(rng):
    channels = int(rng.integers(1, 5))
    shape = (int(rng.integers(3, 6)), channels, int(rng.integers(1, 4)), int(rng.integers(1, 4)))
    layer = nn.BatchNorm2d(channels)
    layer.weight.data[...] = 1 + 0.5 * rng.standard_normal(channels)
    layer.bias.data[...] = rng.standard_normal(channels)
    layer.running_mean[...] = rng.standard_normal(channels)
    layer.running_var[...] = 0.5 + rng.random(channels)
    return layer.train(bool(rng.integers(2))), 2 * rng.standard_normal(shape) + 0.5


def random_linear(rng):
    features_in, features_out = (int(v) for v in rng.integers(1, 7, 2))
    layer = nn.Linear(features_in, features_out, bias=bool(rng.integers(2)))
    return layer, rng.standard_normal((int(rng.integers(1, 5)), features_in))


def away_from_kinks(x):
    return np.sign(x) * (0.05 + np.abs(x))


FAMILIES = {
    "Conv2d": lambda rng: check_module(*random_conv(rng, transposed=False)),
    "ConvTranspose2d": lambda rng: check_module(*random_conv(rng, transposed=True)),
    "BatchNorm2d": lambda rng: check_module(*random_batchnorm(rng)),
    "Linear": lambda rng: check_module(*random_linear(rng)),
    "activations": lambda rng: check_module(
        [nn.ReLU(), nn.LeakyReLU(0.2), nn.Tanh(), nn.Sigmoid()][int(rng.integers(4))],
        away_from_kinks(rng.standard_normal(int(rng.integers(1, 60))))),
    "losses": lambda rng: check_loss(
        [nn.BCELoss(), nn.BCEWithLogitsLoss(), nn.MSELoss()][int(rng.integers(3))],
        rng.uniform(0.05, 0.95, n := int(rng.integers(1, 60))), rng.uniform(0, 1, n)),
}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=250, help="random cases per family (default 250)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    print(f"five-point stencil, eps={DEFAULT_EPS}, float64, {args.cases} random cases per family")
    print(f"{'family':<16} {'median':>9} {'p99':>9} {'worst':>9}")
    for name, check in FAMILIES.items():
        errors = np.array([check(rng).max_error for _ in range(args.cases)])
        print(f"{name:<16} {np.median(errors):9.1e} {np.percentile(errors, 99):9.1e} {errors.max():9.1e}")


if __name__ == "__main__":
    main()
