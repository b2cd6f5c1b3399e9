"""im2col and col2im: a convolution rewritten as one matrix product.

Convolving x: (N, C, H, W) with a KH x KW kernel, stride (SH, SW) and
padding (PH, PW) reads, for every output pixel (oh, ow), the patch of
pixels x[n, c, SH*oh + i - PH, SW*ow + j - PW] over c < C, i < KH, j < KW
(0 where that pixel falls in the padding). im2col copies all patches into
one matrix

    columns[(c, i, j), (oh, ow, n)] = x[n, c, SH*oh + i - PH, SW*ow + j - PW]   (0 in the padding)

of shape (C*KH*KW, OH*OW*N), so that the convolution is W_matrix @ columns.
It is built with one strided slice copy per kernel offset (i, j): KH*KW
copies of C*OH*OW*N elements each, with no Python loop over pixels.

col2im is its adjoint (transpose): each column entry is added back into the
pixel it was copied from, so overlapping patches sum. It is the input
gradient of a convolution and the forward pass of a transposed convolution.

Two choices keep both kernels to one pass over the columns:
- No padded copy of x is built. For each kernel offset, `window` (nanogan/kernels/geometry.py) finds the output
  positions whose pixel lies inside the image; the others read padding, so
  im2col writes 0 there and col2im adds nothing.
- Columns are ordered (oh, ow, n), batch last, and pixels are read in the
  (C, H, W, N) order of nanogan/kernels/layout.py: each slice copy then moves
  runs of N contiguous values. col2im returns its (N, C, H, W) result as a
  view of the (C, H, W, N) array it fills.

Channels are independent in both kernels, so on NumPy each CPU thread
copies the rows of its own share of the channels (nanogan/kernels/threads.py).
On CuPy each is one CUDA kernel instead (nanogan/kernels/cuda_im2col.py).
"""

from ..backend import get_array_module
from . import cuda_im2col
from .cuda import MAX_ELEMENTS, uses_cuda
from .geometry import conv_output_size, window
from .layout import batch_first, channels_first
from .threads import run_split


def im2col(x, kernel_size, stride, padding, out=None):
    """Patches of x as columns.

    x: (N, C, H, W) -> columns: (C*KH*KW, OH*OW*N), rows ordered (c, i, j) like
    the flattened weight W.reshape(C_out, C*KH*KW), columns ordered (oh, ow, n).
    out: a C-contiguous array of that shape to write into (a new one if None).
    """
    xp = get_array_module(x)
    batch, channels, height, width = x.shape
    (kernel_h, kernel_w), (stride_h, stride_w), (pad_h, pad_w) = kernel_size, stride, padding
    out_h = conv_output_size(height, kernel_h, stride_h, pad_h)
    out_w = conv_output_size(width, kernel_w, stride_w, pad_w)
    shape = (channels * kernel_h * kernel_w, out_h * out_w * batch)
    if uses_cuda(xp) and max(shape[0] * shape[1], x.size) <= MAX_ELEMENTS:
        return cuda_im2col.im2col(x, kernel_size, stride, padding, out)
    if out is not None and tuple(out.shape) != shape:
        raise ValueError(f"im2col: expected out of shape {shape}, got {tuple(out.shape)}")
    columns = xp.empty(shape, dtype=x.dtype) if out is None else out
    blocks = columns.reshape(channels, kernel_h, kernel_w, out_h, out_w, batch)  # a view: out is contiguous
    # (C, H, W, N); copied once if x is stored otherwise, so that the slice copies below read runs of N values
    pixels = xp.ascontiguousarray(channels_first(x))

    def copy_channels(part):  # the rows of channels `part`: each thread does its own channels
        for i in range(kernel_h):
            rows_out, rows_in = window(i, pad_h, stride_h, height, out_h)
            for j in range(kernel_w):
                cols_out, cols_in = window(j, pad_w, stride_w, width, out_w)
                block = blocks[part, i, j]  # (C, OH, OW, N)
                # columns[c, i, j, oh, ow, n] = x[n, c, i - pad_h + stride_h*oh, j - pad_w + stride_w*ow] inside
                block[:, rows_out, cols_out] = pixels[part, rows_in, cols_in]
                # and 0 where that pixel is padding: the bands of rows and columns the window leaves out
                block[:, : rows_out.start] = 0
                block[:, rows_out.stop :] = 0
                block[:, rows_out, : cols_out.start] = 0
                block[:, rows_out, cols_out.stop :] = 0

    run_split(copy_channels, channels, xp, columns.size)
    return columns


def col2im(columns, x_shape, kernel_size, stride, padding):
    """The adjoint of im2col: sum every column entry into the pixel it came from.

    columns: (C*KH*KW, OH*OW*N) -> x: x_shape = (N, C, H, W), returned as a
    view of a new (C, H, W, N) array.
    """
    xp = get_array_module(columns)
    batch, channels, height, width = x_shape
    (kernel_h, kernel_w), (stride_h, stride_w), (pad_h, pad_w) = kernel_size, stride, padding
    out_h = conv_output_size(height, kernel_h, stride_h, pad_h)
    out_w = conv_output_size(width, kernel_w, stride_w, pad_w)
    if uses_cuda(xp) and max(columns.size, batch * channels * height * width) <= MAX_ELEMENTS:
        return cuda_im2col.col2im(columns, x_shape, kernel_size, stride, padding)
    blocks = columns.reshape(channels, kernel_h, kernel_w, out_h, out_w, batch)

    pixels = xp.zeros((channels, height, width, batch), dtype=columns.dtype)

    def add_channels(part):  # the pixels of channels `part`: each thread does its own channels
        for i in range(kernel_h):
            rows_out, rows_in = window(i, pad_h, stride_h, height, out_h)
            for j in range(kernel_w):
                cols_out, cols_in = window(j, pad_w, stride_w, width, out_w)
                # x[n, c, i - pad_h + stride_h*oh, j - pad_w + stride_w*ow] += columns[c, i, j, oh, ow, n] inside
                # (xp.add with out= adds in place; `pixels[inside] += ...` would also copy the sum back onto itself)
                inside = pixels[part, rows_in, cols_in]
                xp.add(inside, blocks[part, i, j][:, rows_out, cols_out], out=inside)

    run_split(add_channels, channels, xp, columns.size)
    return batch_first(pixels)
