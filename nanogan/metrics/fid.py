"""The Frechet Inception Distance (Heusel et al., 2017), computed as pytorch-fid computes it.

Fit a Gaussian to each side's Inception pool features (statistics.py) and take the
squared Frechet (2-Wasserstein) distance between the two Gaussians:

    FID = |mu_1 - mu_2|^2 + Tr(Sigma_1 + Sigma_2 - 2 (Sigma_1 Sigma_2)^(1/2))

The matrix square root is scipy.linalg.sqrtm of the product, as in pytorch-fid's
calculate_frechet_distance, with its two safeguards: when the square root is not
finite (a nearly singular product), eps is added to both diagonals and the root
taken again; and a complex root (round-off) is accepted only when the imaginary
parts of its diagonal are negligible (atol 1e-3), and then its real part is used.
"""

import warnings

import numpy as np
from scipy import linalg

from .errors import EvaluationError


def frechet_distance(mu1, sigma1, mu2, sigma2, eps=1e-6):
    """FID between N(mu1, sigma1) and N(mu2, sigma2): mu (D,), sigma (D, D); a Python float.

    Raises EvaluationError when the shapes differ or the square root has a large imaginary part.
    """
    mu1, mu2 = np.atleast_1d(mu1), np.atleast_1d(mu2)
    sigma1, sigma2 = np.atleast_2d(sigma1), np.atleast_2d(sigma2)
    if mu1.shape != mu2.shape or sigma1.shape != sigma2.shape or sigma1.shape != mu1.shape * 2:
        raise EvaluationError(f"FID needs statistics of the same features: got means {mu1.shape} and {mu2.shape}, "
                              f"covariances {sigma1.shape} and {sigma2.shape}")
    diff = mu1 - mu2
    covmean = linalg.sqrtm(sigma1.dot(sigma2))  # (Sigma_1 Sigma_2)^(1/2)
    if not np.isfinite(covmean).all():
        warnings.warn(f"FID: the product of the covariances is nearly singular; adding {eps} to their diagonals")
        offset = np.eye(sigma1.shape[0]) * eps
        covmean = linalg.sqrtm((sigma1 + offset).dot(sigma2 + offset))
    if np.iscomplexobj(covmean):
        if not np.allclose(np.diagonal(covmean).imag, 0, atol=1e-3):
            raise EvaluationError(f"FID: the matrix square root has an imaginary component of "
                                  f"{np.max(np.abs(covmean.imag)):.3g}; the covariances are not valid (too few "
                                  f"images for {sigma1.shape[0]} features?)")
        covmean = covmean.real
    # |mu_1 - mu_2|^2 + Tr(Sigma_1) + Tr(Sigma_2) - 2 Tr((Sigma_1 Sigma_2)^(1/2))
    return float(diff.dot(diff) + np.trace(sigma1) + np.trace(sigma2) - 2 * np.trace(covmean))


def fid_from_statistics(statistics1, statistics2, eps=1e-6):
    """FID between two FeatureStatistics."""
    return frechet_distance(statistics1.mean, statistics1.covariance, statistics2.mean, statistics2.covariance, eps)
