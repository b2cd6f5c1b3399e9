"""`python -m nanogan.dcgan ...`: the DCGAN program of nanogan/dcgan/cli.py, as examples/celeba_dcgan.py runs it."""

import sys

from ..blas import use_short_blas_spin

use_short_blas_spin()  # before NumPy loads OpenBLAS: nanogan/blas.py says why

from .cli import main  # noqa: E402  (after the setting above)

sys.exit(main())
