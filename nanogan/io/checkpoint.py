"""Checkpoints: nested dicts of arrays and numbers in one .npz file, plus JSON metadata.

A checkpoint is data, never code: it is written with np.savez and read with
np.load(allow_pickle=False), so loading one cannot run anything. Nested
dicts (and lists of dicts) are stored under "/"-joined keys
("generator/main.0.weight", "g_optimizer/state/0/exp_avg"); numbers and tuples become arrays and come
back as arrays (Optimizer.load_state_dict turns them back into Python
numbers). Metadata that is not an array (configuration, random-generator
states with 128-bit integers) is stored as one JSON string.

Files are written atomically (nanogan.files.atomic_write): a crash while
saving leaves the previous checkpoint intact.
"""

import json
import zipfile

import numpy as np

from ..backend import to_numpy
from ..files import atomic_write

FORMAT = "nanogan-checkpoint-1"
METADATA_KEY = "__metadata__"


class CheckpointError(Exception):
    """A file that is not a readable nanogan checkpoint (or weights file)."""


def _flatten(tree, prefix=""):
    """{"a": {"b": x}, "c": [{"d": y}]} -> {"a/b": x, "c/#0/d": y}: leaves as NumPy arrays."""
    flat = {}
    for key, value in tree.items():
        if "/" in str(key) or str(key).startswith("#"):
            raise ValueError(f"checkpoint keys cannot contain '/' or start with '#', got {key!r}")
        flat.update(_flatten_value(value, f"{prefix}{key}"))
    return flat


def _flatten_value(value, name):
    if isinstance(value, dict):
        return _flatten(value, name + "/")
    if isinstance(value, (list, tuple)) and value and all(isinstance(item, dict) for item in value):
        flat = {}
        for index, item in enumerate(value):
            flat.update(_flatten_value(item, f"{name}/#{index}"))
        return flat
    return {name: np.asarray(to_numpy(value) if hasattr(value, "shape") else value)}


def _unflatten(flat):
    """The inverse of _flatten: "/" nests dicts, "#i" keys become list items."""
    tree = {}
    for name, value in flat.items():
        *parents, leaf = name.split("/")
        node = tree
        for parent in parents:
            node = node.setdefault(parent, {})
        node[leaf] = value
    return _lists_restored(tree)


def _lists_restored(node):
    if not isinstance(node, dict):
        return node
    if node and all(key.startswith("#") for key in node):
        return [_lists_restored(node[f"#{index}"]) for index in range(len(node))]
    return {key: _lists_restored(value) for key, value in node.items()}


def save_checkpoint(path, arrays, metadata):
    """Write `arrays` (a nested dict of arrays and numbers) and `metadata` (JSON-able) to `path`."""
    flat = _flatten(arrays)
    flat[METADATA_KEY] = np.array(json.dumps({"format": FORMAT, **metadata}))
    with atomic_write(path) as file:
        np.savez(file, **flat)
    return path


def open_npz(path):
    """The opened .npz file at `path` (np.load, never pickle), or CheckpointError saying why it cannot be read."""
    try:
        return np.load(path, allow_pickle=False)
    except FileNotFoundError:
        raise CheckpointError(f"checkpoint {path!r} does not exist") from None
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as error:
        raise CheckpointError(f"cannot read checkpoint {path!r}: not a complete .npz file ({error})") from None


def _metadata(path, data):
    if METADATA_KEY not in data.files:
        raise CheckpointError(f"{path!r} is an .npz file but not a nanogan checkpoint (no metadata)")
    metadata = json.loads(str(data[METADATA_KEY]))
    if metadata.get("format") != FORMAT:
        raise CheckpointError(f"{path!r} has checkpoint format {metadata.get('format')!r}, expected {FORMAT!r}")
    return metadata


def load_metadata(path):
    """Only the metadata of a checkpoint: cheap, the arrays are not read."""
    with open_npz(path) as data:
        return _metadata(path, data)


def load_checkpoint(path):
    """Read a checkpoint written by save_checkpoint: returns (arrays, metadata).

    Raises CheckpointError, with the reason, for a missing, truncated or foreign file.
    """
    with open_npz(path) as data:
        metadata = _metadata(path, data)
        try:
            flat = {name: data[name] for name in data.files if name != METADATA_KEY}
        except (OSError, ValueError, EOFError, zipfile.BadZipFile) as error:
            raise CheckpointError(f"cannot read checkpoint {path!r}: damaged array data ({error})") from None
    return _unflatten(flat), metadata
