"""Improved precision and recall (Kynkaanniemi et al., 2019), on Inception pool features.

Each side's features stand for a manifold: the union of balls around its points, the
ball of point x having as radius the distance from x to its k-th nearest neighbour
on the same side (k = 3), x itself not counted. Then

    precision = fraction of fake points inside at least one real ball   (fakes look real)
    recall    = fraction of real points inside at least one fake ball   (reals are covered)

A point on a ball's boundary counts as inside (distance <= radius), as in torch-fidelity.
The paper used VGG-16 features; nanogan uses the Inception pool features that FID and
KID use, as torch-fidelity does by default, so no second network is needed.

Distances are computed in float64 from |a|^2 + |b|^2 - 2 a.b, a block of `chunk_rows`
rows at a time, so memory stays at chunk_rows x N distances whatever N is.
"""

import numpy as np

from ..backend import to_numpy
from .errors import EvaluationError

NEIGHBOURHOOD = 3  # k
CHUNK_ROWS = 1024  # rows of distances held at once: 1024 x N float64


def squared_distances(a, b):
    """|a_i - b_j|^2 for every pair: a (m, D), b (n, D) -> (m, n), clipped at 0 against round-off."""
    squared = (a * a).sum(axis=1)[:, None] + (b * b).sum(axis=1)[None, :] - 2 * (a @ b.T)
    return np.maximum(squared, 0.0)


def neighbourhood_radii(points, k=NEIGHBOURHOOD, chunk_rows=CHUNK_ROWS):
    """Squared distance from each point to its k-th nearest other point: points (N, D) -> (N,)."""
    radii = np.empty(len(points))
    for start in range(0, len(points), chunk_rows):
        block = squared_distances(points[start : start + chunk_rows], points)
        rows = np.arange(len(block))
        block[rows, start + rows] = np.inf  # the point itself is not its own neighbour
        radii[start : start + len(block)] = np.partition(block, k - 1, axis=1)[:, k - 1]
    return radii


def inside_any_ball(queries, centres, radii, chunk_rows=CHUNK_ROWS):
    """For each query (M, D): is it within radius of at least one centre (N, D)? -> (M,) bool."""
    inside = np.empty(len(queries), dtype=bool)
    for start in range(0, len(queries), chunk_rows):
        block = squared_distances(queries[start : start + chunk_rows], centres)
        inside[start : start + len(block)] = (block <= radii[None, :]).any(axis=1)
    return inside


def precision_recall(real, fake, k=NEIGHBOURHOOD, chunk_rows=CHUNK_ROWS):
    """(precision, recall) of fake (n_f, D) against real (n_r, D) features, Python floats.

    Raises EvaluationError when a side has k points or fewer (no k-th neighbour).
    """
    real, fake = (np.asarray(to_numpy(side), dtype=np.float64) for side in (real, fake))
    if real.ndim != 2 or fake.ndim != 2 or real.shape[1] != fake.shape[1]:
        raise EvaluationError(f"precision and recall need features (n, D) of the same length D on both sides, got "
                              f"real {real.shape} and fake {fake.shape}")
    if min(len(real), len(fake)) <= k:
        raise EvaluationError(f"precision and recall need more than k = {k} images per side (the k-th nearest "
                              f"neighbour of each), got {len(real)} real and {len(fake)} fake")
    precision = inside_any_ball(fake, real, neighbourhood_radii(real, k, chunk_rows), chunk_rows).mean()
    recall = inside_any_ball(real, fake, neighbourhood_radii(fake, k, chunk_rows), chunk_rows).mean()
    return float(precision), float(recall)
