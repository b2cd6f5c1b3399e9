"""CelebA: decode the aligned face JPEGs into square RGB arrays, once, into a cache.

Each image is resized so that its short side is image_size, then centre-cropped
to a square, as the PyTorch DCGAN tutorial's Resize(64) + CenterCrop(64):

    178 x 218 (W x H)  --resize-->  64 x 78  --centre crop-->  64 x 64

(The article's Resize(64) alone gives 64x78 images that no 64x64 model takes.)
The first run decodes every image, with a progress bar and an ETA, into a uint8
cache (see cache.py); later runs memory-map that cache and start in seconds.
Images that cannot be decoded (truncated, corrupt, not really a JPEG) are
skipped and counted in one warning.
"""

import io
import warnings
import zipfile

import numpy as np
from PIL import Image, UnidentifiedImageError
from tqdm import tqdm

from .cache import cache_path, load_cache, write_cache
from .errors import WHERE_TO_GET_CELEBA, DataError
from .image_files import find_image_files

# What Pillow and zipfile raise for a file that is not a decodable image.
UNREADABLE_IMAGE_ERRORS = (OSError, zipfile.BadZipFile, Image.DecompressionBombError)


def decode_image(encoded, image_size):
    """The bytes of a JPEG or PNG -> uint8 (3, image_size, image_size), RGB.

    Resize so the short side is image_size (bicubic, antialiased), then crop the centre square.
    """
    with Image.open(io.BytesIO(encoded)) as image:
        image = image.convert("RGB")  # decodes the whole file: a truncated one fails here
    width, height = image.size
    scale = image_size / min(width, height)
    resized_width, resized_height = max(image_size, round(width * scale)), max(image_size, round(height * scale))
    image = image.resize((resized_width, resized_height), Image.Resampling.BICUBIC)
    left, top = (resized_width - image_size) // 2, (resized_height - image_size) // 2
    image = image.crop((left, top, left + image_size, top + image_size))
    return np.asarray(image).transpose(2, 0, 1)  # (H, W, 3) -> (3, H, W)


def load_celeba(path, image_size, cache_dir, progress=True, limit=None):
    """CelebA (or any folder or zip of face images) at `path`, through the cache.

    Returns (images, source, cache_file): images is uint8 (N, 3, image_size, image_size),
    memory-mapped read-only from cache_file; source is the resolved folder or zip.
    limit: use only the first `limit` image files in name order.
    Raises DataError when `path` holds no images, or none of them can be decoded.
    """
    with find_image_files(path) as files:
        names = files.names[:limit]
        image_shape = (3, image_size, image_size)
        cache_file = cache_path(cache_dir, "celeba", files.fingerprint, image_size, len(names))
        images = load_cache(cache_file, image_shape)
        if images is None:
            _build_cache(files, names, image_size, cache_file, progress)
            images = load_cache(cache_file, image_shape)
    return images, files.path, cache_file


def _build_cache(files, names, image_size, cache_file, progress):
    unreadable = []  # (name, reason) of each file that failed to decode
    progress_bar = tqdm(names, desc=f"caching {image_size}x{image_size} images (once)", unit="img",
                        disable=not progress, dynamic_ncols=True)
    decoded = _decoded_images(files, progress_bar, image_size, unreadable)
    with progress_bar:
        written = write_cache(cache_file, decoded, len(names), (3, image_size, image_size))
    if written == 0:
        name, reason = unreadable[0]
        raise DataError(
            f"none of the {len(names)} image files in {files.path} could be decoded (the first, {name}: {reason}). "
            f"{WHERE_TO_GET_CELEBA}"
        )
    if unreadable:
        name, reason = unreadable[0]
        warnings.warn(
            f"skipped {len(unreadable)} of {len(names)} image files in {files.path} that could not be decoded "
            f"(the first, {name}: {reason}); the cache holds the other {written}"
        )


def _decoded_images(files, names, image_size, unreadable):
    """Yield each decodable image as uint8 (3, S, S); append (name, reason) to `unreadable` for the others."""
    for name in names:
        try:
            image = decode_image(files.read(name), image_size)
        except UNREADABLE_IMAGE_ERRORS as error:
            reason = "not an image Pillow can read" if isinstance(error, UnidentifiedImageError) else str(error)
            unreadable.append((name, reason))
            continue
        yield image
