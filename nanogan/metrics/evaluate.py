"""Comparing a fake side with a real one: every metric from the two measured Sides, and one summary line.

    real, _ = real_side(FolderSource("data/celeba/img_align_celeba.zip", 64), extractor, 10_000, "data/cache")
    fake = measure_side(GeneratorSource(generator), extractor, 10_000, diversity=True)
    figures = compare(real, fake, ("fid", "kid", "is", "pr", "ms-ssim"))
    print(summary_line(figures, real.count, fake.count))

The metrics by name (the evaluation command's --metrics):

    fid       Frechet Inception Distance (fid.py)                      lower is better, 0 for one distribution
    kid       Kernel Inception Distance, mean and std (kid.py)         lower is better, about 0 for one distribution
    is        Inception Score of the fakes, and of the reals (inception_score.py)   higher is sharper and more varied
    pr        improved precision and recall (precision_recall.py)      fidelity and coverage, each in [0, 1]
    ms-ssim   mean MS-SSIM of random pairs, fakes and reals (ssim.py)  fakes far above reals: mode collapse
    d-acc     the discriminator's accuracy on reals and fakes (discriminator.py)
"""

from .errors import EvaluationError
from .fid import fid_from_statistics
from .kid import SUBSET_SIZE, SUBSETS, kernel_inception_distance
from .precision_recall import NEIGHBOURHOOD, precision_recall
from .ssim import DIVERSITY_PAIRS

METRICS = ("fid", "kid", "is", "pr", "ms-ssim", "d-acc")
DEFAULT_METRICS = ("fid", "kid", "is", "pr", "ms-ssim")


def check_comparable(real, fake, metrics):
    """EvaluationError unless the two Sides were measured alike and hold what `metrics` need."""
    if real.extractor and fake.extractor and real.extractor != fake.extractor:
        raise EvaluationError(f"the real statistics were measured with the network {real.extractor!r} and the fake "
                              f"images with {fake.extractor!r}; measure both sides with one network")
    if real.image_size and fake.image_size and real.image_size != fake.image_size:
        raise EvaluationError(f"the real statistics are of {real.image_size}x{real.image_size} images and the fake "
                              f"images are {fake.image_size}x{fake.image_size}; FID and KID depend on the size, so "
                              f"measure the real images at {fake.image_size}x{fake.image_size}")
    if real.statistics.dims != fake.statistics.dims:
        raise EvaluationError(f"the real statistics have {real.statistics.dims} features and the fake side "
                              f"{fake.statistics.dims}; measure both sides with one network")
    needs_features = [name for name in ("kid", "pr") if name in metrics]
    if needs_features and real.pool is None:
        raise EvaluationError(f"{' and '.join(needs_features)} need the real features, and the real side "
                              f"({real.description}) holds only a mean and a covariance; pass real images, or "
                              f"--metrics fid")
    if "ms-ssim" in metrics and fake.ms_ssim is None:
        raise EvaluationError(f"MS-SSIM needs at least 2 fake images wider than 10 pixels, got {fake.count} of "
                              f"{fake.image_size}x{fake.image_size}")


def compare(real, fake, metrics, kid_subset_size=SUBSET_SIZE):
    """The figures of `metrics` (names from METRICS, d-acc aside) for two Sides, as a JSON-able dict."""
    check_comparable(real, fake, metrics)
    figures = {}
    if "fid" in metrics:
        figures["fid"] = fid_from_statistics(real.statistics, fake.statistics)
    if "kid" in metrics:
        mean, std = kernel_inception_distance(real.pool, fake.pool, subset_size=kid_subset_size)
        figures["kid"] = {"mean": mean, "std": std, "subsets": SUBSETS, "subset_size": kid_subset_size}
    if "is" in metrics:
        if fake.inception_score is None:
            raise EvaluationError(f"the Inception Score needs at least 10 fake images, got {fake.count}")
        figures["inception_score"] = {"fake": list(fake.inception_score),
                                      "real": list(real.inception_score) if real.inception_score else None}
    if "pr" in metrics:
        precision, recall = precision_recall(real.pool, fake.pool)
        figures["precision_recall"] = {"precision": precision, "recall": recall, "k": NEIGHBOURHOOD}
    if "ms-ssim" in metrics:
        figures["ms_ssim"] = {"fake": fake.ms_ssim, "real": real.ms_ssim, "pairs": DIVERSITY_PAIRS}
    return figures


def summary_line(figures, real_count, fake_count):
    """One line: "FID 12.3  KID 0.0123 +- 0.0004  IS 2.31 (real 3.10)  ...  (10,000 fake, 10,000 real)"."""
    parts = []
    if "fid" in figures:
        parts.append(f"FID {figures['fid']:.3f}")
    if "kid" in figures:
        parts.append(f"KID {figures['kid']['mean']:.5f} +- {figures['kid']['std']:.5f}")
    if "inception_score" in figures:
        score = figures["inception_score"]
        real = f" (real {score['real'][0]:.3f})" if score["real"] else ""
        parts.append(f"IS {score['fake'][0]:.3f} +- {score['fake'][1]:.3f}{real}")
    if "precision_recall" in figures:
        parts.append(f"precision {figures['precision_recall']['precision']:.3f}  "
                     f"recall {figures['precision_recall']['recall']:.3f}")
    if "ms_ssim" in figures:
        real = figures["ms_ssim"]["real"]
        parts.append(f"MS-SSIM {figures['ms_ssim']['fake']:.3f}" + (f" (real {real:.3f})" if real is not None else ""))
    if "d_accuracy" in figures:
        parts.append(f"D accuracy real {figures['d_accuracy']['real']:.3f} fake {figures['d_accuracy']['fake']:.3f}")
    real_text = f"{real_count:,} real" if real_count is not None else "real of unknown count"
    return "  ".join(parts) + f"  ({fake_count:,} fake, {real_text})"
