"""Evaluate a GAN: FID, KID, Inception Score, precision/recall, MS-SSIM and D accuracy of its samples.

    python examples/evaluate.py --real synthetic --fake runs/celeba_dcgan/checkpoint.npz
    python examples/evaluate.py --help                               # every option, with examples

The program is nanogan/dcgan/evaluate.py; the metrics, nanogan/metrics/ (docs/evaluation.md).
"""

import sys

from nanogan.blas import use_short_blas_spin

use_short_blas_spin()  # before NumPy loads OpenBLAS: nanogan/blas.py says why

from nanogan.dcgan.evaluate import main  # noqa: E402  (after the setting above)

if __name__ == "__main__":
    sys.exit(main())
