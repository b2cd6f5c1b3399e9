"""The article's toy GAN (section 4.4) as a training run: the code behind
examples/toy_gaussian.py and the measurements of docs/toy-gan.md.

    fit_toy_gaussian     train a linear generator against a linear, quadratic or MLP
                         discriminator on a Gaussian target; track the exact W2
    write_toy_gaussian   summary.json, samples.png, losses.png, w2.png
    train_toy_gaussian   both, as the example runs them
    format_toy_table     the final table: target vs generator, and W2

Training is nanogan.training.train_step, as for the DCGAN: a D step, then a
G step on the non-saturating loss -log D(G(z)).
"""

import os
import time
from dataclasses import dataclass

import numpy as np

from ..backend import to_backend, to_numpy
from ..files import write_json
from ..models.toy import LinearGenerator, LogisticDiscriminator, MLPDiscriminator, QuadraticDiscriminator
from ..nn import BCELoss, no_grad
from ..optim import SGD, Adam
from ..plots import plot_training_curves
from ..random import manual_seed
from ..training import sample_noise, train_step
from .data import default_target
from .gaussian import bures_distance, wasserstein2_gaussian
from .plots import plot_gaussian_stages, plot_w2_curve

DISCRIMINATORS = {"linear": LogisticDiscriminator, "quadratic": QuadraticDiscriminator, "mlp": MLPDiscriminator}
OPTIMIZERS = ("adam", "sgd")
DEFAULT_LR = {"adam": 2e-3, "sgd": 0.05}  # per optimizer: Adam's steps are about lr long whatever the gradient
ADAM_BETAS = (0.5, 0.999)  # beta1 = 0.5 as in DCGAN: less momentum, since the opponent keeps moving
PLOT_SAMPLES = 1000  # samples drawn in each panel of samples.png
RECORDS = 300  # about this many points in each curve
BATCH_FIT_TRIALS = 200  # batches averaged for the reference W2 of a one-batch fit


def make_optimizer(name, parameters, lr):
    """Adam(lr, betas=(0.5, 0.999)) or plain SGD(lr), the article's theta -= lr * grad."""
    if name == "adam":
        return Adam(parameters, lr=lr, betas=ADAM_BETAS)
    return SGD(parameters, lr=lr)


def _stage_steps(steps):
    """The steps that samples.png shows: the start, a quarter, half way, the end."""
    return sorted({0, steps // 4, steps // 2, steps})


def progress_line(step, steps, metrics, extra):
    """One line of progress: the step, the losses and D's outputs from `metrics`, then `extra`."""
    return (f"step {step:>{len(str(steps))}}/{steps}  L_D {metrics['loss_d']:.3f}  L_G {metrics['loss_g']:.3f}  "
            f"D(x) {metrics['d_real']:.3f}  D(G(z)) {metrics['d_fake']:.3f}  {extra}")


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
    mean, cov = generator.distribution()
    return {
        "w2": wasserstein2_gaussian(target.mean, target.cov, mean, cov),
        "mean_distance": float(np.linalg.norm(mean - target.mean)),
        "bures_distance": bures_distance(target.cov, cov),
    }


@dataclass
class ToyGaussianRun:
    """What fit_toy_gaussian measured: the summary (summary.json) and what the plots need."""

    summary: dict
    stages: list  # [{"step", "samples" (n, d), "mean" (d,), "cov" (d, d), "w2"}] for samples.png
    target_samples: np.ndarray  # (n, d), drawn once for every panel


def fit_toy_gaussian(dim=2, steps=6000, batch_size=256, lr=None, optimizer="adam", discriminator="linear",
                     seed=0, backend="numpy", log=print, log_every=500):
    """Train G(z) = W z + b on the default target N(mu, Sigma) in `dim` dimensions; write nothing.

    discriminator: "linear" | "quadratic" | "mlp" (see nanogan/models/toy.py)
    optimizer: "adam" | "sgd", for both players; lr None takes DEFAULT_LR[optimizer]
    `log` receives a progress line every `log_every` steps. Returns a ToyGaussianRun.
    """
    lr = DEFAULT_LR[optimizer] if lr is None else lr
    target = default_target(dim)
    manual_seed(seed)  # the initial weights
    rng = np.random.default_rng(seed)  # data and noise
    generator = LinearGenerator(dim).to(backend)
    discriminator_model = DISCRIMINATORS[discriminator](dim).to(backend)
    g_optimizer = make_optimizer(optimizer, generator.parameters(), lr)
    d_optimizer = make_optimizer(optimizer, discriminator_model.parameters(), lr)
    criterion = BCELoss()

    fixed_noise = sample_noise(rng, (PLOT_SAMPLES, dim), backend)
    target_samples = target.sample(rng, PLOT_SAMPLES)
    stage_steps = _stage_steps(steps)
    record_every = max(1, steps // RECORDS)
    initial = _distances(generator, target)
    history, stages = [{"step": 0, **initial}], []
    start = time.perf_counter()
    for step in range(steps + 1):
        if step > 0:
            real = to_backend(target.sample(rng, batch_size), backend, np.float32)
            noise = sample_noise(rng, (batch_size, dim), backend)
            metrics = train_step(generator, discriminator_model, g_optimizer, d_optimizer, criterion, real, noise)
            record_now, log_now = step % record_every == 0 or step == steps, step % log_every == 0 or step == steps
            if record_now or log_now:
                record = {"step": step, **metrics.to_host(), **_distances(generator, target)}
            if record_now:
                history.append(record)
            if log_now:
                distances = f"|mean gap| {record['mean_distance']:.3f}  W2 {record['w2']:.3f}"
                log(progress_line(step, steps, record, distances))
        if step in stage_steps:
            with no_grad():
                samples = to_numpy(generator(fixed_noise)).astype(np.float64)
            mean, cov = generator.distribution()
            stages.append({"step": step, "samples": samples, "mean": mean, "cov": cov,
                           "w2": wasserstein2_gaussian(target.mean, target.cov, mean, cov)})
    seconds = time.perf_counter() - start

    gen_mean, gen_cov = generator.distribution()
    final = _distances(generator, target)
    summary = {
        "target_mean": target.mean.tolist(), "target_cov": target.cov.tolist(),
        "gen_mean": gen_mean.tolist(), "gen_cov": gen_cov.tolist(),
        "w2": final["w2"], "mean_distance": final["mean_distance"], "bures_distance": final["bures_distance"],
        "w2_initial": initial["w2"],
        "w2_one_batch_fit": one_batch_fit_w2(target, batch_size, np.random.default_rng(seed + 1)),
        "steps": steps, "discriminator": discriminator, "seed": seed, "backend": backend,
        "dim": dim, "batch_size": batch_size, "lr": lr, "optimizer": optimizer,
        "train_seconds": seconds, "history": history,
    }
    return ToyGaussianRun(summary, stages, target_samples)


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
    plot_training_curves(training, os.path.join(out, "losses.png"), f"Toy Gaussian GAN: {name}")
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
