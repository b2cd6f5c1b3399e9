"""What nanogan's CUDA kernels share: how they are declared and built.

On CuPy the hot spots run as CUDA kernels of nanogan's own (im2col.py,
batchnorm.py, activation.py, loss.py and adam.py in this folder): one launch
where the plain definition, run on CuPy as it stands, would make one launch
per array operation (im2col alone would be 80 small copies for a 4x4 kernel).
Each is the twin of a plain function of the same name and signature in
nanogan/kernels/, the reference it is tested against;
nanogan/kernels/dispatch.py chooses it for CuPy arrays.

Each kernel is declared as data (`Elementwise` or `Raw`: its parameters and
CUDA C source), so that tests can compile the source for the CPU on a
machine without a GPU (tests/cuda_host.py), and built once per process by
`compiled(spec)`; CuPy compiles it on its first call for a dtype and keeps
the binary in its kernel cache on disk. All are compiled with
`COMPILE_OPTIONS`."""

import dataclasses
import functools

# No fused multiply-add contraction: a * b + c rounds twice, as NumPy computes it, so that the
# kernels match their NumPy twins to the last bit or two. These kernels are limited by memory
# traffic, not arithmetic, so this costs nothing measurable.
COMPILE_OPTIONS = ("--fmad=false",)

# Index arithmetic in the kernels is 32-bit (64-bit division is several times slower on a GPU);
# larger arrays take the plain definition on CuPy instead.
MAX_ELEMENTS = 2**31 - 1


@functools.cache
def cupy():
    """The CuPy module (imported on first use, so NumPy users never import it)."""
    import cupy

    return cupy


@dataclasses.dataclass(frozen=True)
class Elementwise:
    """A CuPy ElementwiseKernel, as data: `compiled(spec)` builds it (once per process).

    in_params, out_params: "T x, float64 slope", ...; a "raw" array is indexed by hand,
    every other array is the element of thread i; operation: CUDA C for one element."""

    in_params: str
    out_params: str
    operation: str
    name: str

    def build(self):
        """The cupy.ElementwiseKernel of this spec."""
        return cupy().ElementwiseKernel(self.in_params, self.out_params, self.operation, self.name,
                                        options=COMPILE_OPTIONS)


@dataclasses.dataclass(frozen=True)
class Raw:
    """A CuPy RawKernel: CUDA C source with an extern "C" __global__ function `name`."""

    source: str
    name: str

    def build(self):
        """The cupy.RawKernel of this spec."""
        return cupy().RawKernel(self.source, self.name, options=COMPILE_OPTIONS)


@functools.cache
def compiled(spec):
    """The CuPy kernel of `spec`, built on first use; CuPy compiles it on its first call per dtype."""
    return spec.build()


def memory_order(array):
    """The axes of `array` from the largest stride to the smallest.

    Transposed to this order, a permuted view of contiguous memory, such as an
    (N, C, H, W) image batch stored (C, H, W, N), is C-contiguous, and a CuPy
    elementwise kernel walks it in memory order: neighbouring threads read
    neighbouring values. In its logical order neighbouring threads would read
    values N apart.
    """
    return sorted(range(array.ndim), key=lambda axis: -array.strides[axis])


def map_in_memory_order(kernel, arrays, *scalars):
    """kernel(*arrays, *scalars) on the arrays transposed to the memory order of the first; the
    outputs come back in the arrays' shape, as views laid out like the first array."""
    order = memory_order(arrays[0])
    inverse = sorted(range(len(order)), key=order.__getitem__)
    outputs = kernel(*(array.transpose(order) for array in arrays), *scalars)
    if isinstance(outputs, tuple):
        return tuple(output.transpose(inverse) for output in outputs)
    return outputs.transpose(inverse)
