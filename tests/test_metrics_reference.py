"""nanogan's metrics give the reference tools' numbers on the same features and images, within 1e-6 relative:
FID as pytorch-fid's calculate_frechet_distance, KID, IS and precision/recall as torch-fidelity's functions
on features, SSIM as scikit-image's structural_similarity; precision/recall also as a direct, loop-by-loop
reading of Kynkaanniemi et al. (2019). Each tool is an optional extra: its tests skip without it.
tests/reference_tools.py imports the tools' metric functions where torchvision cannot load.
"""

import numpy as np
import pytest

import reference_tools
from nanogan.metrics import (FeatureStatistics, EvaluationError, frechet_distance, inception_score,
                             kernel_inception_distance, ms_ssim, precision_recall, ssim)
from nanogan.metrics import fid as fid_module
from nanogan.metrics import kid
from nanogan.metrics.inception_score import SEED as IS_SEED, SPLITS as IS_SPLITS
from nanogan.metrics.precision_recall import NEIGHBOURHOOD

RTOL = 1e-6


def correlated_features(rng, count, dims, shift=0.0):
    """Features with a non-trivial covariance: a random linear map of normal noise, plus a shift."""
    mixing = rng.standard_normal((dims, dims)) / np.sqrt(dims)
    return rng.standard_normal((count, dims)) @ mixing + shift + rng.standard_normal(dims) * 0.1


@pytest.fixture(scope="module")
def fid_score():
    return reference_tools.pytorch_fid_score()


@pytest.fixture(scope="module")
def fidelity():
    return reference_tools.torch_fidelity_metrics()


def test_fid_of_batched_statistics_equals_pytorch_fids_on_np_cov_statistics(fid_score):
    rng = np.random.default_rng(0)
    real, fake = correlated_features(rng, 400, 48), correlated_features(rng, 300, 48, shift=0.3)
    ours = [FeatureStatistics(48) for _ in range(2)]
    for statistics, features in zip(ours, (real, fake)):
        for batch in np.array_split(features, 7):  # unequal batches, as a stream gives them
            statistics.update(batch)
    reference = fid_score.calculate_frechet_distance(real.mean(axis=0), np.cov(real, rowvar=False),
                                                     fake.mean(axis=0), np.cov(fake, rowvar=False))
    ours_fid = frechet_distance(ours[0].mean, ours[0].covariance, ours[1].mean, ours[1].covariance)
    assert ours_fid == pytest.approx(reference, rel=RTOL)
    assert reference > 1.0  # two different distributions: the comparison is not of two zeros


def test_fid_retries_with_eps_on_a_non_finite_square_root_as_pytorch_fid_does(fid_score, monkeypatch):
    rng = np.random.default_rng(1)
    real, fake = correlated_features(rng, 100, 8), correlated_features(rng, 100, 8, shift=0.5)
    mu1, sigma1, mu2, sigma2 = real.mean(0), np.cov(real, rowvar=False), fake.mean(0), np.cov(fake, rowvar=False)
    without_retry = frechet_distance(mu1, sigma1, mu2, sigma2)
    square_root = fid_module.linalg.sqrtm  # pytorch-fid and nanogan both call scipy.linalg.sqrtm
    calls = []

    def non_finite_first(matrix, *args, **kwargs):
        calls.append(1)
        root = square_root(matrix)
        if len(calls) % 2:  # the first call of each FID: as if the product were singular
            root = np.full_like(root, np.inf)
        return (root, 0.0) if kwargs.get("disp") is False else root

    monkeypatch.setattr(fid_module.linalg, "sqrtm", non_finite_first)
    reference = fid_score.calculate_frechet_distance(mu1, sigma1, mu2, sigma2, eps=1e-3)
    with pytest.warns(UserWarning, match="nearly singular"):
        ours = frechet_distance(mu1, sigma1, mu2, sigma2, eps=1e-3)
    assert len(calls) == 4
    assert ours == pytest.approx(reference, rel=RTOL)
    assert abs(ours - without_retry) > 1e-4  # eps moved the result: the retry did run


def test_fid_refuses_a_square_root_with_a_large_imaginary_part_as_pytorch_fid_does(fid_score):
    mu = np.zeros(2)
    sigma1, sigma2 = np.eye(2), np.diag([1.0, -1.0])  # not a covariance: the product's root is imaginary
    with pytest.raises(ValueError, match="Imaginary component"):
        fid_score.calculate_frechet_distance(mu, sigma1, mu, sigma2)
    with pytest.raises(EvaluationError, match="imaginary component"):
        frechet_distance(mu, sigma1, mu, sigma2)


