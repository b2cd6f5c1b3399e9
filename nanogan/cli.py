"""What the command-line examples share: argument types that reject nonsense with
exit code 2, a backend check, and an output folder that is known to be writable.

Every failure here ends the program with one line on stderr, "error: ...",
and exit code 2, never a traceback from deep inside.
"""

import argparse
import os
import sys
import tempfile

from .backend import BACKENDS, BackendUnavailableError, canonical_name, get_backend


def fail(message):
    """Print `error: message` and exit with code 2 (bad input)."""
    print(f"error: {message}", file=sys.stderr)
    raise SystemExit(2)


def _number(kind, text, accept, expectation):
    try:
        value = kind(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected {expectation}, got {text!r}") from None
    if not accept(value):
        raise argparse.ArgumentTypeError(f"expected {expectation}, got {text}")
    return value


def positive_int(text):
    """An argparse type: an integer > 0, else exit 2 saying what was expected."""
    return _number(int, text, lambda value: value > 0, "a positive integer")


def nonnegative_int(text):
    """An argparse type: an integer >= 0."""
    return _number(int, text, lambda value: value >= 0, "an integer >= 0")


def positive_float(text):
    """An argparse type: a number > 0."""
    return _number(float, text, lambda value: value > 0, "a positive number")


def unit_interval_float(text):
    """A number in [0, 1): Adam's beta1, for instance."""
    return _number(float, text, lambda value: 0 <= value < 1, "a number in [0, 1)")


def add_backend_argument(parser):
    """Add --backend (numpy, cupy or its other name cuda) and --tf32 to `parser`."""
    parser.add_argument("--backend", type=canonical_name, choices=BACKENDS, default="numpy",
                        help="array backend: numpy (CPU, the reference) or cupy (NVIDIA GPU; cuda is another name "
                             "for it)")
    parser.add_argument("--tf32", action="store_true",
                        help="with --backend cupy: TF32 tensor-core matrix products, faster but with about "
                             "1e-3 relative error (default: exact float32)")


def require_backend(name, tf32=False):
    """The array module for `name`, or exit 2 with the install hint when it cannot run here.

    tf32: let CuPy's matrix products use TF32 tensor cores. CuPy reads CUPY_TF32
    once, before its first matrix product, so it is set before CuPy is imported.
    """
    if tf32:
        if name != "cupy":
            fail(f"--tf32 applies to --backend cupy only, got --backend {name}")
        os.environ["CUPY_TF32"] = "1"
    try:
        return get_backend(name)
    except BackendUnavailableError as error:
        fail(str(error))


def prepare_output_dir(path):
    """Create `path` if needed and prove it writable, or exit 2 saying why."""
    try:
        os.makedirs(path, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path):
            pass
    except OSError as error:
        fail(f"cannot write to the output folder {path!r} ({error.strerror or error}); choose another with --out")
    return path
