"""The toy GANs' figures: the Gaussian target against the linear generator, and the ring.

    plot_gaussian_stages   target vs generated samples, with 2-sigma ellipses, at a few steps
    plot_w2_curve          W2 to the target over steps, with its mean and covariance terms
    plot_ring_stages       samples of the ring GAN at a few steps
    plot_ring_coverage     modes covered and high-quality share over steps
"""

import math

import numpy as np
from matplotlib.figure import Figure

from ..plots import save_figure, series

TARGET_COLOUR, GENERATOR_COLOUR = "tab:gray", "tab:orange"


def _ellipse(mean, cov, n_std=2.0, points=200):
    """The curve (x - mean)^T cov^{-1} (x - mean) = n_std^2 in 2-D: (points, 2).

    With cov = V diag(lambda) V^T, it is mean + n_std V diag(sqrt(lambda)) (cos t, sin t).
    """
    eigenvalues, eigenvectors = np.linalg.eigh(cov)
    angles = np.linspace(0, 2 * np.pi, points)
    circle = np.stack([np.cos(angles), np.sin(angles)])  # (2, points)
    axes = eigenvectors * np.sqrt(np.maximum(eigenvalues, 0))  # columns: the semi-axes over n_std
    return (mean[:, None] + n_std * axes @ circle).T


def _draw_gaussian_2d(axis, target_mean, target_cov, target_samples, stage):
    axis.scatter(*target_samples[:, :2].T, s=4, color=TARGET_COLOUR, alpha=0.35, label="target samples")
    axis.scatter(*stage["samples"][:, :2].T, s=4, color=GENERATOR_COLOUR, alpha=0.35, label="generated samples")
    axis.plot(*_ellipse(target_mean[:2], target_cov[:2, :2]).T, color="black", label="target, 2σ ellipse")
    axis.plot(*_ellipse(stage["mean"][:2], stage["cov"][:2, :2]).T, color="tab:red", label="generator, 2σ ellipse")
    axis.set(xlabel="$x_1$", ylabel="$x_2$", aspect="equal")


def _draw_gaussian_1d(axis, target_mean, target_cov, target_samples, stage):
    target_std = math.sqrt(target_cov[0, 0])
    bins = np.linspace(target_mean[0] - 5 * target_std, target_mean[0] + 5 * target_std, 60)
    axis.hist(target_samples[:, 0], bins=bins, density=True, color=TARGET_COLOUR, alpha=0.5, label="target samples")
    axis.hist(stage["samples"][:, 0], bins=bins, density=True, color=GENERATOR_COLOUR, alpha=0.5,
              label="generated samples")
    for mean, cov, colour, name in ((target_mean, target_cov, "black", "target"),
                                    (stage["mean"], stage["cov"], "tab:red", "generator")):
        std = math.sqrt(cov[0, 0])
        axis.axvspan(mean[0] - 2 * std, mean[0] + 2 * std, color=colour, alpha=0.08, label=f"{name}, mean ± 2σ")
    axis.set(xlabel="$x$", ylabel="density")


def plot_gaussian_stages(stages, target_mean, target_cov, target_samples, path, title):
    """One panel per stage: target samples and generated samples, and both exact 2-sigma ellipses.

    stages: [{"step", "samples" (n, d), "mean" (d,), "cov" (d, d), "w2"}, ...]
    target_mean (d,), target_cov (d, d), target_samples (n, d). Shows the first
    two coordinates; in one dimension, histograms and mean ± 2 sigma bands.
    """
    figure = Figure(figsize=(3.6 * len(stages), 4.3), layout="constrained")
    axes = figure.subplots(1, len(stages), sharex=True, sharey=True, squeeze=False)[0]
    dim = target_mean.size
    draw = _draw_gaussian_2d if dim >= 2 else _draw_gaussian_1d
    for axis, stage in zip(axes, stages):
        draw(axis, target_mean, target_cov, target_samples, stage)
        axis.set_title(f"step {stage['step']}: W2 = {stage['w2']:.3f}")
    figure.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center", ncols=4, markerscale=3)
    if dim > 2:
        title += f" (first 2 of {dim} coordinates)"
    figure.suptitle(title)
    save_figure(figure, path)


