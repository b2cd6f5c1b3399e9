"""SSIM (Wang et al., 2004), MS-SSIM (Wang, Simoncelli and Bovik, 2003), and MS-SSIM as a
measure of sample diversity (Odena, Olah and Shlens, 2017).

SSIM compares two images window by window. With Gaussian-weighted local means mu,
variances sigma^2 and covariance sigma_xy (an 11-tap window, sigma 1.5), and the
constants C1 = (0.01 L)^2, C2 = (0.03 L)^2 for the data range L:

    l  = (2 mu_x mu_y + C1) / (mu_x^2 + mu_y^2 + C1)          luminance
    cs = (2 sigma_xy + C2) / (sigma_x^2 + sigma_y^2 + C2)      contrast-structure
    SSIM = mean over the windows of l * cs

The mean runs over the windows that lie wholly inside the image, which is exactly
what scikit-image's structural_similarity(gaussian_weights=True, sigma=1.5,
use_sample_covariance=False) averages after it crops its border; a colour image's
SSIM is the mean over its channels.

MS-SSIM repeats this on the image halved M - 1 times (2x2 means), and combines
the contrast-structure of the finer scales with the full SSIM of the coarsest:

    MS-SSIM = SSIM_M^(w_M) * prod_{j<M} cs_j^(w_j)

with Wang et al.'s weights w = (0.0448, 0.2856, 0.3001, 0.2363, 0.1333), per channel,
then averaged over the channels (as TensorFlow and pytorch-msssim do; negative
values are clipped to 0 before the fractional powers). Five scales need images of at
least 176 pixels; smaller images use as many scales as keep 11 pixels at the
coarsest (64x64: 3, 32x32: 2) and the first M weights rescaled to sum to 1.

Odena et al. judged the diversity of a GAN's samples by the mean MS-SSIM of random
pairs of samples: near 1 when the samples are near copies of each other (mode
collapse), lower for diverse samples, and to be compared with the same figure on
pairs of real images.
"""

import numpy as np

from ..backend import to_numpy
from .errors import EvaluationError

SIGMA = 1.5
RADIUS = 5  # int(3.5 * sigma + 0.5): scipy's gaussian_filter with scikit-image's truncate=3.5, 11 taps
K1, K2 = 0.01, 0.03
MS_SSIM_WEIGHTS = (0.0448, 0.2856, 0.3001, 0.2363, 0.1333)
DIVERSITY_PAIRS = 1000


def gaussian_window(sigma=SIGMA, radius=RADIUS):
    """The normalised 1-D Gaussian (2 radius + 1,): w_t proportional to exp(-t^2 / (2 sigma^2))."""
    taps = np.arange(-radius, radius + 1)
    window = np.exp(-0.5 / sigma**2 * taps**2)
    return window / window.sum()


def filter_valid(images, window):
    """Gaussian-weighted local means over every window inside the image: (..., H, W) -> (..., H-10, W-10).

    Separable: the 1-D window along the rows, then along the columns.
    """
    taps = len(window)
    height, width = images.shape[-2] - taps + 1, images.shape[-1] - taps + 1
    rows = sum(weight * images[..., tap : tap + height, :] for tap, weight in enumerate(window))
    return sum(weight * rows[..., :, tap : tap + width] for tap, weight in enumerate(window))


def ssim_terms(x, y, data_range=1.0):
    """The maps of l * cs and of cs for images x, y (..., H, W): float64, (..., H-10, W-10) each."""
    window = gaussian_window()
    c1, c2 = (K1 * data_range) ** 2, (K2 * data_range) ** 2
    mu_x, mu_y = filter_valid(x, window), filter_valid(y, window)
    var_x = filter_valid(x * x, window) - mu_x * mu_x  # sigma_x^2 = E[x^2] - mu_x^2
    var_y = filter_valid(y * y, window) - mu_y * mu_y
    cov_xy = filter_valid(x * y, window) - mu_x * mu_y  # sigma_xy = E[xy] - mu_x mu_y
    luminance = (2 * mu_x * mu_y + c1) / (mu_x**2 + mu_y**2 + c1)
    contrast_structure = (2 * cov_xy + c2) / (var_x + var_y + c2)
    return luminance * contrast_structure, contrast_structure


