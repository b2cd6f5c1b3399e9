"""The memory layout of images inside nanogan: channels first, batch last.

Every image batch has the shape (N, C, H, W), as in PyTorch. The layers that
make new images (convolutions, BatchNorm) store them as (C, H, W, N) arrays
and return the (N, C, H, W) view of that memory (elementwise layers keep the
layout of their input):

    y = batch_first(y_channels_first)         # (C, H, W, N) -> (N, C, H, W), no copy

Why this order. A convolution is one matrix product with a row per channel
and a column per (pixel, image), so its natural output is (C, H*W*N); so is
BatchNorm's matrix of one row per channel. And im2col/col2im copy windows of
pixels with strided slices: with the batch axis last, each slice is a run of
N contiguous values per pixel, where (N, C, H, W) would give runs of one
output row (4 values for a 4x4 map). It is the layout of cuda-convnet
(Krizhevsky, 2012), for the same reason.

Any layout still works as input (a user's contiguous (N, C, H, W) batch is
read through the same views); it only costs a copy where a reshape needs one.
"""


def channels_first(x):
    """(N, C, *spatial) -> (C, *spatial, N), a view."""
    return x.transpose(1, *range(2, x.ndim), 0)


def batch_first(x):
    """(C, *spatial, N) -> (N, C, *spatial), a view: the inverse of channels_first."""
    return x.transpose(x.ndim - 1, *range(x.ndim - 1))


def channel_rows(x):
    """x: (N, C, *spatial) as a (C, M) matrix, one row per channel, M = N * prod(spatial),
    columns ordered (*spatial, n). A view when x is stored channels first, batch last."""
    return channels_first(x).reshape(x.shape[1], -1)


def from_channel_rows(matrix, shape):
    """The inverse of channel_rows: a (C, M) matrix back to an image batch of `shape`, as a view."""
    batch, channels, *spatial = shape
    return batch_first(matrix.reshape(channels, *spatial, batch))
