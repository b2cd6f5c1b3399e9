"""The one OpenBLAS setting that nanogan's programs make: a short spin for its idle threads.

After each matrix product OpenBLAS's worker threads spin for a while before
they sleep. On a machine with few cores they then hold the cores that
nanogan's own kernel threads (nanogan/kernels/threads.py) need right after a
product; docs/performance.md measures what the shortest spin gains. OpenBLAS
reads the setting once, when NumPy loads it, so a program makes it first:
this module imports neither NumPy nor anything that does (neither does
`import nanogan`), and the examples and benchmarks call
`use_short_blas_spin()` before their other imports.
"""

import os
import sys

SHORT_SPIN = "4"  # OPENBLAS_THREAD_TIMEOUT: the shortest spin OpenBLAS allows (2^4 of its wait loops)


def use_short_blas_spin():
    """Ask OpenBLAS for the shortest idle spin, unless OPENBLAS_THREAD_TIMEOUT is set already.

    Returns whether it can still take effect: False once NumPy has been imported.
    """
    os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", SHORT_SPIN)
    return "numpy" not in sys.modules
