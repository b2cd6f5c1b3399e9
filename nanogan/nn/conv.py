"""Conv2d and ConvTranspose2d, each one matrix product per pass around im2col/col2im.

A convolution and a transposed convolution are adjoint linear maps: the
forward pass of one is the input-gradient pass of the other. So the same
two kernels serve both layers, in swapped roles:

                      forward          input gradient     weight gradient
    Conv2d            im2col, GEMM     GEMM, col2im       GEMM on im2col(x)
    ConvTranspose2d   GEMM, col2im     im2col, GEMM       GEMM on im2col(g)

Images are (N, C, H, W) arrays stored channels first, batch last
(nanogan/kernels/layout.py): a GEMM's (C, H*W*N) result is returned as a
view, and the next layer reads it as a matrix without a copy. Conv2d keeps
x for backward, not its columns (four times the memory of x for a 4x4/2
layer), and builds them again there when the weight gradient is needed.

Both layers keep their input (or a view of it) for backward, as PyTorch
does: change it in place between forward and backward and the gradients
are wrong.
"""

import numpy as np

from ..kernels.dispatch import im2col, matmul_col2im
from ..kernels.geometry import conv_output_size
from ..kernels.layout import channel_rows, from_channel_rows
from . import init
from .module import Module
from .parameter import Parameter


def _pair(value, name):
    pair = (value, value) if isinstance(value, int) else tuple(value)
    if len(pair) != 2 or not all(isinstance(v, int) for v in pair):
        raise ValueError(f"{name} must be an int or a pair of ints, got {value!r}")
    return pair


class _ConvNd(Module):
    """What Conv2d and ConvTranspose2d share: arguments, parameters, input checks."""

    def __init__(self, in_channels, out_channels, kernel_size, stride, padding, output_padding, bias, weight_shape,
                 fan_in):
        super().__init__()
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = _pair(kernel_size, "kernel_size")
        self.stride = _pair(stride, "stride")
        self.padding = _pair(padding, "padding")
        self.output_padding = _pair(output_padding, "output_padding")  # (0, 0) for Conv2d, as in PyTorch
        if in_channels < 1 or out_channels < 1 or min(self.kernel_size) < 1 or min(self.stride) < 1:
            raise ValueError(
                f"{type(self).__name__}: channels, kernel_size and stride must be positive, got "
                f"in_channels={in_channels}, out_channels={out_channels}, "
                f"kernel_size={self.kernel_size}, stride={self.stride}"
            )
        if min(self.padding) < 0:
            raise ValueError(f"{type(self).__name__}: padding must be >= 0, got {self.padding}")
        self.weight = Parameter(np.empty(weight_shape, dtype=np.float32))
        self.bias = Parameter(np.empty(out_channels, dtype=np.float32)) if bias else None
        self._fan_in = fan_in
        self.reset_parameters()

    def reset_parameters(self):
        init.fan_in_uniform_(self.weight, self._fan_in)
        if self.bias is not None:
            init.fan_in_uniform_(self.bias, self._fan_in)

    def _check_shape(self, x):
        if x.ndim != 4 or x.shape[1] != self.in_channels:
            raise self._error(f"expected input of shape (N, {self.in_channels}, H, W), got {tuple(x.shape)}")

    def _im2col(self, x):
        """im2col(x) with this layer's geometry: (C*KH*KW, OH*OW*N). The columns may live in memory that
        the next im2col or matmul_col2im reuses, so they are used at once and never kept."""
        return im2col(x, self.kernel_size, self.stride, self.padding)

    def _add_bias(self, y):
        if self.bias is not None:
            y += self.bias.data.reshape(1, -1, 1, 1)
        return y

    def _accumulate_bias_grad(self, grad_output):
        if self.bias is not None and self.bias.requires_grad:
            # db = sum of g over batch and pixels
            self.bias.grad += grad_output.sum(axis=(0, 2, 3))

    def extra_repr(self):
        text = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0, 0):
            text += f", padding={self.padding}"
        if self.output_padding != (0, 0):
            text += f", output_padding={self.output_padding}"
        if self.bias is None:
            text += ", bias=False"
        return text


