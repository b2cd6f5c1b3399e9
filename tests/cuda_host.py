"""nanogan's CUDA kernel sources compiled for the CPU, called as CuPy calls them, on NumPy arrays.

nanogan declares its CUDA kernels as data (nanogan/kernels/cuda/core.py). `compiled(spec)`
here is the host twin of nanogan.kernels.cuda.core.compiled: it wraps the spec's CUDA C
in C++ that does what CuPy's generated code does, compiles it with the host C++
compiler (-O1 -ffp-contract=off: no fused multiply-add, as --fmad=false on the GPU),
loads it with ctypes (once per source and process), and returns a callable:

- Elementwise (CuPy's ElementwiseKernel): kernel(*inputs[, *outputs]) -> the output,
  or a tuple of them. T is the dtype of the arrays given for T parameters. The
  non-raw arrays are broadcast to one shape, and the body runs once per element i
  of it (a ptrdiff_t), with each non-raw array parameter a reference to its element
  i (const for inputs), each raw one a pointer to its first element (C-contiguous),
  and each Python number a value of the declared type. One C++ function is built
  per spec, dtype of T, and choice of which parameters are arrays.
- Raw (CuPy's RawKernel): kernel(grid, block, args), with args arrays and NumPy
  scalars, run as a single thread (blockIdx 0, blockDim 1, gridDim 1), so that its
  grid-stride loop covers everything in one call; pointers that the arrays hold
  are host addresses (array.ctypes.data).

This checks the kernels' arithmetic, index calculations and types against their
NumPy twins. It cannot check what only a GPU shows: compilation as CUDA by NVRTC
(CUDA-only syntax, the device math functions and their accuracy), CuPy's own code
generation and argument casting, the launch configuration (grid and block sizes,
threads that race, 32-bit indices of large arrays), or any other GPU numerics.
tests/test_cuda_kernels.py checks those on a GPU; scripts/gpu_check.sh runs it.
"""

import ctypes
import functools
import hashlib
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from nanogan.kernels.cuda.core import Elementwise, Raw

COMPILER = shutil.which("g++") or shutil.which("clang++")
FLAGS = ("-O1", "-ffp-contract=off", "-shared", "-fPIC")
_C_TYPES = {np.dtype(np.float32): "float", np.dtype(np.float64): "double", np.dtype(np.int32): "int",
            np.dtype(np.bool_): "bool"}
# CUDA's overloads of the math functions (sqrt(float) is float; a bare abs(float) in C++ would be abs(int))
_ELEMENTWISE_PREAMBLE = """#include <algorithm>
#include <cmath>
#include <cstddef>
using std::abs; using std::exp; using std::log; using std::max; using std::min; using std::sqrt; using std::tanh;
"""
_RAW_PREAMBLE = """#include <cmath>
#define __global__
static const struct { unsigned int x, y, z; } blockIdx = {0, 0, 0}, threadIdx = {0, 0, 0},
                                              blockDim = {1, 1, 1}, gridDim = {1, 1, 1};
"""


def compiled(spec):
    """The host twin of nanogan.kernels.cuda.compiled(spec): an Elementwise or Raw kernel."""
    return functools.partial({Elementwise: _elementwise, Raw: _raw}[type(spec)], spec)


