"""Files of weights and training state: nanogan.save/load files, training checkpoints, PyTorch's weight
files, safetensors."""

from .checkpoint import CheckpointError, load_checkpoint, load_metadata, save_checkpoint
from .errors import WeightsError
from .formats import read_weights
from .safetensors_file import load_safetensors, save_safetensors
from .serialization import load, save
from .torch_file import load_torch_checkpoint

__all__ = ["CheckpointError", "WeightsError", "load", "load_checkpoint", "load_metadata", "load_safetensors",
           "load_torch_checkpoint", "read_weights", "save", "save_checkpoint", "save_safetensors"]