@pytest.mark.parametrize("count, dims, subsets, subset_size", [(130, 32, 10, 50), (1100, 24, 4, 1000)])
def test_kid_equals_torch_fidelitys_on_the_same_features(fidelity, count, dims, subsets, subset_size):
    import torch

    metric_kid, _, _ = fidelity[:3]
    rng = np.random.default_rng(2)
    real, fake = correlated_features(rng, count, dims), correlated_features(rng, count + 7, dims, shift=0.2)
    reference = metric_kid.kid_features_to_metric(torch.from_numpy(fake), torch.from_numpy(real), kid_subsets=subsets,
                                                  kid_subset_size=subset_size, verbose=False)
    mean, std = kernel_inception_distance(real, fake, subsets=subsets, subset_size=subset_size)
    assert mean == pytest.approx(reference["kernel_inception_distance_mean"], rel=RTOL)
    assert std == pytest.approx(reference["kernel_inception_distance_std"], rel=RTOL)
    assert mean > std > 0  # different distributions, and the subsets differ


def test_the_defaults_are_torch_fidelitys(fidelity):
    from nanogan.metrics import inception_score as is_module, kid, precision_recall as pr_module

    DEFAULTS = fidelity[3].DEFAULTS

    assert (kid.SUBSETS, kid.SUBSET_SIZE, kid.SEED) == (DEFAULTS["kid_subsets"], DEFAULTS["kid_subset_size"],
                                                        DEFAULTS["rng_seed"])
    assert (DEFAULTS["kid_kernel"], DEFAULTS["kid_kernel_poly_degree"], DEFAULTS["kid_kernel_poly_gamma"],
            DEFAULTS["kid_kernel_poly_coef0"]) == ("poly", 3, None, 1)  # None: gamma = 1/D, as polynomial_kernel
    assert (IS_SPLITS, IS_SEED) == (DEFAULTS["isc_splits"], DEFAULTS["rng_seed"])
    assert NEIGHBOURHOOD == DEFAULTS["prc_neighborhood"]


def test_inception_score_equals_torch_fidelitys_on_the_same_logits(fidelity):
    import torch

    _, metric_isc, _ = fidelity[:3]
    rng = np.random.default_rng(3)
    logits = rng.standard_normal((503, 1008)) * 3 + rng.standard_normal(1008)  # 503: splits of unequal size
    reference = metric_isc.isc_features_to_metric(torch.from_numpy(logits), splits=10, shuffle=True, rng_seed=2020)
    mean, std = inception_score(logits)
    assert mean == pytest.approx(reference["inception_score_mean"], rel=RTOL)
    assert std == pytest.approx(reference["inception_score_std"], rel=RTOL)
    assert mean > 2 and std > 0


def direct_precision_recall(real, fake, k=3):
    """Kynkaanniemi et al. read literally: one point at a time, distances by np.linalg.norm of the difference."""

    def radii(points):
        return [np.sort([np.linalg.norm(point - other) for j, other in enumerate(points) if j != i])[k - 1]
                for i, point in enumerate(points)]

    def covered(queries, centres, centre_radii):
        return np.mean([any(np.linalg.norm(query - centre) <= radius for centre, radius in zip(centres, centre_radii))
                        for query in queries])

    return covered(fake, real, radii(real)), covered(real, fake, radii(fake))


def test_precision_recall_equals_a_direct_implementation_and_torch_fidelitys(fidelity):
    import torch

    _, _, metric_prc = fidelity[:3]
    rng = np.random.default_rng(4)
    real, fake = correlated_features(rng, 90, 6), correlated_features(rng, 70, 6, shift=0.3) * 0.8
    direct = direct_precision_recall(real, fake)
    reference = metric_prc.calculate_precision_recall_full(torch.from_numpy(fake), torch.from_numpy(real), 3, 10000)
    ours = precision_recall(real, fake, chunk_rows=16)  # several chunks per side
    assert ours == pytest.approx(direct, rel=RTOL)
    assert ours == pytest.approx(reference, rel=RTOL)
    assert 0.05 < ours[0] < 0.95 and 0.05 < ours[1] < 0.95  # neither trivially 0 nor 1


def test_precision_recall_equals_the_direct_implementation_without_the_tools():
    rng = np.random.default_rng(5)
    real, fake = correlated_features(rng, 60, 5), correlated_features(rng, 45, 5, shift=0.6)
    assert precision_recall(real, fake, chunk_rows=7) == pytest.approx(direct_precision_recall(real, fake), rel=RTOL)


@pytest.mark.parametrize("shape", [(3, 32, 32), (3, 23, 40), (1, 11, 11)])
def test_ssim_equals_scikit_images_structural_similarity(shape):
    skimage_metrics = pytest.importorskip("skimage.metrics")
    rng = np.random.default_rng(6)
    x = rng.random((4, *shape))
    y = np.clip(x + 0.3 * rng.standard_normal(x.shape), 0, 1)
    reference = [skimage_metrics.structural_similarity(a, b, channel_axis=0, gaussian_weights=True, sigma=1.5,
                                                       use_sample_covariance=False, data_range=1.0)
                 for a, b in zip(x, y)]
    np.testing.assert_allclose(ssim(x, y), reference, rtol=RTOL)
    np.testing.assert_allclose(ms_ssim(x, y, scales=1), reference, rtol=RTOL)  # one scale: SSIM itself
    assert 0.1 < min(reference) < 0.9
