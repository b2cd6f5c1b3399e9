"""Array kernels behind the layers, each written once for NumPy and usable on CuPy."""
