"""`python -m nanogan.dcgan ...`: the DCGAN program of nanogan/dcgan/cli.py, as examples/celeba_dcgan.py runs it."""

import sys

from .cli import main

sys.exit(main())
