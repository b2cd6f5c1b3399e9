"""Per-row reductions of (rows, m) matrices, as BatchNorm needs for its (C, m) matrix per channel."""

from ..backend import get_array_module


def row_dot(a, b):
    """sum(a * b, axis=1) for a, b: (rows, m), without building the (rows, m) product.

    Each row is one dot product, a (1, m) @ (m, 1) matrix product run by BLAS,
    which also keeps float32 sums accurate (blocked, unlike a running sum).
    """
    xp = get_array_module(a)
    return xp.matmul(a[:, None, :], b[:, :, None])[:, 0, 0]
