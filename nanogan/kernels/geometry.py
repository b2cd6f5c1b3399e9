"""Where a convolution's kernel reads: output sizes and, per kernel offset, the window of input positions."""


def conv_output_size(size, kernel_size, stride, padding):
    """Output length of a convolution along one axis: floor((size + 2p - k) / s) + 1."""
    return (size + 2 * padding - kernel_size) // stride + 1


def columns_shape(x_shape, kernel_size, stride, padding):
    """The shape of im2col's columns for images of x_shape = (N, C, H, W): (C*KH*KW, OH*OW*N)."""
    batch, channels, height, width = x_shape
    out_h, out_w = (conv_output_size(size, k, s, p) for size, k, s, p
                    in zip((height, width), kernel_size, stride, padding))
    return channels * kernel_size[0] * kernel_size[1], out_h * out_w * batch


def window(offset, padding, stride, size, out_size):
    """Where kernel offset `offset` reads inside the image, along one axis.

    Output position o reads input position offset - padding + stride * o.
    Returns (outputs, inputs): the slice of output positions whose input lies
    in [0, size), and the slice of those input positions (the same length).
    """
    first = max(0, -((offset - padding) // stride))  # smallest o with a position >= 0
    last = min(out_size - 1, (size - 1 + padding - offset) // stride)  # largest o with a position < size
    count = max(0, last - first + 1)
    if count == 0:
        return slice(0, 0), slice(0, 0)
    start = offset - padding + stride * first
    return slice(first, first + count), slice(start, start + stride * (count - 1) + 1, stride)