def _as_images(x, y):
    x, y = (np.asarray(to_numpy(image), dtype=np.float64) for image in (x, y))
    if x.shape != y.shape or x.ndim != 4:
        raise EvaluationError(f"SSIM compares images of the same shape (N, C, H, W), got {x.shape} and {y.shape}")
    if min(x.shape[-2:]) < 2 * RADIUS + 1:
        raise EvaluationError(f"SSIM's window is {2 * RADIUS + 1} pixels wide; the images are only "
                              f"{x.shape[-2]}x{x.shape[-1]}")
    return x, y


def ssim(x, y, data_range=1.0):
    """SSIM of each pair of images x[i], y[i]: (N, C, H, W) each, values within data_range -> (N,) float64."""
    x, y = _as_images(x, y)
    ssim_map, _ = ssim_terms(x, y, data_range)
    return ssim_map.mean(axis=(1, 2, 3))


def ms_ssim_scales(size, most=len(MS_SSIM_WEIGHTS)):
    """How many scales an image of side `size` allows: halvings that keep 2 * RADIUS + 1 pixels, at most 5."""
    scales = 1
    while scales < most and size // 2**scales >= 2 * RADIUS + 1:
        scales += 1
    return scales


def halve(images):
    """2x2 means: (..., H, W) -> (..., H // 2, W // 2); an odd last row or column is dropped."""
    height, width = images.shape[-2] // 2 * 2, images.shape[-1] // 2 * 2
    images = images[..., :height, :width]
    return (images[..., 0::2, 0::2] + images[..., 1::2, 0::2] + images[..., 0::2, 1::2] + images[..., 1::2, 1::2]) / 4


def ms_ssim(x, y, data_range=1.0, scales=None):
    """MS-SSIM of each pair x[i], y[i]: (N, C, H, W) each -> (N,) float64.

    scales: how many (default: as many as the image size allows, at most 5).
    """
    x, y = _as_images(x, y)
    scales = scales or ms_ssim_scales(min(x.shape[-2:]))
    weights = np.array(MS_SSIM_WEIGHTS[:scales]) / sum(MS_SSIM_WEIGHTS[:scales])
    product = np.ones(x.shape[:2])
    for scale, weight in enumerate(weights):
        ssim_map, cs_map = ssim_terms(x, y, data_range)
        last = scale == scales - 1
        value = (ssim_map if last else cs_map).mean(axis=(2, 3))  # (N, C): SSIM_M at the coarsest, cs_j before
        product *= np.maximum(value, 0.0) ** weight
        if not last:
            x, y = halve(x), halve(y)
    return product.mean(axis=1)


def ms_ssim_diversity(images, pairs=DIVERSITY_PAIRS, seed=0, chunk=100):
    """Mean MS-SSIM of `pairs` random pairs of different images: images uint8 (N, C, H, W), or floats in [0, 1].

    Pairs are drawn with replacement from all N(N-1) ordered pairs by default_rng(seed).
    """
    images = to_numpy(images)
    if len(images) < 2:
        raise EvaluationError(f"MS-SSIM diversity needs at least 2 images to pair, got {len(images)}")
    scale = 255.0 if images.dtype == np.uint8 else 1.0
    rng = np.random.default_rng(seed)
    first = rng.integers(len(images), size=pairs)
    second = (first + rng.integers(1, len(images), size=pairs)) % len(images)  # never the same image
    values = [ms_ssim(images[first[start : start + chunk]] / scale, images[second[start : start + chunk]] / scale)
              for start in range(0, pairs, chunk)]
    return float(np.concatenate(values).mean())
