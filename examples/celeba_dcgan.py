"""Train a DCGAN on CelebA faces (or nanogan's built-in synthetic faces) and sample from it.

    python examples/celeba_dcgan.py --image-size 32 --max-steps 300      # a short CPU run
    python examples/celeba_dcgan.py --help                               # every option, with examples

The program is nanogan/dcgan/cli.py; the run it drives, nanogan/dcgan/run.py.
"""

import sys

from nanogan.blas import use_short_blas_spin

use_short_blas_spin()  # before NumPy loads OpenBLAS: nanogan/blas.py says why

from nanogan.dcgan.cli import main  # noqa: E402  (after the setting above)

if __name__ == "__main__":
    sys.exit(main())
