"""Mode collapse on a ring of 8 Gaussians: the code behind examples/gaussian_ring.py.

    fit_gaussian_ring     train a small MLP GAN on GaussianRing(), measuring how many modes
                          its samples cover as it goes
    summarise_ring        the numbers of a run: summary.json
    write_gaussian_ring   summary.json, samples.png, coverage.png, losses.png
    train_gaussian_ring   all three, as the example runs them
    format_ring_report    the final lines: modes covered, high-quality share

The ring is the test of Metz et al. ("Unrolled Generative Adversarial
Networks", 2017); the coverage metrics are GaussianMixture.coverage's. The same
run takes another mixture (GaussianGrid) and the objectives and regularisers
of GANOptions, as benchmarks/mode_collapse_lab.py compares them.
"""

import os
import time
from dataclasses import asdict, dataclass

import numpy as np

from ..backend import to_numpy
from ..files import write_json
from ..models.toy import MLPDiscriminator, MLPGenerator
from ..nn import no_grad
from ..objectives import GANOptions
from ..plots import plot_training_curves
from ..training import sample_noise
from .data import COVERED_SHARE, GaussianRing, matched_distance
from .plots import plot_ring_coverage, plot_ring_stages
from .training import ADAM_BETAS, PLOT_SAMPLES, RECORDS, build_gan, due, progress_line, training_steps

NOISE_DIM = 16  # the generator's z dimension
HIDDEN = 128  # hidden units in each layer of G and D
EVAL_SAMPLES = 2000  # fixed generated samples that the coverage metrics are measured on


@dataclass
class RingRun:
    """What fit_gaussian_ring measured: the summary (summary.json) and what the plots need."""

    summary: dict
    stages: list  # [{"step", "samples" (n, 2), "modes_covered", "high_quality_share"}] for samples.png
    real_samples: np.ndarray  # (n, 2), drawn once for every panel
    ring: GaussianRing


def _coverage(generator, ring, fixed_noise):
    """G's samples on the fixed noise, and how they cover the ring's modes."""
    with no_grad():
        samples = to_numpy(generator(fixed_noise)).astype(np.float64)
    return samples, ring.coverage(samples)


def fit_gaussian_ring(steps=5000, batch_size=256, lr=1e-3, seed=0, backend="numpy", log=print, log_every=500,
                      options=None, lr_d=None, lr_g=None, data=None, betas=ADAM_BETAS, records=RECORDS):
    """Train an MLP GAN (Adam, betas (0.5, 0.999)) on GaussianRing() and measure mode coverage; write nothing.

    options: GANOptions (default: the article's BCE GAN); lr_d, lr_g: the players' own learning rates
    (None: lr); data: another GaussianMixture (GaussianGrid()); betas: Adam's; records: about how many
    points the history (and coverage.png) has.
    `log` receives a progress line every `log_every` steps. Returns a RingRun."""
    ring = GaussianRing() if data is None else data
    options = options or GANOptions()
    options.check(batch_size)
    rng = np.random.default_rng(seed)  # data and noise (and the gradient penalty's interpolation weights)
    gan = build_gan(lambda: MLPGenerator(2, NOISE_DIM, hidden=HIDDEN),
                    lambda **d_options: MLPDiscriminator(2, hidden=HIDDEN, **d_options), "adam", lr, seed, backend,
                    options, rng, lr_d, lr_g, betas)
    fixed_noise = sample_noise(rng, (EVAL_SAMPLES, NOISE_DIM), backend)
    real_samples = ring.sample(rng, PLOT_SAMPLES)
    stage_steps = sorted({0, steps // 5, 2 * steps // 5, 3 * steps // 5, 4 * steps // 5, steps})
    record_every = max(1, steps // records)
    history, stages = [], []

    def add_stage(step, samples, coverage):
        stages.append({"step": step, "samples": samples[:PLOT_SAMPLES], "modes_covered": coverage.modes_covered,
                       "high_quality_share": coverage.high_quality_share})

    samples, coverage = _coverage(gan.generator, ring, fixed_noise)
    add_stage(0, samples, coverage)
    start = time.perf_counter()
    for step, metrics in training_steps(gan, ring.sample, NOISE_DIM, batch_size, steps, rng, backend):
        record_now, log_now = due(step, record_every, steps), due(step, log_every, steps)
        if not (record_now or log_now or step in stage_steps):
            continue
        samples, coverage = _coverage(gan.generator, ring, fixed_noise)
        if step in stage_steps:
            add_stage(step, samples, coverage)
        if record_now or log_now:
            record = {"step": step, **metrics.to_host(), "modes_covered": coverage.modes_covered,
                      "high_quality_share": coverage.high_quality_share, "mode_shares": coverage.mode_shares,
                      "nearest_shares": coverage.nearest_shares}
        if record_now:
            history.append(record)
        if log_now:
            log(progress_line(step, steps, record, f"modes {coverage.modes_covered}/{ring.num_modes}  "
                                                   f"high quality {100 * coverage.high_quality_share:.1f}%"))
    settings = {"steps": steps, "batch_size": batch_size, "lr": lr, "lr_d": lr_d or lr, "lr_g": lr_g or lr,
                "betas": list(betas),
                "seed": seed, "backend": backend, "options": asdict(options), "train_seconds": time.perf_counter() - start,
                "distance_to_data": matched_distance(samples[:PLOT_SAMPLES], real_samples)}
    return RingRun(summarise_ring(ring, coverage, history, settings), stages, real_samples, ring)


def summarise_ring(ring, coverage, history, settings):
    """summary.json of a run: the final coverage, the coverage over the whole history, the ring, the
    run's `settings` and its `history` of records."""
    visited = {mode for record in history for mode, share in enumerate(record["mode_shares"]) if share >= COVERED_SHARE}
    return {
        "modes_covered": coverage.modes_covered, "num_modes": ring.num_modes,
        "high_quality_share": coverage.high_quality_share, "mode_shares": coverage.mode_shares,
        "nearest_shares": coverage.nearest_shares,
        "most_modes_covered_at_once": max((record["modes_covered"] for record in history), default=0),
        "modes_visited": len(visited),
        "ring": ring.describe(),
        **settings, "history": history,
    }


def write_gaussian_ring(out, run):
    """Write summary.json, samples.png, coverage.png and losses.png of a RingRun into `out`."""
    summary, ring = run.summary, run.ring
    write_json(os.path.join(out, "summary.json"), summary)
    options = GANOptions(**summary["options"])
    name = f"{options.label()}, Adam lr={summary['lr']:g}, seed {summary['seed']}"
    plot_ring_stages(run.stages, ring, run.real_samples, os.path.join(out, "samples.png"),
                     f"{ring.num_modes} Gaussians (std {ring.std}): real vs generated samples, {name}")
    plot_ring_coverage(summary["history"], ring.num_modes, os.path.join(out, "coverage.png"),
                       f"Mode coverage over training, {name}")
    plot_training_curves(summary["history"], os.path.join(out, "losses.png"), f"Ring GAN: {name}", options)


def train_gaussian_ring(out, **settings):
    """fit_gaussian_ring(**settings), then write its files into `out` (which must exist); returns the summary."""
    run = fit_gaussian_ring(**settings)
    write_gaussian_ring(out, run)
    return run.summary


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
        f"(1/{summary['num_modes']} = {100 / summary['num_modes']:.1f}% each if spread evenly)",
        f"over training: at most {summary['most_modes_covered_at_once']} modes covered at once, "
        f"{summary['modes_visited']} different modes covered at some point",
    ])
