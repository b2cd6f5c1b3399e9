"""open_dataset: the images a GAN trains on, CelebA when it is on disk and synthetic faces otherwise.

    dataset = open_dataset(args.data, image_size=64)
    if not dataset.is_celeba:
        print(dataset.notice)
    loader = BatchLoader(dataset.images, batch_size=128, seed=0)

`data` chooses the images:
    None          CelebA from the first of DEFAULT_CELEBA_PATHS that exists,
                  data/celeba/img_align_celeba.zip then data/celeba/img_align_celeba/,
                  relative to the folder the program runs from (the repository
                  root in the README's commands); synthetic faces when neither exists.
                  One that exists but holds no usable images is a DataError, not
                  a quiet switch to the synthetic faces.
    "synthetic"   the built-in synthetic faces, asked for explicitly
    a path        img_align_celeba.zip, the img_align_celeba/ folder, or a folder holding either

CelebA goes through the uint8 cache in `cache_dir`, by default data/cache/ next
to data/celeba/, whatever folder or zip `data` names (all 202,599 images take
0.6 GB at 32x32, 2.5 GB at 64x64; the folder can be deleted at any time).
Synthetic faces are drawn in memory on each run: 10,000 take a few seconds.
"""

import os
from dataclasses import dataclass
from numbers import Integral

import numpy as np

from .celeba import load_celeba
from .errors import CELEBA_PAGE, DEFAULT_CELEBA_PATHS
from .synthetic import synthetic_faces

DEFAULT_CACHE_DIR = "data/cache"
SYNTHETIC = "synthetic"  # the `data` value that asks for the synthetic faces
SYNTHETIC_SIZE = 10_000  # images in the built-in dataset
SYNTHETIC_SEED = 0  # the built-in dataset is the same on every run and every machine


@dataclass
class Dataset:
    """Images to train on, with where they came from."""

    images: np.ndarray  # uint8 (N, 3, S, S), RGB in 0..255; memory-mapped from the cache for CelebA
    name: str  # "CelebA" or "synthetic faces"
    source: str  # the resolved zip or folder, or how the synthetic faces were made
    is_celeba: bool  # False for the synthetic faces
    notice: str = ""  # for the synthetic faces: the loud text to print, saying this is not CelebA
    cache_path: str | None = None  # the cache file the images are mapped from (CelebA only)

    def __len__(self):
        return len(self.images)

    @property
    def image_size(self):
        """The images' side in pixels: they are (N, 3, image_size, image_size)."""
        return self.images.shape[-1]


def open_dataset(data=None, image_size=64, cache_dir=None, progress=True, limit=None):
    """The dataset chosen by `data` (None, "synthetic" or a path; see the module docstring).

    image_size: side of the square images, in pixels
    cache_dir: where CelebA's cache goes (default data/cache)
    progress: show a progress bar while CelebA is cached or the synthetic faces are drawn
    limit: use at most this many images (the first in name order for CelebA)
    Raises DataError when `data` names a path that holds no usable images.
    """
    if not isinstance(image_size, Integral) or image_size < 1:
        raise ValueError(f"open_dataset: expected image_size to be a positive integer, got {image_size!r}")
    if limit is not None and (not isinstance(limit, Integral) or limit < 1):
        raise ValueError(f"open_dataset: expected limit to be None or a positive integer, got {limit!r}")
    if data == SYNTHETIC:
        return _synthetic_dataset(image_size, progress, limit, reason="because --data synthetic asked for them")
    if data is None:
        data = next((path for path in DEFAULT_CELEBA_PATHS if os.path.exists(path)), None)
        if data is None:
            reason = f"because there is no CelebA at {' or '.join(DEFAULT_CELEBA_PATHS)}"
            return _synthetic_dataset(image_size, progress, limit, reason)
    images, source, cache_file = load_celeba(data, image_size, cache_dir or DEFAULT_CACHE_DIR, progress, limit)
    return Dataset(images=images, name="CelebA", source=source, is_celeba=True, cache_path=cache_file)


def _synthetic_dataset(image_size, progress, limit, reason):
    count = min(limit or SYNTHETIC_SIZE, SYNTHETIC_SIZE)
    images = synthetic_faces(count, image_size, SYNTHETIC_SEED, progress=progress)
    source = f"synthetic_faces(n={count}, image_size={image_size}, seed={SYNTHETIC_SEED})"
    return Dataset(images=images, name="synthetic faces", source=source, is_celeba=False,
                   notice=_synthetic_notice(count, image_size, reason))


def _synthetic_notice(count, image_size, reason):
    rule = "!" * 80
    return "\n".join([
        rule,
        f"  NOT CelebA: training on {count:,} synthetic {image_size}x{image_size} faces that nanogan draws itself,",
        f"  {reason}.",
        "  To train on CelebA, download img_align_celeba.zip by hand from the official CelebA page",
        f'  {CELEBA_PAGE} ("Align&Cropped Images": 202,599 JPEGs of 178x218),',
        f"  then put it at {DEFAULT_CELEBA_PATHS[0]} or pass --data PATH",
        "  (the zip itself, the img_align_celeba/ folder it unpacks to, or a folder holding either).",
        rule,
    ])
