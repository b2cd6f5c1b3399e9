"""The closed-form 2-Wasserstein distance between Gaussians, and the toy Gaussian targets."""

import math
import warnings

import numpy as np
import pytest

from nanogan.toy.gaussian import bures_distance, wasserstein2_gaussian
from nanogan.toy.data import Gaussian, default_target


def random_covariance(rng, dim, rank=None):
    """A random symmetric positive semi-definite (dim, dim) matrix of the given rank (full by default)."""
    factor = rng.standard_normal((dim, rank or dim))
    return factor @ factor.T


def psd_power(matrix, power):
    """matrix^power through its eigendecomposition: an independent route from scipy's sqrtm."""
    eigenvalues, eigenvectors = np.linalg.eigh(matrix)
    return (eigenvectors * np.maximum(eigenvalues, 0) ** power) @ eigenvectors.T


@pytest.mark.parametrize("dim", [1, 2, 5])
def test_w2_of_a_gaussian_to_itself_is_zero(dim):
    rng = np.random.default_rng(dim)
    mean, cov = rng.standard_normal(dim), random_covariance(rng, dim)
    assert wasserstein2_gaussian(mean, cov, mean, cov) == pytest.approx(0, abs=1e-6)


def test_w2_with_equal_covariances_is_the_distance_between_the_means():
    rng = np.random.default_rng(0)
    cov = random_covariance(rng, 3)
    mean1, mean2 = rng.standard_normal(3), rng.standard_normal(3)
    assert wasserstein2_gaussian(mean1, cov, mean2, cov) == pytest.approx(np.linalg.norm(mean1 - mean2), rel=1e-6)


def test_w2_in_one_dimension_is_the_hypotenuse_of_the_mean_and_std_gaps():
    # W2(N(m1, s1^2), N(m2, s2^2))^2 = (m1 - m2)^2 + (s1 - s2)^2
    distance = wasserstein2_gaussian([1.0], [[4.0]], [-2.0], [[0.25]])
    assert distance == pytest.approx(math.hypot(3.0, 2.0 - 0.5), rel=1e-12)


def test_w2_of_commuting_covariances_compares_their_square_roots():
    # S1 = Q diag(a) Q^T and S2 = Q diag(b) Q^T commute: B^2 = sum (sqrt(a) - sqrt(b))^2
    rng = np.random.default_rng(1)
    rotation, _ = np.linalg.qr(rng.standard_normal((4, 4)))
    a, b = rng.uniform(0.1, 3.0, 4), rng.uniform(0.1, 3.0, 4)
    cov1, cov2 = (rotation * a) @ rotation.T, (rotation * b) @ rotation.T
    expected = math.sqrt(np.sum((np.sqrt(a) - np.sqrt(b)) ** 2))
    assert bures_distance(cov1, cov2) == pytest.approx(expected, rel=1e-9)


def test_w2_equals_the_cost_of_the_optimal_linear_map_and_beats_another_coupling():
    # The optimal transport map from N(m1, S1) to N(m2, S2) is x -> m2 + A (x - m1) with
    # A = S1^{-1/2} (S1^{1/2} S2 S1^{1/2})^{1/2} S1^{-1/2}; it pushes S1 to A S1 A = S2 and
    # costs E|x - T(x)|^2 = |m1 - m2|^2 + tr(S1) + tr(S2) - 2 tr(A S1). Any other map that pushes
    # S1 to S2, like the one through Cholesky factors, costs at least W2^2.
    rng = np.random.default_rng(2)
    mean1, mean2 = rng.standard_normal(3), rng.standard_normal(3)
    cov1, cov2 = random_covariance(rng, 3), random_covariance(rng, 3)
    root1, inverse_root1 = psd_power(cov1, 0.5), psd_power(cov1, -0.5)
    optimal = inverse_root1 @ psd_power(root1 @ cov2 @ root1, 0.5) @ inverse_root1
    np.testing.assert_allclose(optimal @ cov1 @ optimal, cov2, rtol=1e-8, atol=1e-10)

    def squared_cost(linear_map):
        return np.sum((mean1 - mean2) ** 2) + np.trace(cov1) + np.trace(cov2) - 2 * np.trace(linear_map @ cov1)

    w2 = wasserstein2_gaussian(mean1, cov1, mean2, cov2)
    assert w2**2 == pytest.approx(squared_cost(optimal), rel=1e-8)
    cholesky_map = np.linalg.cholesky(cov2) @ np.linalg.inv(np.linalg.cholesky(cov1))
    assert squared_cost(cholesky_map) > w2**2 + 1e-3


def test_w2_is_symmetric():
    rng = np.random.default_rng(3)
    first = (rng.standard_normal(3), random_covariance(rng, 3))
    second = (rng.standard_normal(3), random_covariance(rng, 3))
    assert wasserstein2_gaussian(*first, *second) == pytest.approx(wasserstein2_gaussian(*second, *first), rel=1e-8)


def test_w2_handles_a_singular_covariance_without_warnings():
    # A generator squeezed onto a line has covariance diag(1, 0): B^2 = (1 - 2)^2 + (0 - 1)^2 = 2.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        distance = wasserstein2_gaussian([0.0, 0.0], np.diag([4.0, 1.0]), [0.0, 0.0], np.diag([1.0, 0.0]))
    assert distance == pytest.approx(math.sqrt(2), rel=1e-6)


def test_w2_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match="mean"):
        wasserstein2_gaussian([0.0, 0.0], np.eye(3), [0.0, 0.0], np.eye(2))
    with pytest.raises(ValueError, match="dimensions 2 and 3"):
        wasserstein2_gaussian([0.0, 0.0], np.eye(2), [0.0, 0.0, 0.0], np.eye(3))


def test_gaussian_samples_have_the_requested_mean_and_covariance():
    target = default_target(3)
    samples = target.sample(np.random.default_rng(4), 200_000)
    # sampling error of a mean is std / sqrt(n) < 0.004 here; of a covariance entry, about 3x that
    np.testing.assert_allclose(samples.mean(axis=0), target.mean, atol=0.02)
    np.testing.assert_allclose(np.cov(samples, rowvar=False), target.cov, atol=0.04)


def test_default_target_in_two_dimensions_is_shifted_and_correlated():
    target = default_target(2)
    np.testing.assert_allclose(target.mean, [2.0, -1.0])
    np.testing.assert_allclose(target.cov, [[2.25, 0.9], [0.9, 1.0]])


@pytest.mark.parametrize("dim", [1, 2, 3, 8])
def test_default_target_is_a_valid_gaussian_in_any_dimension(dim):
    target = default_target(dim)
    assert target.mean.shape == (dim,)
    assert np.linalg.eigvalsh(target.cov).min() > 0


def test_gaussian_rejects_a_covariance_that_is_not_positive_definite():
    with pytest.raises(ValueError, match="positive definite"):
        Gaussian([0.0, 0.0], [[1.0, 2.0], [2.0, 1.0]])
    with pytest.raises(ValueError, match="symmetric"):
        Gaussian([0.0, 0.0], [[1.0, 0.5], [0.0, 1.0]])
