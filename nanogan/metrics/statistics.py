"""FeatureStatistics: the mean and covariance of features, accumulated in float64 batch by batch.

FID compares two Gaussians fitted to network features, so a side of an evaluation
is summed up by its mean mu and covariance Sigma (divided by N - 1, as np.cov and
pytorch-fid):

    mu    = (1/N) sum_i x_i
    Sigma = 1/(N-1) sum_i (x_i - mu)(x_i - mu)^T

Features arrive in batches (50,000 images never sit in memory at once), so the sums
are merged batch by batch with the pairwise update of Chan, Golub and LeVeque (1979),
which never subtracts two large sums the way sum(x x^T) - N mu mu^T would:

    M2 = sum_i (x_i - mu)(x_i - mu)^T                      the centred scatter, Sigma = M2 / (N-1)
    merging a batch b (n_b rows, mean mu_b, scatter M2_b) into (n, mu, M2):
        delta = mu_b - mu
        mu   += delta * n_b / (n + n_b)
        M2   += M2_b + delta delta^T * n n_b / (n + n_b)

A file of statistics is an .npz with `mean`, `covariance` and `count` (written
atomically). `load` also reads pytorch-fid's own files (`--save-stats`: keys `mu`
and `sigma`, no count), so published reference statistics can be used as they are;
their count is None, and nothing can be added to them.
"""

import json
import zipfile

import numpy as np

from ..backend import to_numpy
from ..files import atomic_write
from .errors import EvaluationError

FORMAT = "nanogan-feature-statistics-1"


class FeatureStatistics:
    """Running mean and covariance of feature vectors of length `dims`.

    count: how many vectors have been added (None for a pytorch-fid file, which does not say)
    mean: (dims,) float64
    covariance: (dims, dims) float64, divided by count - 1
    """

    def __init__(self, dims):
        self.dims = int(dims)
        self.count = 0
        self.mean = np.zeros(self.dims)
        self.scatter = np.zeros((self.dims, self.dims))  # M2 = sum (x - mu)(x - mu)^T

    def update(self, features):
        """Add a batch of features: (n, dims), any backend and float dtype. Returns self."""
        if self.count is None:
            raise EvaluationError("cannot add features to statistics of unknown count (a pytorch-fid file)")
        batch = np.asarray(to_numpy(features), dtype=np.float64)
        if batch.ndim != 2 or batch.shape[1] != self.dims:
            raise EvaluationError(f"FeatureStatistics: expected features of shape (n, {self.dims}), got {batch.shape}")
        size = len(batch)
        if size == 0:
            return self
        batch_mean = batch.mean(axis=0)
        centred = batch - batch_mean
        total = self.count + size
        delta = batch_mean - self.mean
        self.mean = self.mean + delta * (size / total)  # mu += delta * n_b / (n + n_b)
        self.scatter += centred.T @ centred + np.outer(delta, delta) * (self.count * size / total)
        self.count = total
        return self

    @property
    def covariance(self):
        """Sigma = M2 / (N - 1): needs at least two vectors. (Loaded with count None, M2 holds Sigma.)"""
        if self.count is None:
            return self.scatter
        if self.count < 2:
            raise EvaluationError(f"a covariance needs at least 2 feature vectors, got {self.count}; use more images")
        return self.scatter / (self.count - 1)

    @classmethod
    def from_features(cls, features):
        """The statistics of all rows of `features` (n, dims) at once."""
        return cls(np.shape(features)[1]).update(features)

    def save(self, path, **arrays):
        """Write mean, covariance and count (and any extra named arrays) to an .npz at `path`, atomically."""
        header = np.array(json.dumps({"format": FORMAT}))
        with atomic_write(path) as file:
            np.savez(file, format=header, mean=self.mean, covariance=self.covariance,
                     count=np.array(-1 if self.count is None else self.count),
                     **arrays)
        return path

    @classmethod
    def load(cls, path):
        """Statistics saved by `save`, or pytorch-fid's `mu`/`sigma` file (count None).

        Raises EvaluationError, naming the file, when it is missing, damaged or holds neither.
        """
        with open_npz(path) as data:
            if {"mean", "covariance", "count"} <= set(data.files):
                mean, covariance, count = data["mean"], data["covariance"], int(data["count"])
                count = None if count < 0 else count
            elif {"mu", "sigma"} <= set(data.files):
                mean, covariance, count = data["mu"], data["sigma"], None
            else:
                raise EvaluationError(f"{path!r} holds no feature statistics: expected the arrays mean, covariance "
                                      f"and count (nanogan) or mu and sigma (pytorch-fid), got {sorted(data.files)}")
        mean, covariance = np.asarray(mean, dtype=np.float64), np.asarray(covariance, dtype=np.float64)
        if mean.ndim != 1 or covariance.shape != (len(mean), len(mean)):
            raise EvaluationError(f"{path!r}: expected a mean (D,) and a covariance (D, D), got {mean.shape} and "
                                  f"{covariance.shape}")
        statistics = cls(len(mean))
        statistics.mean, statistics.count = mean, count
        statistics.scatter = covariance if count is None else covariance * (count - 1)
        return statistics


def open_npz(path):
    """np.load of an .npz without pickles, or EvaluationError saying why it cannot be read."""
    try:
        return np.load(path, allow_pickle=False)
    except FileNotFoundError:
        raise EvaluationError(f"the statistics file {path!r} does not exist") from None
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as error:
        raise EvaluationError(f"cannot read {path!r} as an .npz file of statistics ({error})") from None
