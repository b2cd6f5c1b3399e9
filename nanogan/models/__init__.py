"""Models built from nanogan.nn: the DCGAN pair, the toy GAN's models, the FID Inception network, and a layer
summary."""

from .dcgan import Discriminator, Generator, dcgan_init_
from .inception import FIDInceptionV3, load_fid_inception
from .summary import summary
from .toy import (LinearGenerator, LogisticDiscriminator, MLPDiscriminator, MLPGenerator, QuadraticDiscriminator,
                  QuadraticFeatures)

__all__ = ["Discriminator", "Generator", "dcgan_init_", "LinearGenerator", "LogisticDiscriminator", "MLPDiscriminator",
           "MLPGenerator", "QuadraticDiscriminator", "QuadraticFeatures", "summary",
           "FIDInceptionV3", "load_fid_inception"]
