"""im2col and col2im: a convolution as one matrix product (the plain definitions, the reference).

im2col copies every window that the kernel visits into one column:

    x: (N, C, H, W)  ->  columns: (C*KH*KW, OH*OW*N)
    columns[(c, i, j), (oh, ow, n)] = x[n, c, i - PH + SH*oh, j - PW + SW*ow]   (0 where that is padding)

The rows are ordered (c, i, j), like the flattened weight W.reshape(C_out, C*KH*KW),
so a convolution is W_matrix @ columns. col2im is its adjoint, the map that
backpropagates through it: every column entry is added back into the pixel it
came from. Both loop over the KH*KW kernel offsets and move one strided block of
all channels, rows, columns and images per offset (as Chainer's
chainer/utils/conv.py does); `window` (nanogan/kernels/geometry.py) says which
output positions of an offset read inside the image.

The columns are ordered (oh, ow, n), batch last, and pixels are read in the
(C, H, W, N) order of nanogan/kernels/layout.py: each block copy then moves runs
of N contiguous values. nanogan/kernels/dispatch.py runs these functions as
written, or their twins on CPU threads (nanogan/kernels/cpu/im2col.py) and as
CUDA kernels (nanogan/kernels/cuda/im2col.py).
"""

from ..backend import get_array_module
from .geometry import conv_output_size, window
from .layout import batch_first, channels_first


def _sizes(image_shape, kernel_size, stride, padding):
    """(N, C, H, W, KH, KW, OH, OW) of a convolution of images of `image_shape`."""
    batch, channels, height, width = image_shape
    (kernel_h, kernel_w), (stride_h, stride_w), (pad_h, pad_w) = kernel_size, stride, padding
    out_h = conv_output_size(height, kernel_h, stride_h, pad_h)
    out_w = conv_output_size(width, kernel_w, stride_w, pad_w)
    return batch, channels, height, width, kernel_h, kernel_w, out_h, out_w


def im2col(x, kernel_size, stride, padding):
    """Patches of x as columns: x (N, C, H, W) -> columns (C*KH*KW, OH*OW*N).

    kernel_size, stride, padding: (h, w) pairs. The columns may be memory that the
    next im2col or matmul_col2im reuses (the faster twins do that): use them first.
    """
    xp = get_array_module(x)
    batch, channels, height, width, kernel_h, kernel_w, out_h, out_w = _sizes(x.shape, kernel_size, stride, padding)
    (stride_h, stride_w), (pad_h, pad_w) = stride, padding
    columns = xp.zeros((channels, kernel_h, kernel_w, out_h, out_w, batch), dtype=x.dtype)  # 0: the padding
    pixels = channels_first(x)  # (C, H, W, N)
    for i in range(kernel_h):
        rows_out, rows_in = window(i, pad_h, stride_h, height, out_h)
        for j in range(kernel_w):
            cols_out, cols_in = window(j, pad_w, stride_w, width, out_w)
            # columns[c, i, j, oh, ow, n] = x[n, c, i - pad_h + stride_h*oh, j - pad_w + stride_w*ow] inside
            columns[:, i, j, rows_out, cols_out] = pixels[:, rows_in, cols_in]
    return columns.reshape(channels * kernel_h * kernel_w, out_h * out_w * batch)


def col2im(columns, x_shape, kernel_size, stride, padding):
    """The adjoint of im2col: sum every column entry into the pixel it came from.

    columns: (C*KH*KW, OH*OW*N) -> x: x_shape = (N, C, H, W), a view of a (C, H, W, N) array.
    """
    xp = get_array_module(columns)
    batch, channels, height, width, kernel_h, kernel_w, out_h, out_w = _sizes(x_shape, kernel_size, stride, padding)
    (stride_h, stride_w), (pad_h, pad_w) = stride, padding
    blocks = columns.reshape(channels, kernel_h, kernel_w, out_h, out_w, batch)
    pixels = xp.zeros((channels, height, width, batch), dtype=columns.dtype)
    for i in range(kernel_h):
        rows_out, rows_in = window(i, pad_h, stride_h, height, out_h)
        for j in range(kernel_w):
            cols_out, cols_in = window(j, pad_w, stride_w, width, out_w)
            # x[n, c, i - pad_h + stride_h*oh, j - pad_w + stride_w*ow] += columns[c, i, j, oh, ow, n] inside
            pixels[:, rows_in, cols_in] += blocks[:, i, j, rows_out, cols_out]
    return batch_first(pixels)


def matmul_col2im(a, b, x_shape, kernel_size, stride, padding):
    """col2im(a @ b): the product of a (C*KH*KW, K) and b (K, OH*OW*N) summed back into images of x_shape.

    One name for the two steps, so that the faster twins can keep the product, as large
    as im2col's columns, in reused memory.
    """
    return col2im(a @ b, x_shape, kernel_size, stride, padding)
