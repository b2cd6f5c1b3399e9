"""Writing files so that a crash never leaves a half-written one behind.

Each writer fills a temporary file in the destination's folder and renames
it over the destination only when it is complete: os.replace is atomic, so
a reader (or the next run) sees either the old file or the new one.
"""

import contextlib
import json
import os
import tempfile


@contextlib.contextmanager
def atomic_write(path, mode="wb"):
    """Open a temporary file next to `path`; on success it replaces `path`, on error it is removed."""
    folder = os.path.dirname(os.path.abspath(path))
    descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(path)}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, mode) as file:
            yield file
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, 0o666 & ~_umask())  # mkstemp made it owner-only; give it an ordinary file's mode
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.remove(temporary)
        raise


def write_json(path, data):
    """Write `data` as indented JSON, atomically."""
    with atomic_write(path, "w") as file:
        json.dump(data, file, indent=2)
        file.write("\n")


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask
