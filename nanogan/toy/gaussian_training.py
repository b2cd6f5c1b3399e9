"""The article's toy GAN (section 4.4) as a training run: the code behind
examples/toy_gaussian.py and the measurements of docs/toy-gan-log.md.

    fit_toy_gaussian     train a linear generator against a linear, quadratic or MLP
                         discriminator on a Gaussian target, measuring the exact W2 as it goes
    summarise            the numbers of a run: summary.json
    write_toy_gaussian   summary.json, samples.png, losses.png, w2.png
    train_toy_gaussian   all three, as the example runs them
    format_toy_table     the final table: target vs generator, and W2
"""

import os
import time
from dataclasses import asdict, dataclass

import numpy as np

from ..backend import to_numpy
from ..files import write_json
from ..models.toy import LinearGenerator, LogisticDiscriminator, MLPDiscriminator, QuadraticDiscriminator
from ..nn import no_grad
from ..objectives import GANOptions
from ..plots import plot_training_curves
from ..training import sample_noise
from .data import default_target
from .gaussian import bures_distance, wasserstein2_gaussian
from .plots import plot_gaussian_stages, plot_w2_curve
from .training import PLOT_SAMPLES, RECORDS, build_gan, due, progress_line, training_steps

DISCRIMINATORS = {"linear": LogisticDiscriminator, "quadratic": QuadraticDiscriminator, "mlp": MLPDiscriminator}
OPTIMIZERS = ("adam", "sgd")
DEFAULT_LR = {"adam": 2e-3, "sgd": 0.05}  # per optimizer: Adam's steps are about lr long whatever the gradient
BATCH_FIT_TRIALS = 200  # batches averaged for the reference W2 of a one-batch fit


