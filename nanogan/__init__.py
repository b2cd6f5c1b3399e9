"""nanogan: generative adversarial networks from scratch.

Every layer, loss and optimizer is written by hand on arrays, with an
explicit backward pass, on NumPy (the reference) or CuPy (NVIDIA GPUs):

    nanogan.nn          layers and losses, named as in torch.nn
    nanogan.optim       Adam and SGD
    nanogan.gradcheck   finite-difference checks for any module
    nanogan.backend     the NumPy/CuPy switch
    nanogan.training    one GAN training step: the alternating algorithm
    nanogan.models      the DCGAN pair and the toy GAN's models
    nanogan.data        CelebA (folder or zip) through a uint8 cache, synthetic faces, BatchLoader
"""

from . import backend, gradcheck, nn, optim
from .random import manual_seed

__version__ = "0.1.0"

__all__ = ["backend", "gradcheck", "manual_seed", "nn", "optim"]
