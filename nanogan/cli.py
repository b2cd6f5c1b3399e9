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
from .objectives import LOSSES, GANOptions


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


def nonnegative_float(text):
    """A number >= 0: R1's gamma, for instance."""
    return _number(float, text, lambda value: value >= 0, "a number >= 0")


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


def add_objective_arguments(parser):
    """--loss, --r1, --spectral-norm, --pack, --minibatch-std, --n-critic, --lr-d, --lr-g (docs/objectives.md)."""
    group = parser.add_argument_group("objective and regularisers (docs/objectives.md)")
    group.add_argument("--loss", choices=LOSSES, default="bce",
                       help="bce: the article's (default); saturating: G minimises log(1 - D(G(z))); lsgan: least "
                            "squares; hinge; wgan-clip: Wasserstein with weight clipping; wgan-gp: with a gradient "
                            "penalty")
    group.add_argument("--r1", type=nonnegative_float, default=0.0, metavar="GAMMA",
                       help="R1 penalty gamma/2 * |dD(x)/dx|^2 on real data (default 0: none)")
    group.add_argument("--spectral-norm", action="store_true", help="spectral normalisation of D's weights")
    group.add_argument("--pack", type=positive_int, default=1, metavar="M",
                       help="PacGAN: D judges M samples at once (default 1)")
    group.add_argument("--minibatch-std", action="store_true",
                       help="a minibatch standard deviation feature in D (Karras et al., 2018)")
    group.add_argument("--n-critic", type=positive_int, default=1, metavar="K", help="D steps per G step (default 1)")
    group.add_argument("--lr-d", type=positive_float, help="D's learning rate (default: --lr)")
    group.add_argument("--lr-g", type=positive_float, help="G's learning rate (default: --lr)")


def gan_options(args, batch_size):
    """The GANOptions of add_objective_arguments' options, or exit 2 saying why they make no sense together."""
    options = GANOptions(loss=args.loss, r1=args.r1, spectral_norm=args.spectral_norm, pack=args.pack,
                         minibatch_std=args.minibatch_std, n_critic=args.n_critic)
    try:
        options.check(batch_size)
    except ValueError as error:
        fail(str(error))
    return options
