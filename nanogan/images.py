"""Image grids and latent interpolations, saved as PNG with Pillow.

Images travel as float arrays (N, C, H, W) in [-1, 1], the range of the
generator's Tanh and of the training data.
"""

import numpy as np
from PIL import Image

from .backend import to_numpy
from .files import atomic_write


def to_uint8(images):
    """(N, C, H, W) floats in [-1, 1] (any backend) -> (N, H, W, C) uint8 on the host."""
    images = to_numpy(images).astype(np.float32)
    pixels = np.clip(np.rint((images + 1) * 127.5), 0, 255).astype(np.uint8)
    return pixels.transpose(0, 2, 3, 1)


def make_grid(images, nrow=8, padding=2, pad_value=255):
    """Tile (N, C, H, W) images in [-1, 1] into one (rows*(H+p)+p, nrow*(W+p)+p, C) uint8 picture,
    `nrow` images per row, like torchvision.utils.make_grid."""
    tiles = to_uint8(images)
    count, height, width, channels = tiles.shape
    ncol = min(nrow, count)
    nrows = -(-count // ncol)
    grid = np.full((nrows * (height + padding) + padding, ncol * (width + padding) + padding, channels),
                   pad_value, dtype=np.uint8)
    for index, tile in enumerate(tiles):
        top = padding + (index // ncol) * (height + padding)
        left = padding + (index % ncol) * (width + padding)
        grid[top : top + height, left : left + width] = tile
    return grid


def save_image_grid(images, path, nrow=8):
    """Save a grid of (N, C, H, W) images in [-1, 1] as a PNG, atomically."""
    grid = make_grid(images, nrow=nrow)
    picture = Image.fromarray(grid[..., 0] if grid.shape[-1] == 1 else grid)
    with atomic_write(path) as file:
        picture.save(file, format="PNG")
    return path


def interpolate(z_start, z_end, steps):
    """`steps` latent vectors on the straight line from z_start to z_end (both ends included).

    z_start, z_end: (nz, 1, 1) -> (steps, nz, 1, 1), on the host
    """
    weights = np.linspace(0.0, 1.0, steps, dtype=np.float32).reshape(-1, 1, 1, 1)
    z_start, z_end = to_numpy(z_start).astype(np.float32), to_numpy(z_end).astype(np.float32)
    return (1 - weights) * z_start[None] + weights * z_end[None]