def _elementwise(spec, *args):
    ins, outs = _params(spec.in_params), _params(spec.out_params)
    params, inputs, outputs = ins + outs, list(args[: len(ins)]), list(args[len(ins):])
    t = next(arg.dtype for (kind, _, _), arg in zip(params, args) if kind == "T" and isinstance(arg, np.ndarray))
    dtypes = [t if kind == "T" else np.dtype(kind) for kind, _, _ in params]
    shape = np.broadcast_shapes(*(arg.shape for (_, _, raw), arg in zip(params, args)
                                  if isinstance(arg, np.ndarray) and not raw))
    for n, ((_, name, raw), dtype, arg) in enumerate(zip(ins, dtypes, inputs)):
        if isinstance(arg, np.ndarray):
            inputs[n] = arg if raw else np.ascontiguousarray(np.broadcast_to(arg, shape), dtype)
            assert inputs[n].dtype == dtype and inputs[n].flags.c_contiguous, f"{spec.name}: {name}"
    for (_, name, _), dtype, out in zip(outs, dtypes[len(ins):], outputs):
        assert out.shape == shape and out.dtype == dtype and out.flags.c_contiguous, f"{spec.name}: {name}"
    outputs += [np.empty(shape, dtype) for dtype in dtypes[len(ins) + len(outputs):]]
    values = [*inputs, *outputs]
    function = _elementwise_function(spec, t, tuple(isinstance(value, np.ndarray) for value in values))
    _call(function, [int(np.prod(shape)), *values], [np.dtype(np.intp), *dtypes])
    return outputs[0] if len(outputs) == 1 else tuple(outputs)


@functools.cache
def _elementwise_function(spec, t, arrays):
    """The C++ function of `spec` with T = `t`, and arrays where `arrays` says, compiled."""
    ins, outs = _params(spec.in_params), _params(spec.out_params)
    parameters, elements = [], []
    for n, ((kind, name, raw), array) in enumerate(zip(ins + outs, arrays)):
        c_type = _C_TYPES[t if kind == "T" else np.dtype(kind)]
        parameters.append(f"{c_type}* {name}" if raw else f"{c_type}* _raw_{name}" if array else f"{c_type} {name}")
        if array and not raw:
            elements.append(f"{'const ' if n < len(ins) else ''}{c_type}& {name} = _raw_{name}[i];")
    source = f"""{_ELEMENTWISE_PREAMBLE}typedef {_C_TYPES[t]} T;
extern "C" void {spec.name}(std::ptrdiff_t _size, {", ".join(parameters)}) {{
    for (std::ptrdiff_t i = 0; i < _size; ++i) {{
        {" ".join(elements)}
        {spec.operation}
    }}
}}
"""
    return getattr(_library(source), spec.name)


def _raw(spec, grid, block, args):
    """grid and block are ignored: one thread runs the whole grid-stride loop."""
    _call(getattr(_library(_RAW_PREAMBLE + spec.source), spec.name), args, [arg.dtype for arg in args])


def _params(text):
    """[(type, name, raw)] of a CuPy parameter list such as "raw T pixels, int32 batch"."""
    return [(words[-2], words[-1], words[0] == "raw") for words in (param.split() for param in text.split(","))]


def _call(function, values, dtypes):
    """Call a compiled function: arrays by their address, numbers as C values of `dtypes`."""
    function.argtypes = [ctypes.c_void_p if isinstance(value, np.ndarray) else np.ctypeslib.as_ctypes_type(dtype)
                         for value, dtype in zip(values, dtypes)]
    function(*(value.ctypes.data if isinstance(value, np.ndarray) else value for value in values))


@functools.cache
def _build_dir():
    return tempfile.TemporaryDirectory(prefix="nanogan-cuda-host-")  # removed when the process ends


@functools.cache
def _library(source):
    """`source` compiled and loaded; built once per process, in a file named by its hash."""
    path = Path(_build_dir().name) / hashlib.sha256(source.encode()).hexdigest()[:16]
    path.with_suffix(".cpp").write_text(source)
    build = subprocess.run([COMPILER, *FLAGS, "-o", path.with_suffix(".so"), path.with_suffix(".cpp")],
                           capture_output=True, text=True)
    if build.returncode != 0:
        numbered = "\n".join(f"{n:4} {line}" for n, line in enumerate(source.splitlines(), 1))
        raise RuntimeError(f"{COMPILER} failed on\n{numbered}\n{build.stderr}")
    return ctypes.CDLL(str(path.with_suffix(".so")))
