"""EvaluationError: input that an evaluation cannot use, with a one-line message on what to do.

Too few images for a metric, unreadable or mismatched images, a statistics file that
is damaged or of another network: the evaluation command prints the message and
exits with code 2.
"""


class EvaluationError(ValueError):
    """Bad input to an evaluation: what was expected, what was got, what to do."""
