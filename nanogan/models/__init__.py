"""Models built from nanogan.nn: the DCGAN pair, the toy GAN's models, and a layer summary."""

from .dcgan import Discriminator, Generator
from .summary import summary
from .toy import (LinearGenerator, LogisticDiscriminator, MLPDiscriminator, MLPGenerator, QuadraticDiscriminator,
                  QuadraticFeatures)

__all__ = ["Discriminator", "Generator", "LinearGenerator", "LogisticDiscriminator", "MLPDiscriminator",
           "MLPGenerator", "QuadraticDiscriminator", "QuadraticFeatures", "summary"]
