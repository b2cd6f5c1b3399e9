"""The Inception Score (Salimans et al., 2016), computed as torch-fidelity computes it.

With p(y|x) the softmax of the Inception network's 1008 logits for image x, and
p(y) their mean over the images, the score is

    IS = exp( mean_x KL(p(y|x) || p(y)) ),   KL(p || q) = sum_y p_y (log p_y - log q_y)

high when each image is confidently one class (sharp p(y|x)) and the classes vary
(broad p(y)). As in torch-fidelity, the images are first shuffled by
RandomState(2020).permutation, cut into 10 splits (rows i*N/10 to (i+1)*N/10),
the score is computed per split in float64, and the result is the mean and the
standard deviation (ddof 0) over the splits.

It needs no real images, which is also its weakness: it knows ImageNet's classes,
not faces, and says nothing about whether the images look like the training data.
"""

import numpy as np

from ..backend import to_numpy
from .errors import EvaluationError

SPLITS = 10
SEED = 2020  # torch-fidelity's default rng_seed


def log_softmax(logits):
    """log p(y|x) along the last axis, stable: logits - logsumexp(logits)."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def inception_score(logits, splits=SPLITS, seed=SEED, shuffle=True):
    """IS of logits (N, classes): (mean, std) over the splits, Python floats."""
    logits = np.asarray(to_numpy(logits), dtype=np.float64)
    count = len(logits)
    if logits.ndim != 2 or count < splits:
        raise EvaluationError(f"the Inception Score needs logits (N, classes) with N >= {splits} (one image per "
                              f"split at least), got {logits.shape}")
    if shuffle:
        logits = logits[np.random.RandomState(seed).permutation(count)]
    log_p = log_softmax(logits)  # log p(y|x)
    p = np.exp(log_p)
    scores = []
    for split in range(splits):
        rows = slice(split * count // splits, (split + 1) * count // splits)
        p_y = p[rows].mean(axis=0, keepdims=True)  # p(y) over the split
        kl = (p[rows] * (log_p[rows] - np.log(p_y))).sum(axis=1)  # KL(p(y|x) || p(y)) per image
        scores.append(np.exp(kl.mean()))
    return float(np.mean(scores)), float(np.std(scores))
