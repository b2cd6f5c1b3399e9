"""One side of an evaluation (the real images or the fake ones), measured in one streamed pass.

    side = measure_side(source, extractor, count=10_000)      # statistics, pool features, IS, MS-SSIM
    side, path = real_side(source, extractor, 10_000, cache_dir="data/cache")   # the same, cached
    side = load_side("real.npz")                               # a saved side, or any statistics file

A real side is measured once and cached, as the image cache does (nanogan/data/cache.py):
one .npz in the cache folder, named after what it was made from,

    data/cache/real-pytorch-fid-inception-v3-64px-10000-3f2a9c0d41b7e856.npz
               network                       size  count hash of (source fingerprint, size, count, network, version)

holding the feature statistics (a FeatureStatistics file, so `--real` takes it, and
pytorch-fid's tools read its mean and covariance), the pool features and, as JSON, the
Inception Score and MS-SSIM of the real images. A changed folder or zip gets a cache
of its own; a damaged cache is measured again. Files are written atomically.
"""

import hashlib
import json
import os
import warnings
from dataclasses import dataclass

import numpy as np
from tqdm import tqdm

from .errors import EvaluationError
from .features import inception_features
from .inception_score import SPLITS, inception_score
from .ssim import RADIUS, ms_ssim_diversity
from .statistics import FeatureStatistics, open_npz

CACHE_VERSION = 1  # bump when what a real side holds, or how it is measured, changes
DIVERSITY_IMAGES = 1000  # MS-SSIM pairs are drawn from the first this many images of a side


@dataclass
class Side:
    """What the metrics need from one side, after one pass through the feature network."""

    statistics: FeatureStatistics  # mean and covariance of the pool features: FID
    pool: np.ndarray | None  # (N, D) float32: KID, precision/recall; None from a file of statistics alone
    inception_score: tuple | None  # (mean, std) over the splits; None with too few images or when unknown
    ms_ssim: float | None  # mean MS-SSIM of random pairs; None when not measured
    image_size: int | None  # side of the images; None when unknown (a pytorch-fid file)
    extractor: str | None  # name of the feature network; None when unknown (a pytorch-fid file)
    description: str  # where the images came from

    @property
    def count(self):
        """How many images the side's statistics were measured on."""
        return self.statistics.count


def measure_side(source, extractor, count, batch_size=50, diversity=False, progress=True, label="images"):
    """Stream min(count, source.available) images of `source` through `extractor` (a FeatureExtractor).

    diversity: also measure the mean MS-SSIM of random pairs (of the first DIVERSITY_IMAGES images).
    """
    count = min(count, source.available)
    statistics, pools, logits, kept, image_size = None, [], [], [], None
    with tqdm(total=count, desc=f"{label}: features", unit="img", disable=not progress, dynamic_ncols=True) as bar:
        for images in source.batches(count, batch_size):
            pool, batch_logits = inception_features(images, extractor.model)
            if statistics is None:
                statistics, image_size = FeatureStatistics(pool.shape[1]), images.shape[-1]
            statistics.update(pool)
            pools.append(pool)
            logits.append(batch_logits)
            if diversity and sum(map(len, kept)) < DIVERSITY_IMAGES:
                kept.append(images)
            bar.update(len(images))
    if statistics is None:
        raise EvaluationError(f"{label}: no images to measure in {source.description}")
    logits = np.concatenate(logits)
    pair_images = np.concatenate(kept)[:DIVERSITY_IMAGES] if kept else np.empty((0, 3, 0, 0), np.uint8)
    pairable = len(pair_images) >= 2 and image_size > 2 * RADIUS  # two images, each wider than the SSIM window
    return Side(statistics=statistics, pool=np.concatenate(pools),
                inception_score=inception_score(logits) if len(logits) >= SPLITS else None,
                ms_ssim=ms_ssim_diversity(pair_images) if pairable else None,
                image_size=image_size, extractor=extractor.name, description=source.description)


def save_side(path, side):
    """Write `side` to an .npz at `path`, atomically: its statistics, pool features and figures."""
    figures = {"inception_score": side.inception_score, "ms_ssim": side.ms_ssim, "image_size": side.image_size,
               "extractor": side.extractor, "description": side.description}
    return side.statistics.save(path, pool=side.pool, side=np.array(json.dumps(figures)))


def load_side(path):
    """A side saved by `save_side`, or a file of statistics alone (FeatureStatistics.save, pytorch-fid's)."""
    statistics = FeatureStatistics.load(path)
    with open_npz(path) as data:
        pool = data["pool"] if "pool" in data.files else None
        figures = json.loads(str(data["side"])) if "side" in data.files else {}
    inception = figures.get("inception_score")
    return Side(statistics=statistics, pool=pool, inception_score=tuple(inception) if inception else None,
                ms_ssim=figures.get("ms_ssim"), image_size=figures.get("image_size"),
                extractor=figures.get("extractor"), description=figures.get("description", f"statistics in {path}"))


def side_cache_path(cache_dir, extractor_name, fingerprint, image_size, count):
    """Where the real side of `count` images of `image_size` from this source, through this network, is cached."""
    key = f"version={CACHE_VERSION}\n{fingerprint}\nimage_size={image_size}\ncount={count}\nnetwork={extractor_name}"
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    return os.path.join(cache_dir, f"real-{extractor_name}-{image_size}px-{count}-{digest}.npz")


def real_side(source, extractor, count, cache_dir, batch_size=50, progress=True):
    """The real side of `source` (all it measures: diversity too), from the cache or measured and cached.

    Returns (side, cache file). A cache that cannot be read is measured again, with a warning;
    one that cannot be written is a warning too: the evaluation goes on.
    """
    count = min(count, source.available)
    path = side_cache_path(cache_dir, extractor.name, source.fingerprint, source.image_size, count)
    if os.path.exists(path):
        try:
            return load_side(path), path
        except EvaluationError as error:
            warnings.warn(f"ignoring the damaged statistics cache ({error}); measuring the real images again")
    side = measure_side(source, extractor, count, batch_size, diversity=True, progress=progress, label="real")
    try:
        os.makedirs(cache_dir, exist_ok=True)
        save_side(path, side)
    except OSError as error:
        warnings.warn(f"cannot write the statistics cache {path} ({error.strerror or error}); it will be measured "
                      f"again next time (choose a writable --cache-dir)")
    return side, path
