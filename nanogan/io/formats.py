"""The one place that tells nanogan's weight files apart, for readers that take any of them.

    state, metadata = read_weights(path)

A training checkpoint (nanogan.io.save_checkpoint, e.g. DCGANTrainer.save) gives
its arrays and its metadata; a file of nanogan.save gives its state and empty
metadata. A new format is one more branch here.
"""

import zipfile

from .checkpoint import METADATA_KEY, CheckpointError, load_checkpoint, open_npz
from .serialization import STRUCTURE_KEY, load

FORMATS = "a nanogan checkpoint (nanogan.io.save_checkpoint) or a file of nanogan.save"


def read_weights(path):
    """(state, metadata) from a weights file of any format nanogan writes; CheckpointError for anything else."""
    with open_npz(path) as data:
        entries = set(data.files)
    if METADATA_KEY in entries:
        return load_checkpoint(path)
    if STRUCTURE_KEY in entries:
        try:
            return load(path), {}
        except (OSError, ValueError, EOFError, zipfile.BadZipFile) as error:
            raise CheckpointError(f"cannot read {path!r}: {error}") from None
    raise CheckpointError(f"{path!r} is an .npz file but not a nanogan weights file: expected {FORMATS}")
