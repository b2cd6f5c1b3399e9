"""Files of weights and training state: nanogan's own checkpoints, PyTorch's weight files, safetensors."""

from .checkpoint import CheckpointError, load_checkpoint, load_metadata, save_checkpoint
from .errors import WeightsError
from .safetensors_file import load_safetensors, save_safetensors
from .torch_file import load_torch_checkpoint

__all__ = ["CheckpointError", "WeightsError", "load_checkpoint", "load_metadata", "load_safetensors",
           "load_torch_checkpoint", "save_checkpoint", "save_safetensors"]
