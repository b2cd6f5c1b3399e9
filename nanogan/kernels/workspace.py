"""Scratch arrays: memory that the kernels reuse from call to call instead of allocating.

A fresh NumPy array of tens of megabytes is new memory from the operating
system each time: the kernel maps and zeroes its pages on first touch, which
makes filling it markedly slower than a copy into an existing array
(docs/performance.md). The largest arrays of a convolution, the im2col
columns, live only inside one call, so one array can serve every call:

    columns = scratch("columns", (rows, cols), x.dtype, xp)

returns an array of that shape and dtype, carved from the one scratch buffer
named "columns" (grown when a request is larger than any before it). Every
layer shares it, so its contents are only good until the next request for
that name: the im2col twins (nanogan/kernels/cpu/im2col.py and
cuda/im2col.py) hand their columns to a layer that uses them at once, and
nothing keeps a scratch array for backward. Two arrays needed at the same
time must have different names. Each thread has its own buffers.

On CuPy this saves less time (CuPy pools device memory already), but it keeps
the GPU's memory to one such array too.
"""

import threading

import numpy as np

_buffers = threading.local()  # per thread: {(name, dtype, array module): 1-d buffer}


def scratch(name, shape, dtype, xp):
    """An uninitialised array of `shape` and `dtype` on `xp`, valid until the next request for `name`."""
    if not hasattr(_buffers, "by_key"):
        _buffers.by_key = {}
    size = 1
    for length in shape:
        size *= length
    key = (name, np.dtype(dtype), xp)  # np.dtype: host metadata, the same objects on CuPy
    buffer = _buffers.by_key.get(key)
    if buffer is None or buffer.size < size:
        buffer = _buffers.by_key[key] = xp.empty(size, dtype=dtype)
    return buffer[:size].reshape(shape)


def release_scratch():
    """Free this thread's scratch buffers (they are made again on the next request)."""
    _buffers.by_key = {}


def scratch_bytes():
    """Bytes held by this thread's scratch buffers."""
    return sum(buffer.nbytes for buffer in getattr(_buffers, "by_key", {}).values())
