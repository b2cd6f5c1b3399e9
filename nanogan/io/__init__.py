"""Files of weights and training state: nanogan's own checkpoints."""

from .checkpoint import CheckpointError, load_checkpoint, load_metadata, save_checkpoint

__all__ = ["CheckpointError", "load_checkpoint", "load_metadata", "save_checkpoint"]
