"""The data of the toy experiments, drawn on the host from a NumPy Generator.

    Gaussian(mean, cov)   the target N(mu, Sigma) of examples/toy_gaussian.py
    default_target(dim)   its default: a mean away from 0 and a correlated covariance
    GaussianMixture       equal Gaussians around given centres, with the mode-collapse
                          metrics: modes covered and the share of high-quality samples
    GaussianRing()        8 Gaussians on a circle, the mode-collapse test of Metz et al.
                          ("Unrolled Generative Adversarial Networks", 2017)
    GaussianGrid()        a 5x5 grid of 25 Gaussians, the harder test of the same line of work
"""

from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment

COVERED_SHARE = 0.01  # a mode counts as covered when at least 1% of the samples are near it
NEAR_STDS = 3.0  # "near a mode": within 3 standard deviations of its centre


class Gaussian:
    """N(mean, cov): mean (d,), cov (d, d) symmetric positive definite."""

    def __init__(self, mean, cov):
        mean, cov = np.asarray(mean, dtype=np.float64), np.asarray(cov, dtype=np.float64)
        if mean.ndim != 1 or cov.shape != (mean.size, mean.size):
            raise ValueError(f"Gaussian: expected mean (d,) and cov (d, d), got shapes {mean.shape} and {cov.shape}")
        if not np.allclose(cov, cov.T):
            raise ValueError(f"Gaussian: the covariance must be symmetric, got\n{cov}")
        try:
            self.cholesky = np.linalg.cholesky(cov)  # L with L L^T = cov
        except np.linalg.LinAlgError:
            raise ValueError(f"Gaussian: the covariance must be positive definite, got\n{cov}") from None
        self.mean, self.cov = mean, cov

    @property
    def dim(self):
        """The dimension of the distribution."""
        return self.mean.size

    def sample(self, rng, n):
        """n draws x = mean + L e with e ~ N(0, I): (n, d) float64."""
        return self.mean + rng.standard_normal((n, self.dim)) @ self.cholesky.T


def default_target(dim):
    """The default target in `dim` dimensions: means from 2 down to -1, standard
    deviations from 1.5 down to 1, correlations 0.6^|i - j|.

    For dim = 2: mean (2, -1), cov [[2.25, 0.9], [0.9, 1.0]].
    """
    mean = np.linspace(2.0, -1.0, dim)
    stds = np.linspace(1.5, 1.0, dim)
    distance = np.abs(np.arange(dim)[:, None] - np.arange(dim)[None, :])  # |i - j|
    cov = np.outer(stds, stds) * 0.6**distance
    return Gaussian(mean, cov)


@dataclass
class ModeCoverage:
    """How a set of samples covers the modes of a GaussianRing."""

    modes_covered: int  # modes with at least 1% of the samples within 3 std of their centre
    high_quality_share: float  # share of the samples within 3 std of some centre
    mode_shares: list  # for each mode, the share of the samples within 3 std of its centre
    nearest_shares: list  # for each mode, the share of the samples closer to its centre than to any other


class GaussianMixture:
    """An equal mixture of Gaussians N(c_k, std^2 I) around the rows c_k of `centres` (K, 2)."""

    def __init__(self, centres, std):
        self.centres, self.std = np.asarray(centres, dtype=np.float64), std
        self.num_modes = len(self.centres)

    def sample(self, rng, n):
        """n draws: a mode chosen uniformly, plus N(0, std^2 I) noise: (n, 2) float64."""
        modes = rng.integers(0, self.num_modes, size=n)
        return self.centres[modes] + self.std * rng.standard_normal((n, 2))

    def coverage(self, samples):
        """ModeCoverage of `samples` (n, 2)."""
        samples = np.asarray(samples, dtype=np.float64)
        distances = np.linalg.norm(samples[:, None, :] - self.centres[None, :, :], axis=2)  # (n, K)
        near = distances < NEAR_STDS * self.std
        mode_shares = near.mean(axis=0)
        nearest = np.bincount(distances.argmin(axis=1), minlength=self.num_modes) / len(samples)
        return ModeCoverage(
            modes_covered=int((mode_shares >= COVERED_SHARE).sum()),
            high_quality_share=float(near.any(axis=1).mean()),
            mode_shares=[float(share) for share in mode_shares],
            nearest_shares=[float(share) for share in nearest],
        )


def matched_distance(samples, reference):
    """The empirical 1-Wasserstein distance between two sets of n points each (n, 2): the mean
    distance between matched pairs, under the one-to-one matching that makes it smallest."""
    distances = np.linalg.norm(np.asarray(samples)[:, None, :] - np.asarray(reference)[None, :, :], axis=2)
    rows, columns = linear_sum_assignment(distances)
    return float(distances[rows, columns].mean())


class GaussianRing(GaussianMixture):
    """`num_modes` Gaussians, centres evenly spaced on a circle of `radius` around the origin.

    The defaults are Metz et al.'s: 8 modes, radius 2, std 0.02.
    """

    def __init__(self, num_modes=8, radius=2.0, std=0.02):
        angles = 2 * np.pi * np.arange(num_modes) / num_modes
        super().__init__(radius * np.stack([np.cos(angles), np.sin(angles)], axis=1), std)
        self.radius = radius

    def describe(self):
        """The ring's settings, for summary.json."""
        return {"name": "ring", "num_modes": self.num_modes, "radius": self.radius, "std": self.std}


class GaussianGrid(GaussianMixture):
    """side x side Gaussians on a square grid of `spacing`, centred on the origin.

    The defaults (25 modes at -4, -2, 0, 2, 4 in each coordinate, std 0.05) are those of the
    mode-collapse comparisons that followed Metz et al. (VEEGAN, PacGAN).
    """

    def __init__(self, side=5, spacing=2.0, std=0.05):
        ticks = spacing * (np.arange(side) - (side - 1) / 2)
        super().__init__(np.stack(np.meshgrid(ticks, ticks, indexing="ij"), axis=-1).reshape(-1, 2), std)
        self.side, self.spacing = side, spacing

    def describe(self):
        """The grid's settings, for summary.json."""
        return {"name": "grid", "num_modes": self.num_modes, "spacing": self.spacing, "std": self.std}
