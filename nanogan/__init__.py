"""nanogan: generative adversarial networks from scratch.

Every layer, loss and optimizer is written by hand on arrays, with an
explicit backward pass, on NumPy (the reference) or CuPy (NVIDIA GPUs):

    engine
    nanogan.nn          layers and losses, named as in torch.nn
    nanogan.optim       Adam and SGD
    nanogan.gradcheck   finite-difference checks for any module
    nanogan.training    one GAN training step: the alternating algorithm
    nanogan.kernels     the array kernels behind the layers (im2col, BatchNorm, CUDA twins)
    nanogan.backend     the NumPy/CuPy switch
    tools
    nanogan.models      the DCGAN pair and the toy GAN's models
    nanogan.data        CelebA (folder or zip) through a uint8 cache, synthetic faces, BatchLoader
    nanogan.io          checkpoint files
    nanogan.images      sample grids as PNG files
    nanogan.plots       training curves
    applications
    nanogan.toy         the article's toy GANs (examples/toy_gaussian.py, examples/gaussian_ring.py)
    nanogan.dcgan       the DCGAN training program (examples/celeba_dcgan.py)

docs/README.md draws these layers and the rule that each imports only those below it.
"""

import os

# OpenBLAS's idle threads spin for about 0.1 s after each matrix product before they sleep, and on
# a machine with few cores they hold the cores that nanogan's own kernel threads
# (nanogan/kernels/threads.py) need next. With a short spin those threads make a 64x64 DCGAN step
# 1.18x faster on 2 cores (docs/performance.md). OpenBLAS reads this when it loads, so it takes
# effect only if NumPy was not imported before nanogan.
os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")

from . import backend, gradcheck, nn, optim  # noqa: E402  (after the setting above)
from .kernels.threads import get_num_threads, set_num_threads  # noqa: E402
from .random import manual_seed  # noqa: E402

__version__ = "0.1.0"

__all__ = ["backend", "get_num_threads", "gradcheck", "manual_seed", "nn", "optim", "set_num_threads"]
