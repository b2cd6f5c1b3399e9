"""im2col, col2im and matmul_col2im of nanogan/kernels/im2col.py on CPU threads, in reused memory.

The same block copies and additions, in the same order (so the same results, to
the bit), with three differences that make them faster on NumPy:
- Channels are independent, so each CPU thread copies the rows of its own share
  of the channels (nanogan/kernels/threads.py).
- The columns, as large as four times x for a 4x4 stride-2 layer, are written into
  the scratch array "columns" that every layer shares (nanogan/kernels/workspace.py)
  instead of fresh memory, and so is the product of matmul_col2im.
- im2col writes each element once: where a window reads padding it writes the
  zeros of that band itself, instead of zeroing the whole array first.
"""

import numpy as np

from ..geometry import columns_shape, conv_output_size, window
from ..layout import batch_first, channels_first
from ..threads import run_split
from ..workspace import scratch


def im2col(x, kernel_size, stride, padding):
    """The threaded twin of nanogan.kernels.im2col.im2col."""
    batch, channels, height, width = x.shape
    (kernel_h, kernel_w), (stride_h, stride_w), (pad_h, pad_w) = kernel_size, stride, padding
    out_h = conv_output_size(height, kernel_h, stride_h, pad_h)
    out_w = conv_output_size(width, kernel_w, stride_w, pad_w)
    columns = scratch("columns", columns_shape(x.shape, kernel_size, stride, padding), x.dtype, np)
    blocks = columns.reshape(channels, kernel_h, kernel_w, out_h, out_w, batch)  # a view: scratch is contiguous
    # (C, H, W, N); copied once if x is stored otherwise, so that the slice copies below read runs of N values
    pixels = np.ascontiguousarray(channels_first(x))

    def copy_channels(part):  # the rows of channels `part`: each thread does its own channels
        for i in range(kernel_h):
            rows_out, rows_in = window(i, pad_h, stride_h, height, out_h)
            for j in range(kernel_w):
                cols_out, cols_in = window(j, pad_w, stride_w, width, out_w)
                block = blocks[part, i, j]  # (C, OH, OW, N)
                block[:, rows_out, cols_out] = pixels[part, rows_in, cols_in]
                # 0 where the pixel is padding: the bands of rows and columns the window leaves out
                block[:, : rows_out.start] = 0
                block[:, rows_out.stop :] = 0
                block[:, rows_out, : cols_out.start] = 0
                block[:, rows_out, cols_out.stop :] = 0

    run_split(copy_channels, channels, np, columns.size)
    return columns


def col2im(columns, x_shape, kernel_size, stride, padding):
    """The threaded twin of nanogan.kernels.im2col.col2im."""
    batch, channels, height, width = x_shape
    (kernel_h, kernel_w), (stride_h, stride_w), (pad_h, pad_w) = kernel_size, stride, padding
    out_h = conv_output_size(height, kernel_h, stride_h, pad_h)
    out_w = conv_output_size(width, kernel_w, stride_w, pad_w)
    blocks = columns.reshape(channels, kernel_h, kernel_w, out_h, out_w, batch)
    pixels = np.zeros((channels, height, width, batch), dtype=columns.dtype)

    def add_channels(part):  # the pixels of channels `part`: each thread does its own channels
        for i in range(kernel_h):
            rows_out, rows_in = window(i, pad_h, stride_h, height, out_h)
            for j in range(kernel_w):
                cols_out, cols_in = window(j, pad_w, stride_w, width, out_w)
                # np.add with out= adds in place; `pixels[inside] += ...` would also copy the sum back onto itself
                inside = pixels[part, rows_in, cols_in]
                np.add(inside, blocks[part, i, j][:, rows_out, cols_out], out=inside)

    run_split(add_channels, channels, np, columns.size)
    return batch_first(pixels)


def matmul_col2im(a, b, x_shape, kernel_size, stride, padding):
    """The threaded twin of nanogan.kernels.im2col.matmul_col2im."""
    product = scratch("columns", (a.shape[0], b.shape[1]), a.dtype, np)
    np.matmul(a, b, out=product)
    return col2im(product, x_shape, kernel_size, stride, padding)
