"""pytorch-fid's Inception network with given weights, for the comparison tests and benchmarks/bench_inception.py.

torchvision: pytorch-fid builds its network from torchvision's Inception-v3 code, and the
registry's torchvision wheels are built for PyTorch's CUDA build. Beside the CPU build
(the `reference` extra's torch==2.13.0+cpu) their compiled operators (torchvision/_C.so,
linked against libtorch_cuda.so) cannot load, and `import torchvision` stops in
torchvision._meta_registrations: "operator torchvision::nms does not exist". Those
modules only register the detection operators (nms, roi_align, ...) for torch.compile
and autograd; the models never use them. So where, and only where, that import fails,
`import_torchvision` puts empty modules in place of those two and imports it again:
torchvision's Python code, models included, is then the installed one, unchanged.

Weights: pytorch-fid never takes weights as an argument; it looks for its weight file in
PyTorch's hub cache before downloading. `pytorch_fid_inception` writes the given state dict
there, under that file's name, so pytorch-fid's own loading code runs (strictly: the keys
must be exactly its own).
"""

import importlib
import sys
import types
from pathlib import Path

import numpy as np

REGISTRATION_MODULES = ("torchvision._meta_registrations", "torchvision._autograd_registrations")


def import_torchvision():
    """The torchvision module, its compiled operators or not (see above); ImportError where it is not installed."""
    try:
        return importlib.import_module("torchvision")
    except RuntimeError as error:
        if "torchvision::" not in str(error):
            raise
    for name in [name for name in sys.modules if name == "torchvision" or name.startswith("torchvision.")]:
        del sys.modules[name]  # what the failed import left half done
    for name in REGISTRATION_MODULES:
        sys.modules[name] = types.ModuleType(name, "empty: torchvision's operators cannot load beside this torch")
    return importlib.import_module("torchvision")


def pytorch_fid_inception(state_dict, hub_dir, output_blocks=(0, 1, 2, 3)):
    """pytorch_fid.inception.InceptionV3(output_blocks) with the weights `state_dict` (name -> NumPy array, the keys
    of nanogan's FIDInceptionV3), in training mode; the weight file is written under `hub_dir`."""
    import torch

    import_torchvision()
    from pytorch_fid import inception

    checkpoints = Path(hub_dir) / "checkpoints"
    checkpoints.mkdir(parents=True, exist_ok=True)
    tensors = {name: torch.from_numpy(np.array(value)) for name, value in state_dict.items()}
    torch.save(tensors, checkpoints / inception.FID_WEIGHTS_URL.rsplit("/", 1)[1])
    previous = torch.hub.get_dir()
    torch.hub.set_dir(str(hub_dir))
    try:
        return inception.InceptionV3(output_blocks=list(output_blocks))
    finally:
        torch.hub.set_dir(previous)
