"""A small stand-in for CelebA, made on the fly: JPEGs of 178x218, in a folder and in a zip.

    layout = make_celeba_like(tmp_path)
    layout.folder   .../img_align_celeba/      24 good JPEGs, one truncated .jpg, a .txt
    layout.zip      .../img_align_celeba.zip   the same files under img_align_celeba/ inside

Each good image has its own random background colour, ellipse and rectangle,
so two images never agree and a mix-up in order or cropping shows.
"""

import io
import os
import zipfile
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw

CELEBA_WIDTH, CELEBA_HEIGHT = 178, 218
GOOD_IMAGES = 24
BROKEN_NAME = "000025.jpg"  # a JPEG cut in half: decoding it fails
NOT_AN_IMAGE = "list_eval_partition.txt"  # ignored: not an image name


@dataclass
class CelebALike:
    folder: str
    zip: str
    good_images: int
    broken_name: str


def celeba_like_jpeg(rng, width=CELEBA_WIDTH, height=CELEBA_HEIGHT):
    """The bytes of one JPEG with random colours and shapes."""
    image = Image.new("RGB", (width, height), tuple(int(c) for c in rng.integers(0, 256, 3)))
    draw = ImageDraw.Draw(image)
    x0, y0 = rng.integers(0, width // 2), rng.integers(0, height // 2)
    draw.ellipse([x0, y0, x0 + rng.integers(30, width // 2), y0 + rng.integers(30, height // 2)],
                 fill=tuple(int(c) for c in rng.integers(0, 256, 3)))
    draw.rectangle([rng.integers(0, width), rng.integers(0, height), width - 1, height - 1],
                   fill=tuple(int(c) for c in rng.integers(0, 256, 3)))
    encoded = io.BytesIO()
    image.save(encoded, "JPEG", quality=90)
    return encoded.getvalue()


def make_celeba_like(root, good_images=GOOD_IMAGES, seed=0):
    """Write root/img_align_celeba/ and root/img_align_celeba.zip; returns their paths."""
    rng = np.random.default_rng(seed)
    files = {f"{index:06d}.jpg": celeba_like_jpeg(rng) for index in range(1, good_images + 1)}
    good_jpeg = celeba_like_jpeg(rng)
    files[BROKEN_NAME] = good_jpeg[: len(good_jpeg) // 2]
    files[NOT_AN_IMAGE] = b"000001.jpg 0\n000002.jpg 0\n"
    folder = os.path.join(root, "img_align_celeba")
    os.makedirs(folder)
    for name, content in files.items():
        with open(os.path.join(folder, name), "wb") as file:
            file.write(content)
    zip_path = os.path.join(root, "img_align_celeba.zip")
    with zipfile.ZipFile(zip_path, "w") as archive:
        for name, content in files.items():
            archive.writestr(f"img_align_celeba/{name}", content)
    return CelebALike(folder=folder, zip=zip_path, good_images=good_images, broken_name=BROKEN_NAME)
