"""Where the images of an evaluation come from: each source yields uint8 batches (b, 3, S, S).

    FolderSource(path)               a folder or zip of JPEG/PNG files, e.g. CelebA's zip or saved samples
    FolderSource(path, image_size)   the same, each image resized and centre-cropped to image_size (as training does)
    SyntheticSource(image_size)      fresh synthetic faces, drawn with a seed the training set does not use
    ArraySource(images, fingerprint) images already in memory (a training set)
    GeneratorSource(generator, seed) samples of a generator, quantised to uint8 as a saved PNG would be

Every source streams: `batches(count, batch_size)` decodes or draws one batch at a
time, so an evaluation holds one batch of images, never all of them. `available` is
how many images the source can give; `fingerprint` (real sources) identifies its
content, for the statistics cache.
"""

import io
import os

import numpy as np
from PIL import Image

from ..backend import to_backend
from ..data.celeba import UNREADABLE_IMAGE_ERRORS, decode_image
from ..data.image_files import find_image_files
from ..data.synthetic import synthetic_faces
from ..images import to_uint8
from .errors import EvaluationError
from .features import inference, module_backend

HELD_OUT_SEED = 1  # the built-in training set is synthetic_faces(..., seed=0); evaluation draws other faces


class FolderSource:
    """The image files of a folder or zip (found as nanogan.data finds CelebA's), in name order.

    image_size None: the images are used as they are, and must all be square and of one size.
    image_size S: each is resized (short side S, bicubic) and centre-cropped to S x S.
    """

    def __init__(self, path, image_size=None, option="--real"):
        if not os.path.exists(path):
            raise EvaluationError(f"{option} {path!r} does not exist: expected a folder or zip of images")
        self.files = find_image_files(path)
        self.image_size = image_size
        self.option = option
        self.available = len(self.files.names)
        self.description = f"{self.available:,} images in {self.files.path}"
        self.fingerprint = self.files.fingerprint

    def first_image_size(self):
        """The side of the first image, as stored (the size the other images must have)."""
        return self._decode(self.files.names[0], None).shape[-1]

    def _decode(self, name, image_size):
        encoded = self.files.read(name)
        try:
            if image_size is not None:
                return decode_image(encoded, image_size)
            with Image.open(io.BytesIO(encoded)) as image:
                pixels = np.asarray(image.convert("RGB")).transpose(2, 0, 1)  # (H, W, 3) -> (3, H, W)
        except UNREADABLE_IMAGE_ERRORS as error:
            raise EvaluationError(f"{self.option}: cannot read the image {name} in {self.files.path} ({error}); "
                                  f"remove it or convert it to PNG or JPEG") from None
        if pixels.shape[1] != pixels.shape[2]:
            raise EvaluationError(f"{self.option}: {name} in {self.files.path} is {pixels.shape[2]}x{pixels.shape[1]}; "
                                  f"expected square images, as a GAN draws them")
        return pixels

    def batches(self, count, batch_size):
        """The first `count` images as uint8 batches (N, 3, S, S) of at most `batch_size`."""
        size = self.image_size or self.first_image_size()
        for start in range(0, count, batch_size):
            names = self.files.names[start : min(count, start + batch_size)]
            batch = [self._decode(name, self.image_size) for name in names]
            for name, image in zip(names, batch):
                if image.shape[-1] != size:
                    raise EvaluationError(
                        f"{self.option}: {name} in {self.files.path} is {image.shape[-1]}x{image.shape[-1]}, the "
                        f"first image {size}x{size}; the images of one side must all have the same size")
            yield np.stack(batch)


class SyntheticSource:
    """nanogan's synthetic faces, drawn afresh with HELD_OUT_SEED: the distribution the built-in
    dataset comes from, without its images (held out, also from the discriminator)."""

    available = 10**9  # as many as asked for

    def __init__(self, image_size, seed=HELD_OUT_SEED):
        self.image_size, self.seed = image_size, seed
        self.description = f"synthetic faces, {image_size}x{image_size}, seed {seed}"
        self.fingerprint = f"synthetic_faces seed={seed}"

    def batches(self, count, batch_size):
        """`count` held-out synthetic faces as uint8 batches of at most `batch_size`."""
        images = synthetic_faces(count, self.image_size, self.seed)  # uint8: 12 KB per face at 64x64
        for start in range(0, count, batch_size):
            yield images[start : start + batch_size]


class ArraySource:
    """uint8 images (N, 3, S, S) in memory or memory-mapped, e.g. a Dataset's images."""

    def __init__(self, images, fingerprint, description):
        self.images, self.fingerprint, self.description = images, fingerprint, description
        self.available, self.image_size = len(images), images.shape[-1]

    def batches(self, count, batch_size):
        """The first `count` images as uint8 batches of at most `batch_size`."""
        for start in range(0, count, batch_size):
            yield np.asarray(self.images[start : min(count, start + batch_size)])


class GeneratorSource:
    """Samples of `generator` (in eval mode) on noise from default_rng(seed), as uint8:
    (G(z) + 1) * 127.5, rounded, as saving them to PNG files would store them."""

    available = 10**9

    def __init__(self, generator, seed=0, description="generator samples"):
        self.generator, self.seed, self.description = generator, seed, description
        self.image_size = generator.image_size

    def batches(self, count, batch_size):
        """`count` samples of the generator as uint8 batches of at most `batch_size`."""
        rng = np.random.default_rng(self.seed)
        backend = module_backend(self.generator)
        for start in range(0, count, batch_size):
            noise = rng.standard_normal((min(batch_size, count - start), self.generator.nz, 1, 1), dtype=np.float32)
            with inference(self.generator):
                images = self.generator(to_backend(noise, backend))
            yield to_uint8(images).transpose(0, 3, 1, 2)  # (N, H, W, C) -> (N, C, H, W)
