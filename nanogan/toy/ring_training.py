"""Mode collapse on a ring of 8 Gaussians: the code behind examples/gaussian_ring.py.

    train_gaussian_ring   train a small MLP GAN on GaussianRing(), measure how many modes
                          its samples cover over training, write summary.json and plots
    format_ring_report    the final lines: modes covered, high-quality share

The ring is the test of Metz et al. ("Unrolled Generative Adversarial
Networks", 2017); the coverage metrics are GaussianRing.coverage's.
"""

import os
import time

import numpy as np

from ..backend import to_backend, to_numpy
from ..files import write_json
from ..models.toy import MLPDiscriminator, MLPGenerator
from ..nn import BCELoss, no_grad
from ..plots import plot_training_curves
from ..random import manual_seed
from ..training import sample_noise, train_step
from .data import COVERED_SHARE, GaussianRing
from .gaussian_training import PLOT_SAMPLES, RECORDS, make_optimizer, progress_line
from .plots import plot_ring_coverage, plot_ring_stages

NOISE_DIM = 16  # the generator's z dimension
HIDDEN = 128  # hidden units in each layer of G and D
EVAL_SAMPLES = 2000  # fixed generated samples that the coverage metrics are measured on


def train_gaussian_ring(out, steps=5000, batch_size=256, lr=1e-3, seed=0, backend="numpy", log=print,
                        log_every=500):
    """Train an MLP GAN (Adam, betas (0.5, 0.999)) on GaussianRing() and measure mode coverage.

    Writes summary.json, samples.png, coverage.png and losses.png into `out` (which must
    exist) and returns the summary.
    """
    ring = GaussianRing()
    manual_seed(seed)
    rng = np.random.default_rng(seed)
    generator = MLPGenerator(2, NOISE_DIM, hidden=HIDDEN).to(backend)
    discriminator = MLPDiscriminator(2, hidden=HIDDEN).to(backend)
    g_optimizer = make_optimizer("adam", generator.parameters(), lr)
    d_optimizer = make_optimizer("adam", discriminator.parameters(), lr)
    criterion = BCELoss()

    fixed_noise = sample_noise(rng, (EVAL_SAMPLES, NOISE_DIM), backend)
    real_samples = ring.sample(rng, PLOT_SAMPLES)
    stage_steps = sorted({0, steps // 5, 2 * steps // 5, 3 * steps // 5, 4 * steps // 5, steps})
    record_every = max(1, steps // RECORDS)
    history, stages = [], []
    start = time.perf_counter()
    for step in range(steps + 1):
        if step > 0:
            real = to_backend(ring.sample(rng, batch_size), backend, np.float32)
            noise = sample_noise(rng, (batch_size, NOISE_DIM), backend)
            metrics = train_step(generator, discriminator, g_optimizer, d_optimizer, criterion, real, noise)
        record_now = step > 0 and (step % record_every == 0 or step == steps)
        log_now = step > 0 and (step % log_every == 0 or step == steps)
        if not (record_now or log_now or step in stage_steps):
            continue
        with no_grad():
            samples = to_numpy(generator(fixed_noise)).astype(np.float64)
        coverage = ring.coverage(samples)
        if step in stage_steps:
            stages.append({"step": step, "samples": samples[:PLOT_SAMPLES], "modes_covered": coverage.modes_covered,
                           "high_quality_share": coverage.high_quality_share})
        if record_now or log_now:
            record = {"step": step, **metrics.to_host(), "modes_covered": coverage.modes_covered,
                      "high_quality_share": coverage.high_quality_share, "mode_shares": coverage.mode_shares,
                      "nearest_shares": coverage.nearest_shares}
        if record_now:
            history.append(record)
        if log_now:
            log(progress_line(step, steps, record, f"modes {coverage.modes_covered}/{ring.num_modes}  "
                                                   f"high quality {100 * coverage.high_quality_share:.1f}%"))
    seconds = time.perf_counter() - start

    visited = {mode for record in history for mode, share in enumerate(record["mode_shares"]) if share >= COVERED_SHARE}
    summary = {
        "modes_covered": coverage.modes_covered, "num_modes": ring.num_modes,
        "high_quality_share": coverage.high_quality_share, "mode_shares": coverage.mode_shares,
        "nearest_shares": coverage.nearest_shares,
        "most_modes_covered_at_once": max((record["modes_covered"] for record in history), default=0),
        "modes_visited": len(visited),
        "ring": {"num_modes": ring.num_modes, "radius": ring.radius, "std": ring.std},
        "steps": steps, "batch_size": batch_size, "lr": lr, "seed": seed, "backend": backend,
        "train_seconds": seconds, "history": history,
    }
    write_json(os.path.join(out, "summary.json"), summary)
    name = f"Adam lr={lr:g}, seed {seed}"
    plot_ring_stages(stages, ring, real_samples, os.path.join(out, "samples.png"),
                     f"Ring of {ring.num_modes} Gaussians (std {ring.std}): real vs generated samples, {name}")
    plot_ring_coverage(history, ring.num_modes, os.path.join(out, "coverage.png"),
                       f"Mode coverage over training, {name}")
    plot_training_curves(history, os.path.join(out, "losses.png"), f"Ring GAN: {name}")
    return summary


def format_ring_report(summary):
    """The final lines of the ring run: coverage at the end and over the whole run."""

    def percentages(shares):
        return "  ".join(f"{100 * share:3.0f}%" for share in shares)

    return "\n".join([
        f"modes covered at the end: {summary['modes_covered']}/{summary['num_modes']}  "
        f"(a mode counts when at least 1% of the samples lie within 3 std of its centre)",
        f"high-quality samples (within 3 std of some mode): {100 * summary['high_quality_share']:.1f}%",
        f"samples within 3 std of each mode:   {percentages(summary['mode_shares'])}",
        f"samples nearest to each mode:        {percentages(summary['nearest_shares'])}  "
        f"(1/8 = 12.5% each if spread evenly)",
        f"over training: at most {summary['most_modes_covered_at_once']} modes covered at once, "
        f"{summary['modes_visited']} different modes covered at some point",
    ])
