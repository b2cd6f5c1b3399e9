"""A strict array backend: NumPy underneath, CuPy's rules on top, for CI without a GPU.

Importing this module registers the backend "strict" with nanogan, so that
`get_backend("strict")`, `to_backend(x, "strict")`, `Module.to("strict")` and
`get_array_module(x)` all work, and tests parametrized by backend run on it.
A strict array wraps a NumPy array and behaves like a CuPy array wherever
CuPy and NumPy differ in ways that break code written only for NumPy:

- no implicit conversion to NumPy: `np.asarray(x)` and `np.array(x)` raise
  TypeError; the only ways back to the host are `module.asnumpy(x)` and
  `x.get()`. NumPy ufuncs (`np.exp(x)`) and functions (`np.sum(x)`) raise too,
  which is stricter than CuPy (it forwards some of them to itself): layer code
  calls `xp.` functions, never `np.` ones, on arrays that may be on the GPU;
- no mixing with host arrays: `x + numpy_array`, `xp.maximum(x, numpy_array)`
  and `x[...] = numpy_array` raise TypeError (Python and NumPy scalars are
  fine, NumPy arrays are fine as indices); `xp.asarray`/`xp.array` upload;
- device results: reductions and full indexing give 0-d arrays, not scalars;
- no float64 creeping in: an operation that takes a float32 array (or a
  NumPy float32 scalar) and returns float64, without an explicit `dtype=`
  or `astype`, raises Float64UpcastError naming the operation;
- host synchronisation is visible: `float(x)`, `int(x)`, `bool(x)`, `x.item()`,
  `x.tolist()`, `x.get()`, `asnumpy(x)`, formatting or printing with str, and
  boolean-mask indexing (CuPy counts the mask on the host) all copy from the
  device; inside `forbid_sync()` they raise HostSyncError. `len(x)`, shapes
  and dtypes are host metadata and always allowed; `repr(x)` is left free so
  that failing tests can still show their values.

What it cannot check, and only a run on a GPU does (scripts/gpu_check.sh):
that CuPy implements every NumPy function or keyword used (anything NumPy
has, this backend has), that custom CUDA kernels compile and are right,
GPU numerics (cuBLAS GEMM summation order, TF32), in-place operations whose
input and output overlap (NumPy buffers them, CuPy does not), memory use,
speed, and synchronisations that CuPy makes internally.
"""

import contextlib
import copy
import operator
import types

import numpy as np

from nanogan.backend import register_array_module

NAME = "strict"

UPLOADS = {"asarray", "array"}  # module functions that take host data, as cupy.asarray does
EXPLICIT_CASTS = {"ndarray.astype"}  # asking for float64 is not creeping into it
FLOAT32, FLOAT64 = np.dtype(np.float32), np.dtype(np.float64)


class HostSyncError(RuntimeError):
    """A device array was copied to the host inside `forbid_sync()`."""


class Float64UpcastError(TypeError):
    """float32 went into an operation and float64 came out, unasked."""


_sync_forbidden = False


@contextlib.contextmanager
def forbid_sync():
    """Inside this block every device-to-host copy raises HostSyncError."""
    global _sync_forbidden
    previous, _sync_forbidden = _sync_forbidden, True
    try:
        yield
    finally:
        _sync_forbidden = previous


def _sync(operation):
    if _sync_forbidden:
        raise HostSyncError(f"strict backend: {operation} copies a device array to the host inside forbid_sync()")


def _unwrap(value, operation, uploads=False):
    """The NumPy arrays behind strict arrays in `value` (also inside tuples and lists)."""
    kind = type(value)
    if kind is StrictArray:
        return value._array
    if kind is tuple or kind is list:
        return kind([_unwrap(item, operation, uploads) for item in value])
    if isinstance(value, np.ndarray) and not uploads:
        raise _host_array_error(operation)
    return value


def _wrap(value):
    """Strict arrays for the NumPy arrays and scalars in a result (CuPy returns 0-d arrays, not scalars)."""
    if type(value) is np.ndarray:
        return StrictArray(value)
    if isinstance(value, (np.ndarray, np.generic)):
        return StrictArray(np.asarray(value))
    if type(value) is tuple or type(value) is list:
        return type(value)([_wrap(item) for item in value])
    return value