def plot_w2_curve(records, path, reference=None, title="Distance from the target"):
    """W2 between the generator's exact distribution and the target, over steps, on a log scale,
    with its two terms: W2^2 = |mean gap|^2 + B^2.

    records: [{"step", "w2", "mean_distance", "bures_distance"}, ...]
    reference: (value, label) drawn as a horizontal line, or None.
    """
    figure = Figure(figsize=(7, 4.2), layout="constrained")
    axis = figure.subplots()
    steps = series(records, "step")
    axis.plot(steps, series(records, "w2"), color="black", label="W2 (exact)")
    axis.plot(steps, series(records, "mean_distance"), label=r"mean term: $|b - \mu|$")
    axis.plot(steps, series(records, "bures_distance"), label=r"covariance term: $B(W W^\top, \Sigma)$")
    if reference is not None:
        value, label = reference
        axis.axhline(value, color="gray", linestyle="--", label=label)
    axis.set(xlabel="training step", ylabel="distance (log scale)", yscale="log", title=title)
    axis.legend(fontsize="small")
    save_figure(figure, path)


def plot_ring_stages(stages, ring, real_samples, path, title):
    """One panel per stage (two rows): real samples and generated samples.

    stages: [{"step", "samples" (n, 2), "modes_covered", "high_quality_share"}, ...]
    ring: the GaussianRing (or any GaussianMixture); real_samples (n, 2).
    """
    columns = math.ceil(len(stages) / 2)
    figure = Figure(figsize=(3.6 * columns, 8), layout="constrained")
    axes = figure.subplots(2, columns, sharex=True, sharey=True, squeeze=False).ravel()
    limit = 1.6 * np.abs(ring.centres).max()
    for axis, stage in zip(axes, stages):
        axis.scatter(*stage["samples"].T, s=3, color=GENERATOR_COLOUR, alpha=0.3, label="generated samples")
        axis.scatter(*real_samples.T, s=6, color="black", label=f"real samples (std {ring.std})")
        axis.set(xlim=(-limit, limit), ylim=(-limit, limit), aspect="equal", xlabel="$x_1$", ylabel="$x_2$",
                 title=f"step {stage['step']}: {stage['modes_covered']}/{ring.num_modes} modes covered,\n"
                       f"{100 * stage['high_quality_share']:.1f}% within 3 std of a mode")
    for axis in axes[len(stages):]:
        axis.set_visible(False)
    figure.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center", ncols=2, markerscale=3)
    figure.suptitle(title)
    save_figure(figure, path)


def plot_ring_coverage(records, num_modes, path, title="Mode coverage over training"):
    """Three panels over steps: modes covered, the share of high-quality samples, and the
    mode that most samples are nearest to (a collapsed GAN moves from mode to mode).

    records: [{"step", "modes_covered", "high_quality_share", "nearest_shares"}, ...]
    """
    figure = Figure(figsize=(8, 7.5), layout="constrained")
    modes, quality, dominant = figure.subplots(3, 1, sharex=True)
    steps = series(records, "step")
    modes.step(steps, series(records, "modes_covered"), where="post")
    modes.set(ylabel="modes covered", ylim=(-0.3, num_modes + 0.3), yticks=range(num_modes + 1),
              title="modes holding at least 1% of the samples within 3 std of their centre")
    quality.plot(steps, [100 * share for share in series(records, "high_quality_share")])
    quality.set(ylabel="high-quality samples (%)", ylim=(0, 100), title="samples within 3 std of some mode centre")
    nearest = np.array(series(records, "nearest_shares"))  # (records, K)
    points = dominant.scatter(steps, nearest.argmax(axis=1), c=100 * nearest.max(axis=1), s=8, vmin=0, vmax=100,
                              cmap="viridis")
    figure.colorbar(points, ax=dominant, label="its share of the samples (%)")
    dominant.set(xlabel="training step", ylabel="mode index", yticks=range(num_modes),
                 title="the mode that most samples are nearest to")
    figure.suptitle(title)
    save_figure(figure, path)
