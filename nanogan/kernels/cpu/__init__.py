"""The CPU twins of the plain kernels in nanogan/kernels/: the same results on NumPy, split across CPU threads and
written into preallocated memory. nanogan/kernels/dispatch.py chooses them for NumPy arrays."""
