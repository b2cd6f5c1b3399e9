"""im2col and col2im: a convolution rewritten as one matrix product.

Convolving x: (N, C, H, W) with a KH x KW kernel reads, for every output
pixel (oh, ow), the patch x_padded[n, c, SH*oh + i, SW*ow + j] over
c < C, i < KH, j < KW. im2col copies all patches into one matrix

    columns[(c, i, j), (n, oh, ow)] = x_padded[n, c, SH*oh + i, SW*ow + j]

of shape (C*KH*KW, N*OH*OW), so that the convolution is W_matrix @ columns.
It is built with one strided slice copy per kernel offset (i, j): KH*KW
copies of N*C*OH*OW elements each, with no Python loop over pixels.

col2im is its adjoint (transpose): each column entry is added back into the
pixel it was copied from, so overlapping patches sum. It is the input
gradient of a convolution and the forward pass of a transposed convolution.
"""

from ..backend import get_array_module


def conv_output_size(size, kernel_size, stride, padding):
    """Output length of a convolution along one axis: floor((size + 2p - k) / s) + 1."""
    return (size + 2 * padding - kernel_size) // stride + 1


def im2col(x, kernel_size, stride, padding):
    """Patches of x as columns.

    x: (N, C, H, W) -> columns: (C*KH*KW, N*OH*OW), rows ordered (c, i, j) like
    the flattened weight W.reshape(C_out, C*KH*KW), columns ordered (n, oh, ow).
    """
    xp = get_array_module(x)
    batch, channels, height, width = x.shape
    (kernel_h, kernel_w), (stride_h, stride_w), (pad_h, pad_w) = kernel_size, stride, padding
    out_h = conv_output_size(height, kernel_h, stride_h, pad_h)
    out_w = conv_output_size(width, kernel_w, stride_w, pad_w)

    # (C, N, H + 2*pad_h, W + 2*pad_w): channels first, so each copy below fills a contiguous block
    x_padded = xp.zeros((channels, batch, height + 2 * pad_h, width + 2 * pad_w), dtype=x.dtype)
    x_padded[:, :, pad_h : pad_h + height, pad_w : pad_w + width] = x.transpose(1, 0, 2, 3)

    columns = xp.empty((channels, kernel_h, kernel_w, batch, out_h, out_w), dtype=x.dtype)
    for i in range(kernel_h):
        for j in range(kernel_w):
            # columns[c, i, j, n, oh, ow] = x_padded[c, n, i + stride_h*oh, j + stride_w*ow]
            columns[:, i, j] = x_padded[:, :, i : i + stride_h * out_h : stride_h, j : j + stride_w * out_w : stride_w]
    return columns.reshape(channels * kernel_h * kernel_w, batch * out_h * out_w)


def col2im(columns, x_shape, kernel_size, stride, padding):
    """The adjoint of im2col: sum every column entry into the pixel it came from.

    columns: (C*KH*KW, N*OH*OW) -> x: x_shape = (N, C, H, W)
    """
    xp = get_array_module(columns)
    batch, channels, height, width = x_shape
    (kernel_h, kernel_w), (stride_h, stride_w), (pad_h, pad_w) = kernel_size, stride, padding
    out_h = conv_output_size(height, kernel_h, stride_h, pad_h)
    out_w = conv_output_size(width, kernel_w, stride_w, pad_w)
    columns = columns.reshape(channels, kernel_h, kernel_w, batch, out_h, out_w)

    x_padded = xp.zeros((channels, batch, height + 2 * pad_h, width + 2 * pad_w), dtype=columns.dtype)
    for i in range(kernel_h):
        for j in range(kernel_w):
            # x_padded[c, n, i + stride_h*oh, j + stride_w*ow] += columns[c, i, j, n, oh, ow]
            x_padded[:, :, i : i + stride_h * out_h : stride_h, j : j + stride_w * out_w : stride_w] += columns[:, i, j]
    x = x_padded[:, :, pad_h : pad_h + height, pad_w : pad_w + width].transpose(1, 0, 2, 3)
    return xp.ascontiguousarray(x)
