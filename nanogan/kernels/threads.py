"""CPU threads for the kernels that BLAS does not run: splitting a copy across cores.

A DCGAN step on NumPy spends a good part of its time outside the matrix
products, in im2col/col2im copies and elementwise passes. BLAS runs the
products on every core, but a NumPy copy or ufunc runs on one. NumPy lets go
of the GIL inside such loops, so Python threads working on disjoint parts of
one array do run at the same time: the CPU twins of nanogan/kernels/cpu/
split their channels across threads (docs/performance.md measures the gain).

Only if the cores are free, though: OpenBLAS's threads keep spinning for a
while after each product, which is why nanogan's programs shorten that spin
first thing (nanogan/blas.py).

    run_split(work, length, xp, elements)

calls work(part) for slices `part` that tile range(length), one per thread,
and returns when all are done; `elements` is how many array elements the
whole job moves. Work is split only on NumPy, only when there are several
threads and the job is large enough to pay for the hand-off; on CuPy (the
GPU runs a kernel on all its cores already) and for small jobs it is one
call, work(slice(0, length)). Each part must write memory that no other
part touches, and work must not call run_split itself (the pool has no
spare thread for a nested split to wait on).

The number of threads is the number of CPUs this process may use, or
OMP_NUM_THREADS where set (the variable BLAS reads too); set_num_threads
changes it, like torch.set_num_threads.
"""

import os
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from ..backend import get_array_module

# Smaller jobs stay on the calling thread: waking a sleeping thread and waiting for it costs about
# half of one pass over this many values, and a lower threshold made small DCGAN steps slower
# (docs/performance.md).
MIN_ELEMENTS = 1 << 19


def _default_num_threads():
    configured = os.environ.get("OMP_NUM_THREADS", "").strip()
    if configured.isdigit() and int(configured) > 0:
        return int(configured)
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


_num_threads = _default_num_threads()
_pool = None
_pool_lock = threading.Lock()


def get_num_threads():
    """Threads that kernels split their work across (1: no splitting)."""
    return _num_threads


def set_num_threads(count):
    """Use `count` threads (>= 1) for the split kernels from now on."""
    global _num_threads, _pool
    if not isinstance(count, int) or count < 1:
        raise ValueError(f"set_num_threads: expected a positive int, got {count!r}")
    with _pool_lock:
        if _pool is not None and count != _num_threads:
            _pool.shutdown(wait=True)
            _pool = None
        _num_threads = count


def _get_pool():
    global _pool
    with _pool_lock:
        if _pool is None:
            # The calling thread does one part itself, so the pool needs one thread fewer.
            _pool = ThreadPoolExecutor(max_workers=_num_threads - 1, thread_name_prefix="nanogan")
        return _pool


def split(length, parts):
    """`parts` slices tiling range(length), in order, their sizes differing by at most one."""
    bounds = [length * k // parts for k in range(parts + 1)]
    return [slice(bounds[k], bounds[k + 1]) for k in range(parts)]


def run_split(work, length, xp, elements):
    """work(part) over slices tiling range(length): across threads on NumPy, one call elsewhere."""
    parts = min(_num_threads, length) if xp is np and elements >= MIN_ELEMENTS else 1
    if parts <= 1:
        work(slice(0, length))
        return
    first, *rest = split(length, parts)
    futures = [_get_pool().submit(work, part) for part in rest]
    work(first)
    for future in futures:
        future.result()  # re-raises a worker's exception here


def split_channels(work, *arrays):
    """work(*views) on matching channel slices a[:, part] of arrays shaped like the first,
    (N, C, ...), across threads; arrays with fewer than two axes are passed whole."""
    first = arrays[0]
    if first.ndim < 2:
        work(*arrays)
        return
    run_split(lambda part: work(*(array[:, part] for array in arrays)), first.shape[1],
              get_array_module(first), first.size)


def _forget_pool():  # a forked child has the pool object but none of its threads
    global _pool
    _pool = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool)