def _has_dtype(values, dtype):
    """True when an array or NumPy scalar among `values` (or inside a tuple or list there) has `dtype`."""
    for value in values:
        kind = type(value)
        if kind is tuple or kind is list:
            if _has_dtype(value, dtype):
                return True
        elif isinstance(value, (StrictArray, np.ndarray, np.generic)) and value.dtype == dtype:
            return True
    return False


def _call(operation, function, args, kwargs, uploads=False):
    """function(*args, **kwargs) on the arrays behind strict arrays; the result wrapped back."""
    host_args = [value._array if type(value) is StrictArray else _unwrap(value, operation, uploads) for value in args]
    host_kwargs = {key: _unwrap(value, operation, uploads) for key, value in kwargs.items()}
    result = function(*host_args, **host_kwargs)
    if (_has_dtype((result,), FLOAT64) and "dtype" not in kwargs and operation not in EXPLICIT_CASTS
            and (_has_dtype(args, FLOAT32) or _has_dtype(kwargs.values(), FLOAT32))):
        raise Float64UpcastError(
            f"strict backend: {operation} turned float32 input into a float64 result; "
            f"look for a float64 or integer array, or a NumPy float64 scalar, among its operands"
        )
    return _wrap(result)


def _copy_to_host(operation, convert):
    """A method that hands the array to `convert` on the host, unless inside forbid_sync()."""
    def method(self, *args):
        _sync(operation)
        return convert(self._array, *args)
    return method


def _host_array_error(operation):
    return TypeError(
        f"strict backend: {operation} got a numpy.ndarray among device arrays, which CuPy refuses; "
        f"move it to the device with xp.asarray first"
    )


def _check_operand(other, operation):
    """CuPy's operators take device arrays and Python or NumPy scalars, nothing else."""
    if isinstance(other, np.ndarray):
        raise _host_array_error(operation)
    if not isinstance(other, (StrictArray, bool, int, float, complex, np.generic)):
        raise TypeError(
            f"strict backend: {operation} between a device array and a {type(other).__name__}; "
            f"CuPy takes only device arrays and scalars here"
        )


class StrictArray:
    """A device array for the strict backend: a NumPy array that only the strict module may touch."""

    __slots__ = ("_array",)
    __array_ufunc__ = None  # NumPy ufuncs refuse it, and ndarray operators hand over to ours
    __hash__ = None  # unhashable, like NumPy and CuPy arrays

    def __init__(self, array):
        self._array = array

    def __array__(self, dtype=None, copy=None):
        raise TypeError(
            "strict backend: implicit conversion of a device array to NumPy is not allowed (CuPy refuses it too); "
            "use nanogan.backend.to_numpy(x), xp.asnumpy(x) or x.get()"
        )

    def __array_function__(self, function, types, args, kwargs):
        return NotImplemented  # so np.sum(x), np.zeros_like(x), ... raise TypeError

    # shape, dtype, ndim and size are host metadata, as on CuPy
    shape = property(lambda self: self._array.shape)
    dtype = property(lambda self: self._array.dtype)
    ndim = property(lambda self: self._array.ndim)
    size = property(lambda self: self._array.size)
    T = property(lambda self: StrictArray(self._array.T))

    def __getattr__(self, name):
        """The rest of NumPy's attributes and methods, on the device: reshape, sum, astype, ..."""
        if name.startswith("_"):
            raise AttributeError(name)
        attribute = getattr(self._array, name)
        if not callable(attribute):
            return _wrap(attribute)
        unbound = getattr(np.ndarray, name)
        return lambda *args, **kwargs: _call(f"ndarray.{name}", unbound, (self, *args), kwargs)

    # -- copies to the host: each one a synchronisation on a GPU ---------------

    get = _copy_to_host("ndarray.get", np.ndarray.copy)
    item = _copy_to_host("ndarray.item", np.ndarray.item)
    tolist = _copy_to_host("ndarray.tolist", np.ndarray.tolist)
    __float__ = _copy_to_host("float()", float)
    __int__ = _copy_to_host("int()", int)
    __index__ = _copy_to_host("operator.index()", operator.index)
    __bool__ = _copy_to_host("bool()", bool)
    __str__ = _copy_to_host("str()", str)
    __format__ = _copy_to_host("format()", format)

    def __repr__(self):
        return f"strict.{self._array!r}"

    # -- host metadata, indexing, copies ----------------------------------------

    def __len__(self):
        return len(self._array)

    def __iter__(self):
        return (_wrap(row) for row in self._array)

    def __getitem__(self, key):
        host_key = _index(key)
        result = self._array[host_key]
        if isinstance(result, np.generic):  # NumPy gives a scalar where CuPy gives a 0-d view
            result = self._array[(host_key if isinstance(host_key, tuple) else (host_key,)) + (Ellipsis,)]
        return StrictArray(result)

    def __setitem__(self, key, value):
        if isinstance(value, np.ndarray) and value.ndim > 0:
            raise TypeError("strict backend: x[...] = numpy array, which CuPy refuses; use xp.asarray(value) first")
        self._array[_index(key)] = value._array if isinstance(value, StrictArray) else value

    def __copy__(self):
        return StrictArray(self._array.copy())

    def __deepcopy__(self, memo):
        return StrictArray(copy.deepcopy(self._array, memo))


