"""safetensors files for any nanogan state dict, as PyTorch, JAX and the Hugging Face tools read them.

A safetensors file is a JSON header (each array's name, dtype, shape and byte range) followed by
the raw bytes: no pickle, so nothing to refuse. Reading and writing go through the `safetensors`
package's NumPy API, an optional extra: pip install "nanogan[safetensors]". PyTorch reads the file
with `safetensors.torch.load_file(path)`, a dict that `load_state_dict` takes.
"""

import numpy as np

from ..backend import to_numpy
from ..files import atomic_write
from .errors import WeightsError

INSTALL_HINT = 'pip install "nanogan[safetensors]"'


def _safetensors(path):
    try:
        import safetensors.numpy
    except ImportError:
        raise WeightsError(f"{path}: safetensors files need the safetensors package: {INSTALL_HINT}") from None
    return safetensors


def save_safetensors(state_dict, path, metadata=None):
    """Write `state_dict` (name -> array, on any backend) to `path` atomically; metadata: str -> str, in the header."""
    save = _safetensors(path).numpy.save
    arrays = {name: np.asarray(to_numpy(value), order="C") for name, value in state_dict.items()}  # 0-d stays 0-d
    with atomic_write(path) as file:
        file.write(save(arrays, metadata=metadata))
    return path


def load_safetensors(path):
    """The arrays of a safetensors file, by name, as NumPy arrays; WeightsError for a missing or damaged file."""
    safetensors = _safetensors(path)
    try:
        with open(path, "rb") as file:
            return safetensors.numpy.load(file.read())
    except FileNotFoundError:
        raise WeightsError(f"{path} does not exist") from None
    except safetensors.SafetensorError as error:
        raise WeightsError(f"{path}: not a readable safetensors file ({error})") from None
