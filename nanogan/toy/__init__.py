"""The article's toy GANs, an application of nanogan (docs/toy-gan.md).

    nanogan.toy.data                the Gaussian target and the ring of 8 Gaussians, with its coverage metrics
    nanogan.toy.gaussian            the exact 2-Wasserstein distance between Gaussians
    nanogan.toy.gaussian_training   the linear generator against three discriminators (examples/toy_gaussian.py)
    nanogan.toy.ring_training       mode collapse on the ring (examples/gaussian_ring.py)
    nanogan.toy.plots               their figures
"""
