"""im2col, col2im and matmul_col2im of nanogan/kernels/im2col.py as CUDA kernels.

Same arguments, same results, same layouts (columns (C*KH*KW, OH*OW*N) with
rows (c, i, j) and columns (oh, ow, n); images read and written channels
first, batch last). Each is one launch with one thread per element it writes,
in gather form: a thread computes its element from the ones it reads and no
two threads write the same place, so there are no atomic additions and the
result does not depend on thread timing.

im2col: the thread of columns[(c, i, j), (oh, ow, n)] reads the pixel
    x[n, c, SH*oh + i - PH, SW*ow + j - PW], or writes 0 where that is padding.
col2im: the thread of pixel x[n, c, h, w] sums the column entries that im2col
    would have copied from it: those (i, j, oh, ow) with SH*oh + i - PH = h and
    SW*ow + j - PW = w, i.e. oh = (h + PH - i) / SH where that divides exactly
    and lands in [0, OH) (and the same for w). It adds them in the order
    (i, j) ascending, the order in which the NumPy twin adds its blocks.
"""

import math

from ..geometry import columns_shape, conv_output_size
from ..layout import batch_first, channels_first
from ..workspace import scratch
from .core import MAX_ELEMENTS, Elementwise, compiled, cupy

_GEOMETRY = ("int32 batch, int32 height, int32 width, int32 out_h, int32 out_w, int32 kernel_h, int32 kernel_w, "
             "int32 stride_h, int32 stride_w, int32 pad_h, int32 pad_w")

IM2COL = Elementwise("raw T pixels, " + _GEOMETRY, "T columns", r"""
    // this thread's element of columns, whose flat index is ((((c*KH + ki)*KW + kj)*OH + oh)*OW + ow)*N + n
    int rest = (int)i;
    const int n = rest % batch;     rest /= batch;
    const int ow = rest % out_w;    rest /= out_w;
    const int oh = rest % out_h;    rest /= out_h;
    const int kj = rest % kernel_w; rest /= kernel_w;
    const int ki = rest % kernel_h;
    const int c = rest / kernel_h;
    const int h = stride_h * oh + ki - pad_h, w = stride_w * ow + kj - pad_w;  // the pixel it copies
    columns = (0 <= h && h < height && 0 <= w && w < width) ? pixels[((c * height + h) * width + w) * batch + n]
                                                            : (T)0;
""", "nanogan_im2col")

COL2IM = Elementwise("raw T columns, " + _GEOMETRY, "T pixels", r"""
    // this thread's pixel of x, stored (C, H, W, N): flat index ((c*H + h)*W + w)*N + n
    int rest = (int)i;
    const int n = rest % batch;  rest /= batch;
    const int w = rest % width;  rest /= width;
    const int h = rest % height;
    const int c = rest / height;
    T sum = 0;
    for (int ki = 0; ki < kernel_h; ++ki) {
        const int top = h + pad_h - ki;  // stride_h * oh for the output row oh that read (h, ki)
        if (top < 0 || top % stride_h != 0 || top / stride_h >= out_h) continue;
        const int oh = top / stride_h;
        for (int kj = 0; kj < kernel_w; ++kj) {
            const int left = w + pad_w - kj;
            if (left < 0 || left % stride_w != 0 || left / stride_w >= out_w) continue;
            const int ow = left / stride_w;
            sum += columns[((((c * kernel_h + ki) * kernel_w + kj) * out_h + oh) * out_w + ow) * batch + n];
        }
    }
    pixels = sum;
""", "nanogan_col2im")


def _geometry(x_shape, kernel_size, stride, padding):
    batch, _, height, width = x_shape
    out_h, out_w = (conv_output_size(size, k, s, p) for size, k, s, p
                    in zip((height, width), kernel_size, stride, padding))
    return (batch, height, width, out_h, out_w, *kernel_size, *stride, *padding)


def im2col_fits(x, kernel_size, stride, padding):
    """Whether the kernels' 32-bit indices reach every element of im2col's input and result."""
    return max(math.prod(columns_shape(x.shape, kernel_size, stride, padding)), x.size) <= MAX_ELEMENTS


def col2im_fits(columns, x_shape, kernel_size, stride, padding):
    """Whether the CUDA col2im takes these arguments (32-bit indices suffice)."""
    return max(columns.size, math.prod(x_shape)) <= MAX_ELEMENTS


def matmul_col2im_fits(a, b, x_shape, kernel_size, stride, padding):
    """Whether the CUDA matmul_col2im takes these arguments (32-bit indices suffice)."""
    return max(a.shape[0] * b.shape[1], math.prod(x_shape)) <= MAX_ELEMENTS


def im2col(x, kernel_size, stride, padding):
    """One CUDA kernel; the columns in the scratch array "columns" (nanogan/kernels/workspace.py)."""
    cp = cupy()
    columns = scratch("columns", columns_shape(x.shape, kernel_size, stride, padding), x.dtype, cp)
    pixels = cp.ascontiguousarray(channels_first(x))  # (C, H, W, N): no copy for nanogan's own layout
    compiled(IM2COL)(pixels, *_geometry(x.shape, kernel_size, stride, padding), columns)
    return columns


def col2im(columns, x_shape, kernel_size, stride, padding):
    """One CUDA kernel."""
    cp = cupy()
    batch, channels, height, width = x_shape
    pixels = cp.empty((channels, height, width, batch), dtype=columns.dtype)
    compiled(COL2IM)(cp.ascontiguousarray(columns), *_geometry(x_shape, kernel_size, stride, padding), pixels)
    return batch_first(pixels)


def matmul_col2im(a, b, x_shape, kernel_size, stride, padding):
    """cuBLAS's product, in the scratch array "columns", then col2im's kernel."""
    cp = cupy()
    product = scratch("columns", (a.shape[0], b.shape[1]), a.dtype, cp)
    cp.matmul(a, b, out=product)
    return col2im(product, x_shape, kernel_size, stride, padding)