def _index(key):
    """An index with strict arrays unwrapped; NumPy arrays are allowed (CuPy uploads them)."""
    if type(key) is tuple and StrictArray in map(type, key):
        return tuple([_index(item) for item in key])
    if type(key) is StrictArray:
        if key.dtype == np.bool_:
            _sync("boolean mask indexing")  # CuPy counts the True entries on the host
        return key._array
    return key


def _binary(function, reflected=False):
    def method(self, other):
        _check_operand(other, function.__name__)
        return _call(function.__name__, function, (other, self) if reflected else (self, other), {})
    return method


def _inplace(function):
    def method(self, other):
        _check_operand(other, function.__name__)
        _call(function.__name__, function, (self, other), {})
        return self
    return method


def _unary(function):
    return lambda self: _call(function.__name__, function, (self,), {})


for _name in ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "matmul",
              "and", "or", "xor", "lshift", "rshift"):
    _function = getattr(operator, _name if hasattr(operator, _name) else _name + "_")
    setattr(StrictArray, f"__{_name}__", _binary(_function))
    setattr(StrictArray, f"__r{_name}__", _binary(_function, reflected=True))
    setattr(StrictArray, f"__i{_name}__", _inplace(getattr(operator, f"i{_name}")))
for _name in ("eq", "ne", "lt", "le", "gt", "ge"):
    setattr(StrictArray, f"__{_name}__", _binary(getattr(operator, _name)))
for _name in ("neg", "pos", "abs", "invert"):
    setattr(StrictArray, f"__{_name}__", _unary(getattr(operator, _name)))


def asnumpy(array):
    """A NumPy copy of a strict array (the host copy, like cupy.asnumpy)."""
    if isinstance(array, StrictArray):
        _sync("asnumpy")
        return array._array.copy()
    return np.asarray(array)


class _StrictModule(types.ModuleType):
    """The strict backend's `xp`: NumPy's functions, taking and returning strict arrays."""

    ndarray = StrictArray

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        value = getattr(np, name)
        if isinstance(value, types.ModuleType):
            raise AttributeError(f"the strict backend does not wrap numpy.{name}; CuPy's submodules differ")
        if not callable(value) or isinstance(value, type):
            return value  # constants, dtypes and scalar types are the same objects in CuPy
        uploads = name in UPLOADS

        def function(*args, **kwargs):
            return _call(name, value, args, kwargs, uploads)

        setattr(self, name, function)  # built once per name
        return function


module = _StrictModule(NAME, "NumPy behind CuPy's rules; see tests/strict_backend.py")
module.asnumpy = asnumpy
register_array_module(NAME, module, StrictArray)
