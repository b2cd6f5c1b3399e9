"""Files of weights and training state: nanogan.save/load files and training checkpoints."""

from .checkpoint import CheckpointError, load_checkpoint, load_metadata, save_checkpoint
from .formats import read_weights
from .serialization import load, save

__all__ = ["CheckpointError", "load", "load_checkpoint", "load_metadata", "read_weights", "save", "save_checkpoint"]