class Conv2d(_ConvNd):
    """2-D convolution (cross-correlation, as in PyTorch).

    x: (N, C_in, H, W) -> y: (N, C_out, OH, OW), OH = floor((H + 2*padding - kernel) / stride) + 1
    weight: (C_out, C_in, KH, KW), bias: (C_out,)
    """

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, bias=True):
        kernel_h, kernel_w = _pair(kernel_size, "kernel_size")
        super().__init__(
            in_channels, out_channels, kernel_size, stride, padding, 0, bias,
            weight_shape=(out_channels, in_channels, kernel_h, kernel_w),
            fan_in=in_channels * kernel_h * kernel_w,
        )

    def forward(self, x):
        """x: (N, C_in, H, W) -> y: (N, C_out, OH, OW); saves x for backward."""
        self._check_shape(x)
        batch, _, height, width = x.shape
        padded = (height + 2 * self.padding[0], width + 2 * self.padding[1])
        if padded[0] < self.kernel_size[0] or padded[1] < self.kernel_size[1]:
            raise self._error(
                f"kernel {self.kernel_size} is larger than the padded input {padded} "
                f"(input {(height, width)} plus padding {self.padding} on each side)"
            )
        out_h, out_w = (conv_output_size(size, k, s, p) for size, k, s, p
                        in zip((height, width), self.kernel_size, self.stride, self.padding))
        columns = self._im2col(x)  # (C_in*KH*KW, OH*OW*N)
        weight_matrix = self.weight.data.reshape(self.out_channels, -1)  # (C_out, C_in*KH*KW)
        # y = W_matrix @ columns: (C_out, OH*OW*N), returned as an (N, C_out, OH, OW) view
        y = from_channel_rows(weight_matrix @ columns, (batch, self.out_channels, out_h, out_w))
        y = self._add_bias(y)
        self.save_for_backward(x, output=y)
        return y

    def backward(self, grad_output):
        """dL/dy: (N, C_out, OH, OW) -> dL/dx: (N, C_in, H, W); adds dL/dW and dL/db into .grad."""
        (x,) = self.saved_tensors(grad_output)
        # g as a matrix: (N, C_out, OH, OW) -> (C_out, OH*OW*N), columns ordered like im2col's
        g = channel_rows(grad_output)
        weight_matrix = self.weight.data.reshape(self.out_channels, -1)
        if self.weight.requires_grad:
            columns = self._im2col(x)  # built again from x, which forward kept instead of the larger columns
            # dW = g @ columns^T
            self.weight.grad += (g @ columns.T).reshape(self.weight.shape)
        self._accumulate_bias_grad(grad_output)
        # dx = col2im(W_matrix^T @ g)
        return matmul_col2im(weight_matrix.T, g, x.shape, self.kernel_size, self.stride, self.padding)

    def double_backward(self, grad_grad_input):
        """v = dP/dx for a scalar P of backward's dx = col2im(W_matrix^T g) (docs/double-backward.md)."""
        _, grad_output = self.saved_for_double_backward()
        g = channel_rows(grad_output)  # (C_out, OH*OW*N)
        weight_matrix = self.weight.data.reshape(self.out_channels, -1)
        v_columns = self._im2col(grad_grad_input)  # im2col(v): (C_in*KH*KW, OH*OW*N), the adjoint of col2im
        if self.weight.requires_grad:
            # dP/dW = g @ im2col(v)^T   (dx is linear in W)
            self.weight.grad += (g @ v_columns.T).reshape(self.weight.shape)
        # dP/dg = W_matrix @ im2col(v): the convolution of v, without bias; dx does not depend on x
        return from_channel_rows(weight_matrix @ v_columns, grad_output.shape), None


class ConvTranspose2d(_ConvNd):
    """2-D transposed convolution: the adjoint (input gradient) of Conv2d, as in PyTorch.

    x: (N, C_in, H, W) -> y: (N, C_out, OH, OW),
    OH = (H - 1) * stride - 2 * padding + kernel + output_padding
    weight: (C_in, C_out, KH, KW), bias: (C_out,)

    Several input sizes of a strided Conv2d give the same output size;
    output_padding (< stride) picks which one this layer maps back to.
    """

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, output_padding=0, bias=True):
        kernel_h, kernel_w = _pair(kernel_size, "kernel_size")
        # PyTorch takes fan_in from weight dim 1, which for a transposed conv is out_channels
        super().__init__(
            in_channels, out_channels, kernel_size, stride, padding, output_padding, bias,
            weight_shape=(in_channels, out_channels, kernel_h, kernel_w),
            fan_in=out_channels * kernel_h * kernel_w,
        )
        if any(not 0 <= op < s for op, s in zip(self.output_padding, self.stride)):
            raise ValueError(
                f"ConvTranspose2d: output_padding must be >= 0 and smaller than stride {self.stride}, "
                f"got {self.output_padding}"
            )

    def output_shape(self, input_shape):
        """(N, C_out, H_out, W_out) for an input of `input_shape`: H_out = (H - 1) * stride - 2 * padding + kernel + output_padding."""
        batch, _, height, width = input_shape
        out_h, out_w = ((size - 1) * s - 2 * p + k + op for size, s, p, k, op
                        in zip((height, width), self.stride, self.padding, self.kernel_size, self.output_padding))
        return batch, self.out_channels, out_h, out_w

    def forward(self, x):
        """x: (N, C_in, H, W) -> y: (N, C_out, OH, OW), OH = (H - 1) * stride - 2 * padding + kernel + output_padding."""
        self._check_shape(x)
        output_shape = self.output_shape(x.shape)
        if min(output_shape[2:]) < 1:
            raise self._error(
                f"input {tuple(x.shape)} gives an empty output {output_shape}: padding {self.padding} "
                f"crops away everything; use less padding or a larger input"
            )
        # x as a matrix: (N, C_in, H, W) -> (C_in, H*W*N), the role of g in Conv2d.backward
        x_matrix = channel_rows(x)
        weight_matrix = self.weight.data.reshape(self.in_channels, -1)  # (C_in, C_out*KH*KW)
        # y = col2im(W_matrix^T @ x_matrix): Conv2d's input gradient
        y = matmul_col2im(weight_matrix.T, x_matrix, output_shape, self.kernel_size, self.stride, self.padding)
        y = self._add_bias(y)
        self.save_for_backward(x_matrix, x.shape, output=y)
        return y

    def backward(self, grad_output):
        """dL/dy: (N, C_out, OH, OW) -> dL/dx: (N, C_in, H, W); adds dL/dW and dL/db into .grad."""
        x_matrix, input_shape = self.saved_tensors(grad_output)
        columns = self._im2col(grad_output)  # (C_out*KH*KW, H*W*N)
        weight_matrix = self.weight.data.reshape(self.in_channels, -1)
        if self.weight.requires_grad:
            # dW = x_matrix @ columns^T
            self.weight.grad += (x_matrix @ columns.T).reshape(self.weight.shape)
        self._accumulate_bias_grad(grad_output)
        # dx = W_matrix @ columns: Conv2d's forward
        return from_channel_rows(weight_matrix @ columns, input_shape)
