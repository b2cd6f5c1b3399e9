"""Data for the DCGAN: CelebA from disk through a uint8 cache, built-in synthetic faces, batches.

    open_dataset(data, image_size)   CelebA (a zip or folder) or synthetic faces -> Dataset
    synthetic_faces(n, size, seed)   procedurally drawn faces, uint8 (n, 3, size, size)
    ArrayLoader(arrays, batch, seed) shuffled batches of any arrays, resumable exactly
    BatchLoader(images, batch, seed) the same for uint8 images, scaled to [-1, 1]
    DataError                        unusable data, with a one-line message on what to do

    dataset.py      choosing the dataset; the loud notice when it is not CelebA
    image_files.py  finding the images in a folder or a zip
    celeba.py       decoding: resize the short side, centre-crop; building the cache
    cache.py        the .npy cache: its name, atomic writing, memory-mapped reading
    synthetic.py    drawing the faces
    loader.py       the batches
"""

from .dataset import DEFAULT_CACHE_DIR, SYNTHETIC, Dataset, open_dataset
from .errors import DEFAULT_CELEBA_PATHS, DataError
from .loader import ArrayLoader, BatchLoader
from .synthetic import synthetic_faces

__all__ = [
    "ArrayLoader",
    "BatchLoader",
    "DEFAULT_CACHE_DIR",
    "DEFAULT_CELEBA_PATHS",
    "DataError",
    "Dataset",
    "SYNTHETIC",
    "open_dataset",
    "synthetic_faces",
]
