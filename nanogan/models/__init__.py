"""Models built from nanogan.nn: the DCGAN pair and a layer summary."""

from .dcgan import Discriminator, Generator
from .summary import summary

__all__ = ["Discriminator", "Generator", "summary"]
