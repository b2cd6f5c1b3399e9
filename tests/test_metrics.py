"""The metrics of nanogan/metrics/ on cases whose answer is known: closed forms, identical and disjoint
distributions, loop-by-loop references, and every error a user can meet. (tests/test_metrics_reference.py
holds them to the reference tools.)"""

import os

import numpy as np
import pytest

from helpers import random_array
from nanogan import nn
from nanogan.backend import get_array_module, to_backend
from nanogan.metrics import (EvaluationError, FeatureStatistics, discriminator_accuracy, frechet_distance,
                             inception_features, inception_score, kernel_inception_distance, ms_ssim,
                             ms_ssim_diversity, precision_recall, ssim)
from nanogan.metrics.kid import mmd2_unbiased, polynomial_kernel
from nanogan.metrics.ssim import gaussian_window, halve, ms_ssim_scales
from feature_standin import StandInInception, uint8_images


# -- feature statistics --------------------------------------------------------------------------------------


def test_statistics_merged_batch_by_batch_equal_np_mean_and_np_cov(backend):
    rng = np.random.default_rng(0)
    features = rng.standard_normal((257, 12)) @ rng.standard_normal((12, 12))
    statistics = FeatureStatistics(12)
    for batch in np.array_split(features, [1, 2, 50, 200]):  # a batch of one row, too
        statistics.update(random_array(rng, (0, 12), backend))  # an empty batch changes nothing
        statistics.update(to_backend(batch, backend))
    assert statistics.count == 257
    np.testing.assert_allclose(statistics.mean, features.mean(axis=0), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(statistics.covariance, np.cov(features, rowvar=False), rtol=1e-10, atol=1e-12)


def test_statistics_stay_accurate_far_from_the_origin():
    """sum(x x^T) - N mu mu^T would lose every digit here; the pairwise merge loses none."""
    rng = np.random.default_rng(1)
    features = 1e6 + rng.standard_normal((1000, 4))
    statistics = FeatureStatistics(4)
    for batch in np.array_split(features, 10):
        statistics.update(batch)
    np.testing.assert_allclose(statistics.covariance, np.cov(features, rowvar=False), rtol=1e-7, atol=1e-9)


def test_statistics_save_and_load_round_trip_and_keep_accumulating(tmp_path):
    rng = np.random.default_rng(2)
    first, second = rng.standard_normal((30, 5)), rng.standard_normal((20, 5))
    path = FeatureStatistics.from_features(first).save(tmp_path / "stats.npz")
    assert os.listdir(tmp_path) == ["stats.npz"]  # written through a temporary file, renamed
    loaded = FeatureStatistics.load(path).update(second)
    both = np.concatenate([first, second])
    assert loaded.count == 50
    np.testing.assert_allclose(loaded.covariance, np.cov(both, rowvar=False), rtol=1e-12)


def test_a_pytorch_fid_statistics_file_loads_with_an_unknown_count(tmp_path):
    mu, sigma = np.arange(3.0), np.diag([1.0, 2.0, 3.0])
    np.savez(tmp_path / "pytorch_fid.npz", mu=mu, sigma=sigma)  # what pytorch-fid --save-stats writes
    statistics = FeatureStatistics.load(tmp_path / "pytorch_fid.npz")
    assert statistics.count is None
    np.testing.assert_array_equal(statistics.covariance, sigma)
    with pytest.raises(EvaluationError, match="unknown count"):
        statistics.update(np.zeros((2, 3)))


@pytest.mark.parametrize("content, message", [(None, "does not exist"), (b"not a zip", "cannot read"),
                                              ("other arrays", "holds no feature statistics")])
def test_a_bad_statistics_file_is_one_clear_error(tmp_path, content, message):
    path = tmp_path / "stats.npz"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content:
        np.savez(path, weights=np.zeros(3))
    with pytest.raises(EvaluationError, match=message):
        FeatureStatistics.load(path)


def test_a_covariance_needs_two_vectors_and_features_of_the_declared_length():
    with pytest.raises(EvaluationError, match="at least 2"):
        _ = FeatureStatistics.from_features(np.zeros((1, 3))).covariance
    with pytest.raises(EvaluationError, match=r"shape \(n, 3\)"):
        FeatureStatistics(3).update(np.zeros((4, 2)))


# -- FID ------------------------------------------------------------------------------------------------------


def test_fid_of_diagonal_gaussians_is_the_closed_form():
    """For commuting covariances: |mu1 - mu2|^2 + sum (sqrt(a_i) - sqrt(b_i))^2."""
    mu1, mu2 = np.array([0.0, 1.0, 2.0]), np.array([1.0, 1.0, 0.0])
    a, b = np.array([1.0, 4.0, 9.0]), np.array([4.0, 1.0, 0.25])
    expected = np.sum((mu1 - mu2) ** 2) + np.sum((np.sqrt(a) - np.sqrt(b)) ** 2)
    assert frechet_distance(mu1, np.diag(a), mu2, np.diag(b)) == pytest.approx(expected, rel=1e-12)


def test_fid_of_one_distribution_with_itself_is_zero():
    rng = np.random.default_rng(3)
    statistics = FeatureStatistics.from_features(rng.standard_normal((200, 8)))
    assert abs(frechet_distance(statistics.mean, statistics.covariance, statistics.mean,
                                statistics.covariance)) < 1e-10


def test_fid_of_statistics_of_different_features_is_refused():
    with pytest.raises(EvaluationError, match="same features"):
        frechet_distance(np.zeros(3), np.eye(3), np.zeros(4), np.eye(4))


# -- KID ------------------------------------------------------------------------------------------------------


def test_unbiased_mmd_equals_its_definition_as_sums_over_pairs():
    rng = np.random.default_rng(4)
    x, y = rng.standard_normal((6, 3)), rng.standard_normal((6, 3)) + 0.5

    def k(a, b):
        return (a @ b / 3 + 1) ** 3

    within = sum(k(x[i], x[j]) + k(y[i], y[j]) for i in range(6) for j in range(6) if i != j) / (6 * 5)
    across = sum(k(x[i], y[j]) for i in range(6) for j in range(6)) / 36
    kernels = polynomial_kernel(x, x), polynomial_kernel(x, y), polynomial_kernel(y, y)
    assert mmd2_unbiased(*kernels) == pytest.approx(within - 2 * across, rel=1e-12)


def test_kid_is_near_zero_for_one_distribution_and_clearly_positive_for_two():
    rng = np.random.default_rng(5)
    real, same, shifted = (rng.standard_normal((150, 4)) for _ in range(3))
    mean_same, std_same = kernel_inception_distance(real, same, subsets=20, subset_size=100)
    mean_shifted, _ = kernel_inception_distance(real, shifted + 1.0, subsets=20, subset_size=100)
    assert abs(mean_same) < 3 * std_same
    assert mean_shifted > 20 * std_same


def test_kid_with_fewer_samples_than_the_subset_size_says_what_to_do():
    with pytest.raises(EvaluationError, match="subsets of 1000 features.*got 999 real and 2000 fake.*at least 1000"):
        kernel_inception_distance(np.zeros((999, 2)), np.zeros((2000, 2)))


# -- Inception Score ------------------------------------------------------------------------------------------


def test_inception_score_is_one_for_identical_predictions_and_the_class_count_for_sharp_distinct_ones():
    assert inception_score(np.zeros((40, 7))) == pytest.approx((1.0, 0.0), abs=1e-12)
    sharp = np.full((100, 5), -1e3)
    sharp[np.arange(100), np.arange(100) % 5] = 0.0  # each image one class, every class equally often
    mean, std = inception_score(sharp, shuffle=False)  # every split of 10 holds each class twice
    assert mean == pytest.approx(5.0, rel=1e-9) and std == pytest.approx(0.0, abs=1e-9)


def test_inception_score_needs_an_image_per_split():
    with pytest.raises(EvaluationError, match="N >= 10"):
        inception_score(np.zeros((9, 3)))


# -- precision and recall -------------------------------------------------------------------------------------


def test_precision_and_recall_are_one_for_one_set_and_zero_for_distant_sets():
    rng = np.random.default_rng(6)
    real = rng.standard_normal((40, 3))
    assert precision_recall(real, real.copy()) == (1.0, 1.0)
    assert precision_recall(real, real + 100.0) == (0.0, 0.0)


def test_samples_from_one_corner_of_the_data_have_precision_but_no_recall():
    rng = np.random.default_rng(7)
    real = rng.standard_normal((400, 2))
    collapsed = real[np.argsort(np.linalg.norm(real - [1.0, 1.0], axis=1))[:40]]  # the 40 reals nearest one point
    precision, recall = precision_recall(real, collapsed)
    assert precision == 1.0 and recall < 0.3


def test_precision_and_recall_do_not_depend_on_the_chunk_size():
    rng = np.random.default_rng(8)
    real, fake = rng.standard_normal((50, 4)), rng.standard_normal((33, 4)) * 1.3
    assert precision_recall(real, fake, chunk_rows=5) == precision_recall(real, fake, chunk_rows=1000)


def test_precision_and_recall_need_more_points_than_k():
    with pytest.raises(EvaluationError, match="more than k = 3"):
        precision_recall(np.zeros((3, 2)), np.zeros((10, 2)))


# -- SSIM and MS-SSIM -----------------------------------------------------------------------------------------


def loop_ssim(x, y, data_range=1.0):
    """SSIM of two (H, W) images window by window: the 11x11 Gaussian weights, each statistic a weighted sum."""
    window = np.outer(gaussian_window(), gaussian_window())
    c1, c2 = (0.01 * data_range) ** 2, (0.03 * data_range) ** 2
    values = []
    for top in range(x.shape[0] - 10):
        for left in range(x.shape[1] - 10):
            a, b = x[top : top + 11, left : left + 11], y[top : top + 11, left : left + 11]
            mu_a, mu_b = (window * a).sum(), (window * b).sum()
            var_a, var_b = (window * (a - mu_a) ** 2).sum(), (window * (b - mu_b) ** 2).sum()
            cov = (window * (a - mu_a) * (b - mu_b)).sum()
            values.append((2 * mu_a * mu_b + c1) * (2 * cov + c2) / ((mu_a**2 + mu_b**2 + c1) * (var_a + var_b + c2)))
    return np.mean(values)


def test_ssim_equals_the_window_by_window_definition():
    rng = np.random.default_rng(9)
    x = rng.random((2, 2, 14, 17)) * 2.0
    y = x + 0.2 * rng.standard_normal(x.shape)
    expected = [np.mean([loop_ssim(x[n, c], y[n, c], 2.0) for c in range(2)]) for n in range(2)]
    np.testing.assert_allclose(ssim(x, y, data_range=2.0), expected, rtol=1e-10)


def test_ssim_and_ms_ssim_are_one_for_identical_images_and_fall_with_noise():
    rng = np.random.default_rng(10)
    x = rng.random((1, 3, 64, 64))
    slightly, badly = np.clip(x + 0.05 * rng.standard_normal(x.shape), 0, 1), rng.random(x.shape)
    assert ssim(x, x)[0] == pytest.approx(1.0) and ms_ssim(x, x)[0] == pytest.approx(1.0)
    assert 1.0 > ms_ssim(x, slightly)[0] > ms_ssim(x, badly)[0]


def test_ms_ssim_uses_as_many_scales_as_keep_the_window_inside_the_image():
    assert [ms_ssim_scales(size) for size in (11, 21, 22, 32, 64, 175, 176, 1024)] == [1, 1, 2, 2, 3, 4, 5, 5]
    image = np.arange(2 * 5.0).reshape(1, 2, 5)
    np.testing.assert_array_equal(halve(image), [[[3.0, 5.0]]])  # (0+1+5+6)/4, (2+3+7+8)/4; 4, 9 dropped
    with pytest.raises(EvaluationError, match="11 pixels wide"):
        ms_ssim(np.zeros((1, 1, 10, 10)), np.zeros((1, 1, 10, 10)))


def test_ms_ssim_diversity_is_one_for_copies_and_low_for_independent_noise():
    rng = np.random.default_rng(11)
    copies = np.repeat(uint8_images(rng, 1, 32), 8, axis=0)
    assert ms_ssim_diversity(copies, pairs=20) == pytest.approx(1.0)
    assert ms_ssim_diversity(uint8_images(rng, 8, 32), pairs=20) < 0.1
    with pytest.raises(EvaluationError, match="at least 2 images"):
        ms_ssim_diversity(copies[:1])


# -- the feature network and the discriminator ----------------------------------------------------------------


def test_inception_features_run_the_network_in_eval_mode_on_its_backend(backend):
    rng = np.random.default_rng(12)
    images = uint8_images(rng, 5, 20)
    on_numpy, on_backend = StandInInception(), StandInInception().to(backend)
    pool, logits = inception_features(images, on_backend)
    assert on_backend.training  # the training flag is restored
    assert pool.shape == (5, 16) and logits.shape == (5, 10) and pool.dtype == np.float32
    np.testing.assert_allclose(pool, inception_features(images, on_numpy)[0], rtol=1e-5, atol=1e-6)
    with pytest.raises(EvaluationError, match="uint8 RGB images"):
        inception_features(images.astype(np.float32), on_backend)


class Brightness(nn.Module):
    """D(x) = the fraction of pixels above 0: bright images look real. Its weight only marks its backend."""

    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(np.zeros(1, dtype=np.float32))

    def forward(self, images):
        xp = get_array_module(images)
        return xp.mean((images > 0).astype(images.dtype), axis=(1, 2, 3))


def test_discriminator_accuracy_counts_real_images_called_real_and_samples_called_fake(backend):
    bright, dark = np.full((6, 3, 8, 8), 230, np.uint8), np.full((4, 3, 8, 8), 20, np.uint8)
    discriminator = Brightness().to(backend)
    assert discriminator_accuracy(discriminator, [bright[:4], bright[4:]], [dark]) == (1.0, 1.0)
    assert discriminator_accuracy(discriminator, [dark], [bright, dark]) == (0.0, 0.4)
