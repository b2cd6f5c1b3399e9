"""The 2-Wasserstein distance between two Gaussians, in closed form.

W2 is the least root-mean-square distance a sample must travel to turn one
distribution into the other. Between N(m1, S1) and N(m2, S2) it has a
closed form (Dowson & Landau, 1982; Olkin & Pukelsheim, 1982):

    W2^2 = |m1 - m2|^2 + B(S1, S2)^2
    B(S1, S2)^2 = tr(S1 + S2 - 2 (S1^{1/2} S2 S1^{1/2})^{1/2})

The first term is what moving the mean costs; B, the Bures distance, is
what reshaping the covariance costs. It is the formula of the Frechet
Inception Distance, there applied to Gaussians fitted to network features.

A linear generator G(z) = W z + b on z ~ N(0, I) produces exactly
N(b, W W^T), so its W2 to a Gaussian target is exact, with no sampling.
"""

import math
import warnings

import numpy as np
import scipy.linalg


def _check(mean, cov, name):
    mean, cov = np.asarray(mean, dtype=np.float64), np.asarray(cov, dtype=np.float64)
    if mean.ndim != 1 or cov.shape != (mean.size, mean.size):
        raise ValueError(
            f"wasserstein2_gaussian: expected {name} as a mean (d,) and a covariance (d, d), "
            f"got shapes {mean.shape} and {cov.shape}"
        )
    return mean, cov


def _psd_sqrt(matrix):
    """The square root of a symmetric positive semi-definite matrix, by scipy.linalg.sqrtm.

    A singular matrix (a generator with fewer noise dimensions than outputs,
    or a collapsed one) still has a square root; sqrtm warns that it might
    not, so that warning is silenced. Roundoff can leave imaginary parts
    near 1e-16: only the real part is kept.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", scipy.linalg.LinAlgWarning)
        return np.real(scipy.linalg.sqrtm(matrix))


def bures_distance(cov1, cov2):
    """B(S1, S2) = sqrt(tr(S1 + S2 - 2 (S1^{1/2} S2 S1^{1/2})^{1/2})): cov1, cov2 (d, d) -> float."""
    cov1, cov2 = np.asarray(cov1, dtype=np.float64), np.asarray(cov2, dtype=np.float64)
    root1 = _psd_sqrt(cov1)
    cross = _psd_sqrt(root1 @ cov2 @ root1)
    squared = np.trace(cov1) + np.trace(cov2) - 2 * np.trace(cross)
    return math.sqrt(max(squared, 0.0))  # roundoff leaves about -1e-15 when S1 = S2


def wasserstein2_gaussian(mean1, cov1, mean2, cov2):
    """W2(N(mean1, cov1), N(mean2, cov2)) = sqrt(|m1 - m2|^2 + B(S1, S2)^2), exactly.

    mean1, mean2: (d,)   cov1, cov2: (d, d), symmetric positive semi-definite
    """
    mean1, cov1 = _check(mean1, cov1, "the first Gaussian")
    mean2, cov2 = _check(mean2, cov2, "the second Gaussian")
    if mean1.size != mean2.size:
        raise ValueError(f"wasserstein2_gaussian: the Gaussians have dimensions {mean1.size} and {mean2.size}")
    mean_distance = float(np.linalg.norm(mean1 - mean2))
    return math.hypot(mean_distance, bures_distance(cov1, cov2))
