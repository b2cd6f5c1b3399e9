"""Evaluating a GAN: FID, KID, Inception Score, precision/recall, MS-SSIM, D accuracy (docs/evaluation.md).

Each metric equals the reference tool's on the same features or images (tests/test_metrics_reference.py):

    statistics.py         FeatureStatistics: mean and covariance in float64, batch by batch; save/load
    fid.py                frechet_distance: pytorch-fid's calculate_frechet_distance
    kid.py                kernel_inception_distance: torch-fidelity's KID
    inception_score.py    inception_score: torch-fidelity's IS
    precision_recall.py   precision_recall: Kynkaanniemi et al. (2019), k = 3
    ssim.py               ssim (scikit-image's), ms_ssim, ms_ssim_diversity (Odena et al., 2017)
    discriminator.py      discriminator_accuracy on held-out real images and on samples

and how images reach them, streamed in batches:

    features.py    FeatureExtractor, load_inception (pytorch-fid's network), inception_features
    sources.py     image folders and zips, synthetic faces, arrays, a generator's samples
    sides.py       Side: one side measured in one pass; the cache of real sides
    evaluate.py    compare two Sides by metric name; the summary line
"""

from .discriminator import discriminator_accuracy
from .errors import EvaluationError
from .evaluate import DEFAULT_METRICS, METRICS, compare, summary_line
from .features import FeatureExtractor, inception_features, load_inception
from .fid import fid_from_statistics, frechet_distance
from .inception_score import inception_score
from .kid import kernel_inception_distance
from .precision_recall import precision_recall
from .sides import Side, load_side, measure_side, real_side, save_side
from .sources import ArraySource, FolderSource, GeneratorSource, SyntheticSource
from .ssim import ms_ssim, ms_ssim_diversity, ssim
from .statistics import FeatureStatistics

__all__ = [
    "ArraySource", "DEFAULT_METRICS", "EvaluationError", "FeatureExtractor", "FeatureStatistics", "FolderSource",
    "GeneratorSource", "METRICS", "Side", "SyntheticSource", "compare", "discriminator_accuracy",
    "fid_from_statistics", "frechet_distance", "inception_features", "inception_score", "kernel_inception_distance",
    "load_inception", "load_side", "measure_side", "ms_ssim", "ms_ssim_diversity", "precision_recall", "real_side",
    "save_side", "ssim", "summary_line",
]
