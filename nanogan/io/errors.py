"""The error of every weight-file reader and writer in nanogan.io."""


class WeightsError(Exception):
    """A weight file that is missing, damaged, unsafe, or not the one expected; the message says which, in one
    line, and what to do."""