def _stage_steps(steps):
    """The steps that samples.png shows: the start, a quarter, half way, the end."""
    return sorted({0, steps // 4, steps // 2, steps})


def one_batch_fit_w2(target, batch_size, rng, trials=BATCH_FIT_TRIALS):
    """Mean W2 between the target and the Gaussian fitted to one batch of its samples
    (sample mean and covariance): the scale of what one real batch tells D."""
    distances = []
    for _ in range(trials):
        batch = target.sample(rng, batch_size)
        fitted_cov = np.atleast_2d(np.cov(batch, rowvar=False))
        distances.append(wasserstein2_gaussian(target.mean, target.cov, batch.mean(axis=0), fitted_cov))
    return float(np.mean(distances))


def _distances(generator, target):
    """How far the generator's exact N(b, W W^T) is from the target: W2 and its two terms; and its
    spread: the standard deviations along its principal axes, largest first (W's singular values)."""
    mean, cov = generator.distribution()
    return {
        "w2": wasserstein2_gaussian(target.mean, target.cov, mean, cov),
        "mean_distance": float(np.linalg.norm(mean - target.mean)),
        "bures_distance": bures_distance(target.cov, cov),
        "generator_stds": np.sqrt(np.maximum(np.linalg.eigvalsh(cov), 0))[::-1].tolist(),
    }


def _stage(generator, target, fixed_noise, step):
    """A panel of samples.png: samples of G on the fixed noise, and G's exact mean, covariance and W2."""
    with no_grad():
        samples = to_numpy(generator(fixed_noise)).astype(np.float64)
    mean, cov = generator.distribution()
    return {"step": step, "samples": samples, "mean": mean, "cov": cov,
            "w2": wasserstein2_gaussian(target.mean, target.cov, mean, cov)}


@dataclass
class ToyGaussianRun:
    """What fit_toy_gaussian measured: the summary (summary.json) and what the plots need."""

    summary: dict
    stages: list  # [{"step", "samples" (n, d), "mean" (d,), "cov" (d, d), "w2"}] for samples.png
    target_samples: np.ndarray  # (n, d), drawn once for every panel


def fit_toy_gaussian(dim=2, steps=6000, batch_size=256, lr=None, optimizer="adam", discriminator="linear",
                     seed=0, backend="numpy", log=print, log_every=500, options=None, lr_d=None, lr_g=None):
    """Train G(z) = W z + b on the default target N(mu, Sigma) in `dim` dimensions; write nothing.

    discriminator: "linear" | "quadratic" | "mlp" (see nanogan/models/toy.py)
    optimizer: "adam" | "sgd", for both players; lr None takes DEFAULT_LR[optimizer]
    options: GANOptions (default: the article's BCE GAN); lr_d, lr_g: the players' own rates (None: lr)
    `log` receives a progress line every `log_every` steps. Returns a ToyGaussianRun.
    """
    lr = DEFAULT_LR[optimizer] if lr is None else lr
    options = options or GANOptions()
    options.check(batch_size)
    target = default_target(dim)
    rng = np.random.default_rng(seed)  # data and noise (and the gradient penalty's interpolation weights)
    gan = build_gan(lambda: LinearGenerator(dim), lambda **d_options: DISCRIMINATORS[discriminator](dim, **d_options),
                    optimizer, lr, seed, backend, options, rng, lr_d, lr_g)
    fixed_noise = sample_noise(rng, (PLOT_SAMPLES, dim), backend)
    target_samples = target.sample(rng, PLOT_SAMPLES)
    stage_steps, record_every = _stage_steps(steps), max(1, steps // RECORDS)
    history = [{"step": 0, **_distances(gan.generator, target)}]
    stages = [_stage(gan.generator, target, fixed_noise, 0)]
    start = time.perf_counter()
    for step, metrics in training_steps(gan, target.sample, dim, batch_size, steps, rng, backend):
        if due(step, record_every, steps) or due(step, log_every, steps):
            record = {"step": step, **metrics.to_host(), **_distances(gan.generator, target)}
            if due(step, record_every, steps):
                history.append(record)
            if due(step, log_every, steps):
                log(progress_line(step, steps, record, f"|mean gap| {record['mean_distance']:.3f}  "
                                                       f"W2 {record['w2']:.3f}"))
        if step in stage_steps:
            stages.append(_stage(gan.generator, target, fixed_noise, step))
    settings = {"steps": steps, "discriminator": discriminator, "seed": seed, "backend": backend, "dim": dim,
                "batch_size": batch_size, "lr": lr, "lr_d": lr_d or lr, "lr_g": lr_g or lr, "optimizer": optimizer,
                "options": asdict(options), "train_seconds": time.perf_counter() - start}
    return ToyGaussianRun(summarise(gan.generator, target, history, settings), stages, target_samples)


def summarise(generator, target, history, settings):
    """summary.json of a run: target and generator, the final and initial W2, the one-batch-fit W2 for scale,
    the run's `settings`, and its `history` of records."""
    gen_mean, gen_cov = generator.distribution()
    final = _distances(generator, target)
    return {
        "target_mean": target.mean.tolist(), "target_cov": target.cov.tolist(),
        "gen_mean": gen_mean.tolist(), "gen_cov": gen_cov.tolist(),
        "w2": final["w2"], "mean_distance": final["mean_distance"], "bures_distance": final["bures_distance"],
        "w2_initial": history[0]["w2"],
        "w2_one_batch_fit": one_batch_fit_w2(target, settings["batch_size"],
                                             np.random.default_rng(settings["seed"] + 1)),
        **settings, "history": history,
    }


def write_toy_gaussian(out, run):
    """Write summary.json, samples.png, losses.png and w2.png of a ToyGaussianRun into `out`."""
    summary = run.summary
    write_json(os.path.join(out, "summary.json"), summary)
    name = (f"{summary['discriminator']} discriminator, {summary['optimizer']} lr={summary['lr']:g}, "
            f"seed {summary['seed']}")
    target_mean, target_cov = np.array(summary["target_mean"]), np.array(summary["target_cov"])
    plot_gaussian_stages(run.stages, target_mean, target_cov, run.target_samples, os.path.join(out, "samples.png"),
                         f"Target N(μ, Σ) vs linear generator N(b, W Wᵀ): {name}")
    training = [record for record in summary["history"] if record["step"] > 0]
    plot_training_curves(training, os.path.join(out, "losses.png"), f"Toy Gaussian GAN: {name}",
                         GANOptions(**summary["options"]))
    reference = summary["w2_one_batch_fit"]
    plot_w2_curve(summary["history"], os.path.join(out, "w2.png"),
                  reference=(reference, f"Gaussian fitted to one batch of {summary['batch_size']}: {reference:.3f}"),
                  title=f"Exact W2 to the target: {name}")


def train_toy_gaussian(out, **settings):
    """fit_toy_gaussian(**settings), then write its files into `out` (which must exist); returns the summary."""
    run = fit_toy_gaussian(**settings)
    write_toy_gaussian(out, run)
    return run.summary


def _matrix_lines(matrix):
    return np.array2string(np.asarray(matrix), precision=3, suppress_small=True, floatmode="fixed").split("\n")


def format_toy_table(summary):
    """The final table: target vs generated mean and covariance, and the exact W2."""
    rows = [("mean", _matrix_lines(summary["target_mean"]), _matrix_lines(summary["gen_mean"])),
            ("covariance", _matrix_lines(summary["target_cov"]), _matrix_lines(summary["gen_cov"]))]
    header = "target N(mu, Sigma)"
    width = max(len(header), *(len(line) for _, target, _ in rows for line in target)) + 4
    lines = [f"{'':<12}{header:<{width}}generator N(b, W W^T)"]
    for label, target, generated in rows:
        for index, (left, right) in enumerate(zip(target, generated)):
            lines.append(f"{label if index == 0 else '':<12}{left:<{width}}{right}")
    lines.append(f"exact W2 to the target: {summary['w2']:.4f}  (from {summary['w2_initial']:.4f} at step 0)")
    lines.append(f"  = sqrt(|b - mu|^2 + B^2) with |b - mu| = {summary['mean_distance']:.4f} (mean term), "
                 f"B = {summary['bures_distance']:.4f} (covariance term)")
    lines.append(f"for scale: a Gaussian fitted to one batch of {summary['batch_size']} target samples "
                 f"is at W2 {summary['w2_one_batch_fit']:.4f} on average")
    return "\n".join(lines)
