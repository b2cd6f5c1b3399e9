"""The one place that chooses how each kernel runs: its plain definition, CPU threads, or CUDA.

Layers and optimizers call the functions at the end of this file. Each has a
plain definition, the readable reference (nanogan/kernels/<topic>.py), and up
to two faster twins of the same signature:

    kernel                          plain definition      CPU threads (NumPy)       CUDA (CuPy)
    im2col, col2im, matmul_col2im   im2col.py             cpu/im2col.py             cuda/im2col.py
    relu, leaky_relu (+ backward)   activation.py         cpu/activation.py         cuda/activation.py
    tanh, sigmoid (+ backward)      activation.py         -                         cuda/activation.py
    elu (+ backward)                activation.py         -                         -
    batch_norm_forward, _backward   batchnorm.py          cpu/batchnorm.py          cuda/batchnorm.py
    update_running_stats            batchnorm.py          -                         cuda/batchnorm.py
    binary_cross_entropy (+ bwd)    loss.py               -                         cuda/loss.py
    adam_step                       adam.py               cpu/adam.py               cuda/adam.py

A call runs the CUDA twin on CuPy arrays (where the twin takes them), the
threaded twin on NumPy arrays, and the plain definition everywhere else: where
there is no twin, on any other array module (the strict test backend), and in
reference mode, which runs every kernel as its plain definition on any backend
(`use_reference(True)`, or the environment variable NANOGAN_REFERENCE=1).
The twins are tested against the plain definitions (tests/test_kernel_twins.py,
tests/test_cuda_kernel_sources.py, tests/test_cuda_kernels.py).
"""

import contextlib
import functools
import os

import numpy as np

from ..backend import get_array_module
from . import activation as plain_activation
from . import adam as plain_adam
from . import batchnorm as plain_batchnorm
from . import im2col as plain_im2col
from . import loss as plain_loss
from .cpu import activation as cpu_activation
from .cpu import adam as cpu_adam
from .cpu import batchnorm as cpu_batchnorm
from .cpu import im2col as cpu_im2col
from .cuda import activation as cuda_activation
from .cuda import adam as cuda_adam
from .cuda import batchnorm as cuda_batchnorm
from .cuda import im2col as cuda_im2col
from .cuda import loss as cuda_loss

_reference = os.environ.get("NANOGAN_REFERENCE", "0") not in ("", "0")


def use_reference(enabled=True):
    """Run every kernel as its plain definition (True) or as its fastest twin (False); returns the old setting."""
    global _reference
    previous, _reference = _reference, bool(enabled)
    return previous


def reference_mode():
    """Whether every kernel runs as its plain definition."""
    return _reference


@contextlib.contextmanager
def reference_kernels():
    """Inside this block every kernel runs as its plain definition."""
    previous = use_reference(True)
    try:
        yield
    finally:
        use_reference(previous)


def uses_cuda(xp):
    """Whether arrays of the module `xp` take the CUDA twins: true for CuPy."""
    return getattr(xp, "__name__", None) == "cupy"


class Kernel:
    """A function with a plain definition and faster twins; a call runs the one that fits its arguments.

    cuda_fits(*args): whether the CUDA twin takes these arguments (None: always).
    """

    def __init__(self, plain, threads=None, cuda=None, cuda_fits=None):
        self.plain, self.threads, self.cuda, self.cuda_fits = plain, threads, cuda, cuda_fits
        functools.update_wrapper(self, plain)

    def choose(self, *args):
        """The function that a call with these arguments runs."""
        if _reference:
            return self.plain
        first = args[0][0] if isinstance(args[0], (list, tuple)) else args[0]  # adam_step takes lists of arrays
        xp = get_array_module(first)
        if self.cuda is not None and uses_cuda(xp) and (self.cuda_fits is None or self.cuda_fits(*args)):
            return self.cuda
        if self.threads is not None and xp is np:
            return self.threads
        return self.plain

    def __call__(self, *args):
        return self.choose(*args)(*args)

    def __repr__(self):
        return f"<kernel {self.__name__}>"


def _number_momentum(running_mean, running_var, mean, var, momentum, count):
    return isinstance(momentum, (int, float))  # the cumulative average's momentum is an array


im2col = Kernel(plain_im2col.im2col, cpu_im2col.im2col, cuda_im2col.im2col, cuda_im2col.im2col_fits)
col2im = Kernel(plain_im2col.col2im, cpu_im2col.col2im, cuda_im2col.col2im, cuda_im2col.col2im_fits)
matmul_col2im = Kernel(plain_im2col.matmul_col2im, cpu_im2col.matmul_col2im, cuda_im2col.matmul_col2im,
                       cuda_im2col.matmul_col2im_fits)
relu = Kernel(plain_activation.relu, cpu_activation.relu, cuda_activation.relu)
relu_backward = Kernel(plain_activation.relu_backward, cpu_activation.relu_backward, cuda_activation.relu_backward)
leaky_relu = Kernel(plain_activation.leaky_relu, cpu_activation.leaky_relu, cuda_activation.leaky_relu)
leaky_relu_backward = Kernel(plain_activation.leaky_relu_backward, cpu_activation.leaky_relu_backward,
                             cuda_activation.leaky_relu_backward)
tanh = Kernel(plain_activation.tanh, cuda=cuda_activation.tanh)
tanh_backward = Kernel(plain_activation.tanh_backward, cuda=cuda_activation.tanh_backward)
sigmoid = Kernel(plain_activation.sigmoid, cuda=cuda_activation.sigmoid)
sigmoid_backward = Kernel(plain_activation.sigmoid_backward, cuda=cuda_activation.sigmoid_backward)
batch_norm_forward = Kernel(plain_batchnorm.batch_norm_forward, cpu_batchnorm.batch_norm_forward,
                            cuda_batchnorm.batch_norm_forward)
batch_norm_backward = Kernel(plain_batchnorm.batch_norm_backward, cpu_batchnorm.batch_norm_backward,
                             cuda_batchnorm.batch_norm_backward)
update_running_stats = Kernel(plain_batchnorm.update_running_stats, cuda=cuda_batchnorm.update_running_stats,
                              cuda_fits=_number_momentum)
elu = Kernel(plain_activation.elu)
elu_backward = Kernel(plain_activation.elu_backward)
binary_cross_entropy = Kernel(plain_loss.binary_cross_entropy, cuda=cuda_loss.binary_cross_entropy)
binary_cross_entropy_backward = Kernel(plain_loss.binary_cross_entropy_backward,
                                       cuda=cuda_loss.binary_cross_entropy_backward)
adam_step = Kernel(plain_adam.adam_step, cpu_adam.adam_step, cuda_adam.adam_step, cuda_adam.fits)

KERNELS = {name: kernel for name, kernel in list(globals().items()) if isinstance(kernel, Kernel)}  # by name, for tests
