"""Exercise 6 (docs/exercises.md): im2col with plain loops, in nanogan's column order.

Row (c, i, j) of the columns matrix is the kernel entry, column (oh, ow, n) the output
position, batch last:

    columns[(c*KH + i)*KW + j, (oh*OW + ow)*N + n] = x[n, c, S*oh + i - P, S*ow + j - P]

and 0 where that pixel is padding. Six loops, one entry each: slow, and obviously right.
"""

import itertools

import numpy as np

from nanogan.kernels.geometry import conv_output_size
from nanogan.kernels.im2col import im2col


def im2col_loops(x, kernel, stride, padding):
    """x: (N, C, H, W) -> columns (C*KH*KW, OH*OW*N); kernel, stride, padding: ints."""
    n_images, channels, height, width = x.shape
    out_h, out_w = (conv_output_size(size, kernel, stride, padding) for size in (height, width))
    columns = np.zeros((channels * kernel * kernel, out_h * out_w * n_images), dtype=x.dtype)
    for c, i, j, oh, ow, n in itertools.product(range(channels), range(kernel), range(kernel), range(out_h),
                                                range(out_w), range(n_images)):
        row, col = stride * oh + i - padding, stride * ow + j - padding
        if 0 <= row < height and 0 <= col < width:
            columns[(c * kernel + i) * kernel + j, (oh * out_w + ow) * n_images + n] = x[n, c, row, col]
    return columns


def check():
    x = np.random.default_rng(0).standard_normal((2, 3, 6, 5))
    for kernel, stride, padding in [(3, 1, 1), (3, 2, 1), (4, 2, 1), (2, 3, 0)]:
        expected = im2col_loops(x, kernel, stride, padding)
        assert np.array_equal(im2col(x, (kernel,) * 2, (stride,) * 2, (padding,) * 2), expected)


if __name__ == "__main__":
    check()
    print("ok")
