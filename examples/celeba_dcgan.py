"""Train a DCGAN on CelebA faces (or nanogan's built-in synthetic faces) and sample from it.

    python examples/celeba_dcgan.py --image-size 32 --max-steps 300      # a short CPU run
    python examples/celeba_dcgan.py --help                               # every option, with examples

The program is nanogan/dcgan/cli.py; the run it drives, nanogan/dcgan/run.py.
"""

import sys

from nanogan.dcgan.cli import main

if __name__ == "__main__":
    sys.exit(main())
