"""Optimizers that update nanogan Parameters in place: Adam and SGD."""

from .adam import Adam
from .optimizer import Optimizer
from .sgd import SGD

__all__ = ["Adam", "Optimizer", "SGD"]
