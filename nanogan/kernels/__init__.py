"""The array kernels behind the layers: each a plain definition, with faster twins where they pay.

    dispatch.py      the one place that chooses how a kernel runs (plain, CPU threads, CUDA),
                     and the functions that nanogan.nn and nanogan.optim call
    the plain definitions, the readable reference, run on any backend:
    im2col.py        im2col, col2im, matmul_col2im
    activation.py    ReLU, LeakyReLU, Tanh, Sigmoid
    batchnorm.py     BatchNorm on a (C, m) matrix
    loss.py          binary cross-entropy
    adam.py          Adam's update
    their twins:
    cpu/             on CPU threads, in reused memory (NumPy)
    cuda/            as nanogan's own CUDA kernels (CuPy)
    and what they share:
    geometry.py      convolution sizes and windows   layout.py     images stored channels first, batch last
    threads.py       the CPU thread pool             workspace.py  reused scratch arrays
"""
