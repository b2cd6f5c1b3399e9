"""The network behind FID, KID, IS and precision/recall, and how images go through it.

    extractor = load_inception()                      # pytorch-fid's Inception-v3, in nanogan's layers
    pool, logits = inception_features(images, extractor.model)

Any network with the same interface can stand in for the Inception network (the
tests use a small one): forward(images), images (N, 3, H, W) floats in [0, 1] of any
size, returns (pool, logits), the pool features (N, D) for FID, KID and
precision/recall and the logits (N, K) for the Inception Score. A FeatureExtractor
pairs the network with the name that cached statistics are filed under, so that
statistics of one network are never compared with features of another.
"""

import contextlib
from dataclasses import dataclass

import numpy as np

from ..backend import backend_name, to_backend, to_numpy
from ..nn import no_grad
from .errors import EvaluationError

INCEPTION_NAME = "pytorch-fid-inception-v3"  # pytorch-fid's network with its weights (SHA-256 checked on load)


@dataclass
class FeatureExtractor:
    """A network images -> (pool, logits), and the name its statistics are cached under."""

    model: object  # a nanogan Module: forward(images (N, 3, H, W) in [0, 1]) -> (pool (N, D), logits (N, K))
    name: str


def load_inception(weights=None, backend="numpy"):
    """pytorch-fid's FID Inception-v3 with its weights from `weights` (default: where the loader looks),
    on `backend`. Raises EvaluationError, in one line, when the weights file is missing or different.

    The one place where the metrics meet nanogan/models/inception.py; imported here, on first use,
    so that the metrics work with any extractor without loading the Inception code.
    """
    from ..io import WeightsError
    from ..models.inception import load_fid_inception

    try:
        return FeatureExtractor(load_fid_inception(weights, backend=backend), INCEPTION_NAME)
    except WeightsError as error:
        raise EvaluationError(str(error)) from None


def module_backend(module):
    """The backend that holds `module`'s parameters: "numpy", "cupy", ..."""
    return backend_name(next(module.parameters()).data)


@contextlib.contextmanager
def inference(module):
    """Run `module` in eval mode (BatchNorm uses its running statistics) without saving for backward;
    its training flag is restored afterwards."""
    was_training = module.training
    module.eval()
    try:
        with no_grad():
            yield module
    finally:
        module.train(was_training)


def inception_features(images, model):
    """images: uint8 (N, 3, H, W) on the host -> (pool (N, D), logits (N, K)), float32 on the host.

    The images are scaled to [0, 1] (x / 255) on the backend of the model's parameters; the
    model resizes and normalises them itself.
    """
    if images.dtype != np.uint8 or images.ndim != 4 or images.shape[1] != 3:
        raise EvaluationError(f"the feature network takes uint8 RGB images (N, 3, H, W), got {images.dtype} "
                              f"{images.shape}")
    batch = to_backend(images, module_backend(model), np.float32)
    batch /= 255.0
    with inference(model):
        pool, logits = model(batch)
    return to_numpy(pool).astype(np.float32), to_numpy(logits).astype(np.float32)

