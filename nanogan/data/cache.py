"""The image cache: decode a dataset once into a uint8 .npy file, memory-map it on every later run.

A cache is one .npy file holding uint8 images (N, 3, S, S), named after what it was made from:

    data/cache/celeba-64px-202599-3f2a9c0d41b7e856.npy
               name   size  files  hash of (source fingerprint, size, files, CACHE_VERSION)

The source's fingerprint is its resolved path plus what changes when it changes (a zip's
size and modification time, a folder's listing), so a changed source, another
image size or another `limit` gets a cache of its own and a stale one is never read.
Old caches are not deleted: remove the cache folder whenever you like, it is rebuilt.

A cache is written to a temporary name in the same folder (ending in .partial) and
renamed with os.replace only once it is complete. Renaming within a folder is atomic,
so a run interrupted while writing never leaves a file under the cache's name, and
a cache that is already there is only ever replaced by a complete one.
"""

import hashlib
import math
import os
import shutil
import tempfile
import warnings

import numpy as np

from .errors import DataError

CACHE_VERSION = 1  # bump when the preprocessing changes, so that older caches are not reused
NPY_HEADER_BYTES = 128  # room for the .npy header, in the free-space check


def cache_path(cache_dir, name, fingerprint, image_size, count):
    """Where the cache of `count` images of `image_size` from a source with this fingerprint lives."""
    key = f"version={CACHE_VERSION}\n{fingerprint}\nimage_size={image_size}\ncount={count}"
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    return os.path.join(cache_dir, f"{name}-{image_size}px-{count}-{digest}.npy")


def load_cache(path, image_shape):
    """The images cached at `path`, memory-mapped read-only: uint8 (N, *image_shape).

    None when there is no cache there, or when the file there is not a usable
    cache (truncated, wrong shape), which is then rebuilt; a warning says so.
    """
    if not os.path.exists(path):
        return None
    try:
        images = np.load(path, mmap_mode="r", allow_pickle=False)
    except (OSError, ValueError) as error:
        warnings.warn(f"ignoring the unreadable cache {path} ({error}); building it again")
        return None
    expected = tuple(image_shape)
    if images.dtype != np.uint8 or images.shape[1:] != expected or len(images) == 0:
        warnings.warn(
            f"ignoring the cache {path}: expected uint8 images of shape (N, {', '.join(map(str, expected))}), "
            f"got {images.dtype} {images.shape}; building it again"
        )
        return None
    return images


def write_cache(path, images, count, image_shape):
    """Write the uint8 arrays of shape `image_shape` that the iterable `images` yields
    (at most `count` of them) to a new cache at `path`; returns how many there were.

    Fewer than `count` is fine (images that failed to decode were left out); none
    writes nothing and returns 0. Raises DataError when the cache folder cannot be
    written or has no room for the cache.
    """
    folder = os.path.dirname(path) or "."
    image_bytes = math.prod(image_shape)
    _check_writable_with_room(folder, count * image_bytes + NPY_HEADER_BYTES)
    partial_paths = []
    try:
        partial_paths.append(_partial_path(path))
        cache = np.lib.format.open_memmap(partial_paths[0], mode="w+", dtype=np.uint8, shape=(count, *image_shape))
        written = 0
        for image in images:
            cache[written] = image
            written += 1
        cache.flush()
        del cache  # unmap before renaming
        if written == count:
            os.replace(partial_paths[0], path)
        elif written > 0:
            partial_paths.append(_partial_path(path))
            _save_first_images(partial_paths[0], written, partial_paths[1])
            os.replace(partial_paths[1], path)
        return written
    except OSError as error:
        raise DataError(
            f"cannot write the cache {path} ({error.strerror or error}); choose another cache folder (--cache-dir)"
        ) from None
    finally:
        for partial in partial_paths:
            if os.path.exists(partial):
                os.remove(partial)


def _save_first_images(source_path, count, target_path):
    """Copy the first `count` images of the .npy at source_path into a new .npy at target_path."""
    images = np.load(source_path, mmap_mode="r")
    with open(target_path, "wb") as target:
        np.save(target, images[:count])
    del images  # unmap before the source is removed


def _partial_path(path):
    """A new, empty file next to `path` whose name ends in .partial, never mistaken for a cache."""
    handle, partial = tempfile.mkstemp(dir=os.path.dirname(path) or ".", prefix=os.path.basename(path) + ".",
                                       suffix=".partial")
    os.close(handle)
    return partial


def _check_writable_with_room(folder, needed_bytes):
    try:
        os.makedirs(folder, exist_ok=True)
        free_bytes = shutil.disk_usage(folder).free
    except OSError as error:
        raise DataError(
            f"cannot create the cache folder {folder} ({error.strerror or error}); choose another one (--cache-dir)"
        ) from None
    if free_bytes < needed_bytes:
        raise DataError(
            f"the image cache needs {needed_bytes / 1e9:.2f} GB in {folder} and only {free_bytes / 1e9:.2f} GB "
            f"is free there: free some space or choose another cache folder (--cache-dir)"
        )
