"""nanogan: generative adversarial networks from scratch.

Every layer, loss and optimizer is written by hand on arrays, with an
explicit backward pass, on NumPy (the reference) or CuPy (NVIDIA GPUs).
docs/user-guide.md shows how to use it; docs/README.md derives the math.

    functions
    nanogan.manual_seed     seed the default generator (weights, Dropout masks), as torch.manual_seed
    nanogan.no_grad         a block whose forward passes save nothing for backward, as torch.no_grad
    nanogan.save, .load     nested state dicts in one .npz file (never pickle), as torch.save/torch.load
    nanogan.set_num_threads, get_num_threads    the CPU threads of the kernels
    foundation
    nanogan.backend     the NumPy/CuPy switch ("cuda" is another name for "cupy")
    nanogan.random      the default random generator
    nanogan.files       atomic file writes
    nanogan.blas        the BLAS settings that programs make before NumPy loads
    engine
    nanogan.kernels     the array kernels behind the layers (im2col, BatchNorm, CUDA twins)
    nanogan.nn          layers, losses, containers, Module and Parameter, named as in torch.nn;
                        nanogan.nn.init, nanogan.nn.functional, nanogan.nn.utils (gradient clipping)
    nanogan.optim       Adam, SGD and parameter groups; nanogan.optim.lr_scheduler
    nanogan.gradcheck   finite-difference checks for any module
    nanogan.training    one GAN training step: the alternating algorithm
    nanogan.objectives  the GAN objectives (bce, lsgan, hinge, wgan, ...) and GANOptions
    nanogan.penalties   gradient penalties (R1, WGAN-GP) on the layers' double backward
    tools
    nanogan.models      the DCGAN pair, the toy GAN's models, the FID Inception network, summary()
    nanogan.data        CelebA (folder or zip) through a uint8 cache, synthetic faces, ArrayLoader, BatchLoader
    nanogan.io          nanogan.save/load files, training checkpoints, PyTorch weight files, safetensors
    nanogan.metrics     FID, KID, Inception Score, precision/recall, MS-SSIM, D accuracy (docs/evaluation.md)
    nanogan.images      sample grids as PNG files
    nanogan.plots       training curves
    nanogan.cli         what the command lines share
    applications
    nanogan.toy         the article's toy GANs (examples/toy_gaussian.py, examples/gaussian_ring.py)
    nanogan.dcgan       the DCGAN training program (examples/celeba_dcgan.py)

docs/README.md draws these layers and the rule that each imports only those below it.

`import nanogan` imports nothing else, NumPy included: each name here is imported
on first use, so that a program can first make the settings that must come
before NumPy loads (nanogan.blas).
"""

import importlib

__version__ = "0.1.0"

# name -> the submodule that defines it; a submodule is its own entry
_LAZY = {name: name for name in ("backend", "blas", "cli", "data", "dcgan", "files", "gradcheck", "images", "io",
                                 "kernels", "metrics", "models", "nn", "optim", "plots", "random", "toy", "training")}
_LAZY.update(manual_seed="random", get_num_threads="kernels.threads", set_num_threads="kernels.threads",
             no_grad="nn", is_grad_enabled="nn", save="io", load="io")
_LAZY.update(objectives="objectives", penalties="penalties")

__all__ = sorted(_LAZY)


def __getattr__(name):
    """Import a submodule, or the submodule that defines a function, on first use (PEP 562)."""
    if name not in _LAZY:
        raise AttributeError(f"module 'nanogan' has no attribute {name!r}")
    module = importlib.import_module(f"{__name__}.{_LAZY[name]}")
    value = module if _LAZY[name] == name else getattr(module, name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
