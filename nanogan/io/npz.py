"""Opening an .npz file safely: np.load without pickles (a file can hold arrays only, never code),
and one clear error, naming what the file should be, when it is missing or damaged."""

import zipfile

import numpy as np


def open_npz(path, what="file", error=ValueError, missing=None):
    """The opened .npz file at `path`; a missing file raises `missing` (default: `error`), a file that is
    not a complete .npz raises `error`, each naming `what` the file should be ("checkpoint", ...)."""
    try:
        return np.load(path, allow_pickle=False)
    except FileNotFoundError:
        raise (missing or error)(f"{what} {path!r} does not exist") from None
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as problem:
        raise error(f"cannot read {what} {path!r}: not a complete .npz file ({problem})") from None
