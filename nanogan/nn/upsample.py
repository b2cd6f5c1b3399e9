"""Resizing images: Upsample and interpolate, as torch.nn.Upsample and torch.nn.functional.interpolate.

Both modes resize each axis by a linear map: every output row is a weighted
sum of input rows, and every output column one of input columns. With
A_h: (OH, H) and A_w: (OW, W) the two matrices of weights, per image and channel

    y = A_h x A_w^T

bilinear   output position o reads the source coordinate
               s = scale * (o + 0.5) - 0.5, at least 0    (align_corners=False; scale = H / OH)
               s = scale * o                             (align_corners=True;  scale = (H - 1) / (OH - 1))
           and A[o, floor(s)] = 1 - (s - floor(s)), A[o, floor(s) + 1] = s - floor(s)
           (both on the last input position when floor(s) is the last one)
nearest    A[o, min(floor(o * scale), H - 1)] = 1, scale = H / OH

With scale_factor instead of size, scale = 1 / scale_factor (except bilinear
with align_corners=True), and OH = floor(H * scale_factor), as in PyTorch. The
weights are computed in the input's precision, as PyTorch's CPU kernels do
(in float32 always for nearest; s rounded once, as a fused multiply-add does). Being linear, the resize backpropagates
through the transposed matrices:

    dx = A_h^T g A_w
"""

import math

import numpy as np

from ..backend import get_array_module
from .module import Module, no_grad

MODES = ("nearest", "bilinear")


def resize_matrix(in_size, out_size, mode, align_corners, scale_factor, dtype):
    """A: (out_size, in_size) on the host, y = A @ x along one axis; scale_factor: None when a size was given."""
    matrix = np.zeros((out_size, in_size), dtype=dtype)
    rows = np.arange(out_size)
    if mode == "nearest":
        scale = np.float32(1 / scale_factor if scale_factor else np.float32(in_size) / np.float32(out_size))
        # A[o, min(floor(o * scale), H - 1)] = 1
        matrix[rows, np.minimum(np.floor(rows.astype(np.float32) * scale).astype(np.int64), in_size - 1)] = 1
        return matrix
    real = np.dtype(dtype).type
    if align_corners:
        scale = real((in_size - 1) / (out_size - 1)) if out_size > 1 else real(0)
        source = scale * rows.astype(dtype)  # s = scale * o
    else:
        scale = real(1 / scale_factor) if scale_factor else real(in_size) / real(out_size)
        # s = scale * (o + 0.5) - 0.5, at least 0; rounded once, as by the fused multiply-add of PyTorch's kernel
        source = np.maximum(np.float64(scale) * (rows + 0.5) - 0.5, 0).astype(dtype)
    first = np.minimum(np.floor(source).astype(np.int64), in_size - 1)
    second = np.minimum(first + 1, in_size - 1)
    weight_second = np.clip(source - first, 0, 1).astype(dtype)  # s - floor(s)
    np.add.at(matrix, (rows, first), 1 - weight_second)
    np.add.at(matrix, (rows, second), weight_second)
    return matrix


class Upsample(Module):
    """Resize images to `size` or by `scale_factor`, mode "nearest" (PyTorch's default) or "bilinear".

    x: (N, C, H, W) -> y: (N, C, OH, OW); size: an int or (OH, OW); scale_factor: a number or a pair.
    """

    def __init__(self, size=None, scale_factor=None, mode="nearest", align_corners=None):
        super().__init__()
        if (size is None) == (scale_factor is None):
            raise ValueError(f"Upsample: give either size or scale_factor, got size={size!r}, "
                             f"scale_factor={scale_factor!r}")
        if mode not in MODES:
            raise ValueError(f"Upsample: mode must be one of {', '.join(MODES)}, got {mode!r}")
        if mode == "nearest" and align_corners is not None:
            raise ValueError("Upsample: align_corners can only be set with mode 'bilinear'")
        self.size = None if size is None else ((size, size) if isinstance(size, int) else tuple(size))
        self.scale_factor = None if scale_factor is None else (
            (scale_factor, scale_factor) if isinstance(scale_factor, (int, float)) else tuple(scale_factor))
        if min(self.size or self.scale_factor) <= 0:
            raise ValueError(f"Upsample: size and scale_factor must be positive, got size={size!r}, "
                             f"scale_factor={scale_factor!r}")
        self.mode = mode
        self.align_corners = bool(align_corners) if mode == "bilinear" else None

    def _matrices(self, x):
        """(A_h, A_w) on the backend of x, in its dtype."""
        if x.ndim != 4:
            raise self._error(f"expected input of shape (N, C, H, W), got {tuple(x.shape)}")
        factors = self.scale_factor or (None, None)
        sizes = self.size or tuple(math.floor(size * factor) for size, factor in zip(x.shape[2:], factors))
        if min(sizes) < 1:
            raise self._error(f"input {tuple(x.shape)} resized by {self.scale_factor} is empty")
        xp = get_array_module(x)
        return tuple(xp.asarray(resize_matrix(in_size, out_size, self.mode, self.align_corners, factor, x.dtype))
                     for in_size, out_size, factor in zip(x.shape[2:], sizes, factors))

    def forward(self, x):
        matrix_h, matrix_w = self._matrices(x)
        xp = get_array_module(x)
        # y = A_h x A_w^T for every image and channel, as two large matrix products (optimize=True)
        y = xp.einsum("oh,nchw,pw->ncop", matrix_h, x, matrix_w, optimize=True)
        self.save_for_backward(matrix_h, matrix_w, output=y)
        return y

    def backward(self, grad_output):
        matrix_h, matrix_w = self.saved_tensors(grad_output)
        xp = get_array_module(grad_output)
        # dx = A_h^T g A_w
        return xp.einsum("oh,ncop,pw->nchw", matrix_h, grad_output, matrix_w, optimize=True)

    def extra_repr(self):
        given = f"size={self.size}" if self.size else f"scale_factor={self.scale_factor}"
        corners = f", align_corners={self.align_corners}" if self.mode == "bilinear" else ""
        return f"{given}, mode={self.mode!r}{corners}"


def interpolate(x, size=None, scale_factor=None, mode="nearest", align_corners=None):
    """torch.nn.functional.interpolate for (N, C, H, W) images: Upsample's forward pass, keeping nothing
    for backward (use an Upsample layer to backpropagate)."""
    with no_grad():
        return Upsample(size, scale_factor, mode, align_corners)(x)
