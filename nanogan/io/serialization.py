"""nanogan.save and nanogan.load: any nested state in one .npz file, as torch.save and torch.load.

    nanogan.save({"generator": G.state_dict(), "optimizer": opt.state_dict(), "step": 7}, "run.npz")
    state = nanogan.load("run.npz")          # the same nested dicts, lists, tuples and numbers
    G.load_state_dict(state["generator"])

Arrays (NumPy or CuPy) are stored as the .npz file's entries, named by their
path in the state ("generator/main.0.weight"), so `np.load` shows them too; they
come back as NumPy arrays (`backend=` moves them). Everything else (dicts with
string or integer keys, lists, tuples, numbers, strings, booleans, None) is
described in one JSON entry, so it comes back as the same Python objects. The
file is data, never code: no pickle is written or read, and anything else is
refused when saving. Files are written atomically (nanogan.files.atomic_write).
"""

import json
import math
import os
import zipfile

import numpy as np

from ..backend import to_backend, to_numpy
from ..files import atomic_write

FORMAT = "nanogan-save-1"
STRUCTURE_KEY = "__nanogan__"  # the .npz entry that holds the JSON description
_PLAIN = (str, int, float, bool, type(None))


def save(state, path):
    """Write `state` (nested dicts, lists and tuples of arrays, numbers, strings, None) to `path`, atomically."""
    arrays = {}
    structure = _encode(state, [], arrays)
    entries = {**arrays, STRUCTURE_KEY: np.array(json.dumps({"format": FORMAT, "state": structure}))}
    with atomic_write(os.fspath(path)) as file:
        np.savez(file, **entries)
    return path


def load(path, backend=None):
    """Read a file written by `save`: the same nested state, arrays on NumPy (or on `backend`).

    Raises FileNotFoundError for a missing file and ValueError for a file that nanogan.save did not write.
    """
    path = os.fspath(path)
    with _open_npz(path) as data:
        if STRUCTURE_KEY not in data.files:
            raise ValueError(f"{path!r} was not written by nanogan.save (a checkpoint is read by "
                             f"nanogan.io.load_checkpoint)")
        description = json.loads(str(data[STRUCTURE_KEY]))
        if description.get("format") != FORMAT:
            raise ValueError(f"{path!r} has format {description.get('format')!r}, expected {FORMAT!r}")
        return _decode(description["state"], data, backend)


def _open_npz(path):
    try:
        return np.load(path, allow_pickle=False)
    except FileNotFoundError:
        raise
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as error:
        raise ValueError(f"cannot read {path!r}: not a complete .npz file ({error})") from None


def is_saved_state(data):
    """Whether an opened .npz file (np.load) was written by `save`."""
    return STRUCTURE_KEY in data.files


def _encode(value, where, arrays):
    """`value` as JSON; arrays go into `arrays` under their path and are referred to by it."""
    if hasattr(value, "shape") and hasattr(value, "dtype"):  # NumPy, CuPy or NumPy scalar
        array = np.asarray(to_numpy(value))
        if array.dtype.hasobject:
            raise TypeError(f"nanogan.save: {_path(where)} is an array of Python objects, which cannot be "
                            f"stored without pickle")
        name = _path(where) or "array"
        while name in arrays or name == STRUCTURE_KEY:
            name += "'"
        arrays[name] = array
        return {"array": name}
    if isinstance(value, dict):
        for key in value:
            if not isinstance(key, (str, int)) or isinstance(key, bool):
                raise TypeError(f"nanogan.save: keys must be strings or integers, got {key!r} in {_path(where)}")
        return {"dict": [[key, _encode(item, [*where, key], arrays)] for key, item in value.items()]}
    if isinstance(value, (list, tuple)):
        kind = "list" if isinstance(value, list) else "tuple"
        return {kind: [_encode(item, [*where, index], arrays) for index, item in enumerate(value)]}
    if isinstance(value, _PLAIN):
        if isinstance(value, float) and not math.isfinite(value):
            return {"float": repr(value)}  # nan, inf: not JSON numbers
        return value
    raise TypeError(f"nanogan.save stores arrays, numbers, strings, None, and dicts, lists and tuples of them; "
                    f"got {type(value).__name__} at {_path(where) or 'the top'}")


def _decode(value, data, backend):
    if not isinstance(value, dict):
        return value
    (kind, content), = value.items()
    if kind == "array":
        array = data[content]
        return to_backend(array, backend) if backend is not None else array
    if kind == "dict":
        return {key: _decode(item, data, backend) for key, item in content}
    if kind == "float":
        return float(content)
    items = [_decode(item, data, backend) for item in content]
    return items if kind == "list" else tuple(items)


def _path(where):
    return "/".join(str(part) for part in where)
