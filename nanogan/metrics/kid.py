"""The Kernel Inception Distance (Binkowski et al., 2018), computed as torch-fidelity computes it.

KID is the squared maximum mean discrepancy between the two sides' Inception pool
features under the cubic polynomial kernel

    k(x, y) = (gamma x.y + coef0)^degree,   gamma = 1/D, coef0 = 1, degree = 3

estimated without bias on m features X from one side and m features Y from the other:

    MMD^2 = sum_{i != j} k(x_i, x_j) / (m (m-1)) + sum_{i != j} k(y_i, y_j) / (m (m-1))
            - 2 sum_{i, j} k(x_i, y_j) / m^2

The estimate is averaged over `subsets` (100) random subsets of `subset_size` (1,000)
features per side, drawn without replacement by NumPy's RandomState(seed), seed 2020,
the fake subset first and then the real, exactly as torch-fidelity draws them with the
generated images as its input 1; the result is the mean and the standard deviation
(ddof 0) over the subsets. Unlike FID it is unbiased in the number of images, and
a value slightly below 0 means the two sides are indistinguishable.

torch-fidelity computes in the dtype of its features (float32); nanogan always in
float64, so the two agree to about 1e-6 on float32 features and exactly on float64 ones.
"""

import numpy as np

from ..backend import to_numpy
from .errors import EvaluationError

SUBSETS = 100
SUBSET_SIZE = 1000
SEED = 2020  # torch-fidelity's default rng_seed


def polynomial_kernel(x, y, degree=3, coef0=1.0):
    """k(x, y) = (x.y / D + coef0)^degree for every pair of rows: x (m, D), y (n, D) -> (m, n)."""
    gamma = 1.0 / x.shape[1]
    return (x @ y.T * gamma + coef0) ** degree


def mmd2_unbiased(k_xx, k_xy, k_yy):
    """The unbiased MMD^2 from the three (m, m) kernel matrices: the diagonals of k_xx and k_yy left out."""
    m = k_xx.shape[0]
    within_x = k_xx.sum() - np.trace(k_xx)  # sum_{i != j} k(x_i, x_j)
    within_y = k_yy.sum() - np.trace(k_yy)
    return (within_x + within_y) / (m * (m - 1)) - 2 * k_xy.sum() / (m * m)


def kernel_inception_distance(real, fake, subsets=SUBSETS, subset_size=SUBSET_SIZE, seed=SEED):
    """KID between real (n_r, D) and fake (n_f, D) features: (mean, std) over the subsets, Python floats.

    Raises EvaluationError when a side has fewer features than subset_size.
    """
    real, fake = (np.asarray(to_numpy(side), dtype=np.float64) for side in (real, fake))
    if real.ndim != 2 or fake.ndim != 2 or real.shape[1] != fake.shape[1]:
        raise EvaluationError(f"KID needs features (n, D) of the same length D on both sides, got real "
                              f"{real.shape} and fake {fake.shape}")
    if min(len(real), len(fake)) < subset_size:
        raise EvaluationError(f"KID draws subsets of {subset_size} features from each side, but got {len(real)} real "
                              f"and {len(fake)} fake: use at least {subset_size} images per side, or a smaller "
                              f"subset size")
    rng = np.random.RandomState(seed)
    estimates = np.zeros(subsets)
    for subset in range(subsets):
        x = fake[rng.choice(len(fake), subset_size, replace=False)]
        y = real[rng.choice(len(real), subset_size, replace=False)]
        estimates[subset] = mmd2_unbiased(polynomial_kernel(x, x), polynomial_kernel(x, y), polynomial_kernel(y, y))
    return float(np.mean(estimates)), float(np.std(estimates))
