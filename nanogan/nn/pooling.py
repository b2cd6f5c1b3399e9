"""Pooling: MaxPool2d, AvgPool2d and AdaptiveAvgPool2d((1, 1)), as torch.nn's.

A pool slides a KH x KW window over each channel with a stride, as a
convolution does, and reduces each window to one number. Both passes loop
over the KH*KW kernel offsets (i, j), as im2col does (nanogan/kernels/im2col.py):
offset (i, j) reads x[n, c, i - PH + SH*oh, j - PW + SW*ow] for every output
position (oh, ow) whose input lies inside the image, one strided block per
offset (`window`, nanogan/kernels/geometry.py), so padding is never stored:

    MaxPool2d   y = max over the window's positions inside the image of x
                (the padding counts as -infinity)
    AvgPool2d   y = sum over the window's positions inside the image of x / count
                count = KH*KW             with count_include_pad=True (padding counts as zeros)
                count = positions inside  with count_include_pad=False

Images are read and written channels first, batch last (nanogan/kernels/layout.py),
so each block moves runs of N contiguous values.
"""

from ..backend import get_array_module
from ..kernels.geometry import conv_output_size, window
from ..kernels.layout import batch_first, channels_first
from .conv import _pair
from .module import Module, is_grad_enabled


class _Pool2d(Module):
    """What the two sliding pools share: arguments, output size, and the loop over kernel offsets."""

    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        self.kernel_size = _pair(kernel_size, "kernel_size")
        self.stride = self.kernel_size if stride is None else _pair(stride, "stride")  # PyTorch's default
        self.padding = _pair(padding, "padding")
        if min(self.kernel_size) < 1 or min(self.stride) < 1:
            raise ValueError(f"{type(self).__name__}: kernel_size and stride must be positive, "
                             f"got kernel_size={self.kernel_size}, stride={self.stride}")
        if any(not 0 <= p <= k // 2 for p, k in zip(self.padding, self.kernel_size)):
            raise ValueError(f"{type(self).__name__}: padding must be between 0 and half the kernel size "
                             f"{self.kernel_size}, got {self.padding}")

    def _output_size(self, x):
        if x.ndim != 4:
            raise self._error(f"expected input of shape (N, C, H, W), got {tuple(x.shape)}")
        sizes = tuple(conv_output_size(size, k, s, p)
                      for size, k, s, p in zip(x.shape[2:], self.kernel_size, self.stride, self.padding))
        if min(sizes) < 1:
            raise self._error(f"kernel {self.kernel_size} is larger than the padded input "
                              f"{tuple(size + 2 * p for size, p in zip(x.shape[2:], self.padding))}")
        return sizes

    def _offsets(self, height, width, out_h, out_w):
        """For each kernel offset k = (i, j) in row-major order: (k, rows_out, cols_out, rows_in, cols_in),
        the output positions whose input lies inside the image and those inputs, as slices."""
        (kernel_h, kernel_w), (stride_h, stride_w), (pad_h, pad_w) = self.kernel_size, self.stride, self.padding
        for i in range(kernel_h):
            rows_out, rows_in = window(i, pad_h, stride_h, height, out_h)
            for j in range(kernel_w):
                cols_out, cols_in = window(j, pad_w, stride_w, width, out_w)
                yield i * kernel_w + j, rows_out, cols_out, rows_in, cols_in

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxPool2d(_Pool2d):
    """y = the maximum of each window, as torch.nn.MaxPool2d (ceil_mode=False, dilation=1).

    x: (N, C, H, W) -> y: (N, C, OH, OW), OH = floor((H + 2*padding - kernel) / stride) + 1
    """

    def forward(self, x):
        out_h, out_w = self._output_size(x)
        xp = get_array_module(x)
        pixels = channels_first(x)  # (C, H, W, N)
        shape = (x.shape[1], out_h, out_w, x.shape[0])
        y = xp.full(shape, -xp.inf, dtype=x.dtype)
        argmax = xp.zeros(shape, dtype=xp.int32) if is_grad_enabled() else None  # the offset k of each maximum
        for k, rows_out, cols_out, rows_in, cols_in in self._offsets(*x.shape[2:], out_h, out_w):
            block, best = pixels[:, rows_in, cols_in], y[:, rows_out, cols_out]
            if argmax is not None:  # only backward needs it: strictly larger, so that ties keep the first offset
                argmax[:, rows_out, cols_out] = xp.where((block > best) | xp.isnan(block), k,
                                                         argmax[:, rows_out, cols_out])
            xp.maximum(best, block, out=best)  # y = max(y, x at offset k), NaN winning, as in PyTorch
        y = batch_first(y)
        self.save_for_backward(argmax, x.shape, output=y)
        return y

    def backward(self, grad_output):
        argmax, input_shape = self.saved_tensors(grad_output)
        xp = get_array_module(grad_output)
        g = channels_first(grad_output)  # (C, OH, OW, N)
        grad_pixels = xp.zeros((input_shape[1], *input_shape[2:], input_shape[0]), dtype=grad_output.dtype)
        for k, rows_out, cols_out, rows_in, cols_in in self._offsets(*input_shape[2:], *g.shape[1:3]):
            # dx[the window's maximum] += g: only the input that won each window gets its gradient
            grad_pixels[:, rows_in, cols_in] += xp.where(argmax[:, rows_out, cols_out] == k,
                                                         g[:, rows_out, cols_out], 0)
        return batch_first(grad_pixels)


class AvgPool2d(_Pool2d):
    """y = the mean of each window, as torch.nn.AvgPool2d (ceil_mode=False, no divisor_override).

    x: (N, C, H, W) -> y: (N, C, OH, OW), OH = floor((H + 2*padding - kernel) / stride) + 1
    count_include_pad: divide by KH*KW (True, PyTorch's default) or by the positions inside the image (False)
    """

    def __init__(self, kernel_size, stride=None, padding=0, count_include_pad=True):
        super().__init__(kernel_size, stride, padding)
        self.count_include_pad = count_include_pad

    def _count(self, xp, dtype, height, width, out_h, out_w):
        """How many values each window averages: (OH, OW, 1), to divide (C, OH, OW, N) arrays by."""
        if self.count_include_pad:
            return self.kernel_size[0] * self.kernel_size[1]
        rows, cols = xp.zeros(out_h, dtype=dtype), xp.zeros(out_w, dtype=dtype)
        (kernel_h, kernel_w), (stride_h, stride_w), (pad_h, pad_w) = self.kernel_size, self.stride, self.padding
        for i in range(kernel_h):
            rows[window(i, pad_h, stride_h, height, out_h)[0]] += 1  # windows whose row i is inside the image
        for j in range(kernel_w):
            cols[window(j, pad_w, stride_w, width, out_w)[0]] += 1
        return (rows[:, None] * cols[None, :])[:, :, None]

    def forward(self, x):
        out_h, out_w = self._output_size(x)
        xp = get_array_module(x)
        pixels = channels_first(x)  # (C, H, W, N)
        total = xp.zeros((x.shape[1], out_h, out_w, x.shape[0]), dtype=x.dtype)
        for _, rows_out, cols_out, rows_in, cols_in in self._offsets(*x.shape[2:], out_h, out_w):
            total[:, rows_out, cols_out] += pixels[:, rows_in, cols_in]  # sum over the window, offset by offset
        count = self._count(xp, x.dtype, *x.shape[2:], out_h, out_w)
        y = batch_first(total / count)  # y = sum / count
        self.save_for_backward(count, x.shape, output=y)
        return y

    def backward(self, grad_output):
        count, input_shape = self.saved_tensors(grad_output)
        xp = get_array_module(grad_output)
        g_mean = channels_first(grad_output) / count  # (C, OH, OW, N)
        grad_pixels = xp.zeros((input_shape[1], *input_shape[2:], input_shape[0]), dtype=grad_output.dtype)
        for _, rows_out, cols_out, rows_in, cols_in in self._offsets(*input_shape[2:], *g_mean.shape[1:3]):
            # dx[every position of the window] += g / count
            grad_pixels[:, rows_in, cols_in] += g_mean[:, rows_out, cols_out]
        return batch_first(grad_pixels)

    def extra_repr(self):
        return f"{super().extra_repr()}, count_include_pad={self.count_include_pad}"


class AdaptiveAvgPool2d(Module):
    """Global average pooling, as torch.nn.AdaptiveAvgPool2d((1, 1)): y = the mean of each channel's map.

    x: (N, C, H, W) -> y: (N, C, 1, 1). Only output_size (1, 1) is implemented (the one Inception uses).
    """

    def __init__(self, output_size):
        super().__init__()
        self.output_size = _pair(output_size, "output_size")
        if self.output_size != (1, 1):
            raise ValueError(f"AdaptiveAvgPool2d: only output_size (1, 1) (global average pooling) is "
                             f"implemented, got {output_size!r}")

    def forward(self, x):
        if x.ndim != 4:
            raise self._error(f"expected input of shape (N, C, H, W), got {tuple(x.shape)}")
        y = x.mean(axis=(2, 3), keepdims=True)  # y = sum over H and W of x / (H*W)
        self.save_for_backward(x.shape, output=y)
        return y

    def backward(self, grad_output):
        (input_shape,) = self.saved_tensors(grad_output)
        xp = get_array_module(grad_output)
        # dx = g / (H*W) at every pixel of the map
        return xp.broadcast_to(grad_output / (input_shape[2] * input_shape[3]), input_shape).copy()

    def extra_repr(self):
        return f"output_size={self.output_size}"
