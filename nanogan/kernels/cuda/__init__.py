"""The CUDA twins of the plain kernels in nanogan/kernels/: nanogan's own kernels, compiled by CuPy on first use
(core.py says how they are declared). nanogan/kernels/dispatch.py chooses them for CuPy arrays."""
