"""Running a DCGAN training to a step count, with what the PyTorch DCGAN tutorial gives:
a progress bar, the numbers every N steps (metrics.jsonl), sample grids from a fixed
noise batch, loss curves, and checkpoints, plus a clean stop on Ctrl-C or a NaN.

Output folder layout:

    metrics.jsonl          step, epoch, Loss_D, Loss_G, D(x), D(G(z)) before/after, images/s;
                           FID and KID every --eval-every steps (nanogan/dcgan/evaluation.py)
    real_samples.png       64 training images, once
    samples/step_NNNNNN.png   G(fixed_noise) every sample_every steps and at the end
    losses.png             loss and D-output curves
    checkpoint.npz         everything needed to resume (written atomically)
"""

import math
import os
import time

import numpy as np
from tqdm import tqdm

from ..backend import backend_name, to_backend
from ..images import interpolate, save_image_grid
from ..plots import plot_training_curves
from .metrics_log import MetricsLog
from .trainer import generate_images


class TrainingDiverged(RuntimeError):
    """A loss became NaN or infinite; the message says which, when, and what was kept."""


def checkpoint_path(out_dir):
    """Where a run in `out_dir` keeps its checkpoint."""
    return os.path.join(out_dir, "checkpoint.npz")


def train(trainer, out_dir, max_steps, log_every=50, sample_every=500, checkpoint_every=500, progress=True,
          evaluation=None):
    """Train `trainer` (a DCGANTrainer) until trainer.step == max_steps, writing into out_dir.

    evaluation: a TrainingEvaluation, whose FID and KID join the log record of every step it is due.

    Returns "finished" or "interrupted" (Ctrl-C: a checkpoint is saved first).
    Raises TrainingDiverged when a loss stops being finite; the checkpoint on
    disk is then the last one saved while the losses were still finite.
    """
    os.makedirs(os.path.join(out_dir, "samples"), exist_ok=True)
    log = MetricsLog(os.path.join(out_dir, "metrics.jsonl"), resume_step=trainer.step if trainer.step else None)
    real_grid = os.path.join(out_dir, "real_samples.png")
    if not os.path.exists(real_grid):
        save_image_grid(trainer.images[:64].astype(np.float32) / 127.5 - 1, real_grid)

    batch_size = trainer.config.batch_size
    bar = tqdm(total=max_steps, initial=trainer.step, unit="step", disable=not progress, dynamic_ncols=True)
    interval_start, interval_steps = time.perf_counter(), 0
    last_finite_checkpoint = None
    try:
        while trainer.step < max_steps:
            metrics = trainer.train_step()
            bar.update(1)
            interval_steps += 1
            step = trainer.step
            last = step == max_steps
            evaluate = evaluation is not None and evaluation.due(step, last)
            if step % log_every == 0 or step % checkpoint_every == 0 or last or evaluate:
                # the only host synchronisation of the loop: every log_every steps
                values = metrics.to_host()
                _check_finite(values, step, out_dir, last_finite_checkpoint)
                elapsed = time.perf_counter() - interval_start
                record = {"step": step, "epoch": trainer.loader.epoch, **values,
                          "images_per_second": interval_steps * batch_size / elapsed}
                if evaluate:
                    record.update(evaluation.measure(trainer.generator))
                log.append(record)
                bar.set_postfix_str(_postfix(record))
                interval_start, interval_steps = time.perf_counter(), 0
            if step % sample_every == 0 or last:
                save_image_grid(trainer.generate(trainer.fixed_noise),
                                os.path.join(out_dir, "samples", f"step_{step:06d}.png"))
            if step % checkpoint_every == 0 or last:
                trainer.save(checkpoint_path(out_dir))
                last_finite_checkpoint = step
    except KeyboardInterrupt:
        bar.close()
        trainer.save(checkpoint_path(out_dir))
        _plot(log, out_dir, trainer.config.options())
        return "interrupted"
    bar.close()
    _plot(log, out_dir, trainer.config.options())
    return "finished"


def _postfix(record):
    return (f"Loss_D {record['loss_d']:.3f}  Loss_G {record['loss_g']:.3f}  D(x) {record['d_real']:.3f}  "
            f"D(G(z)) {record['d_fake']:.3f}/{record['d_fake_after']:.3f}  {record['images_per_second']:.0f} img/s")


def _check_finite(values, step, out_dir, last_finite_checkpoint):
    bad = [name for name in ("loss_d", "loss_g") if not math.isfinite(values[name])]
    if bad:
        kept = (f"the last good checkpoint is {checkpoint_path(out_dir)} (step {last_finite_checkpoint})"
                if last_finite_checkpoint is not None else "no checkpoint was written in this session")
        raise TrainingDiverged(
            f"{' and '.join(bad)} became {values[bad[0]]} by step {step}; training stopped and {kept}. "
            f"Try a lower --lr, or check the data (images must be scaled to [-1, 1])"
        )


def _plot(log, out_dir, options):
    if log.records:
        plot_training_curves(log.records, os.path.join(out_dir, "losses.png"), "DCGAN training", options)


def generate(generator, count, path, seed=0, interpolation_steps=10):
    """Save a grid of G on `count` random noise vectors to `path`, and next to it
    (`<name>_interpolation.png`) G along the straight line between two noise vectors.

    Returns the two paths.
    """
    rng = np.random.default_rng(seed)
    backend = backend_name(next(generator.parameters()).data)
    noise = to_backend(rng.standard_normal((count, generator.nz, 1, 1), dtype=np.float32), backend)
    save_image_grid(generate_images(generator, noise), path)
    z_start, z_end = rng.standard_normal((2, generator.nz, 1, 1), dtype=np.float32)
    line = to_backend(interpolate(z_start, z_end, interpolation_steps), backend)
    stem, extension = os.path.splitext(path)
    strip_path = f"{stem}_interpolation{extension or '.png'}"
    save_image_grid(generate_images(generator, line), strip_path, nrow=interpolation_steps)
    return path, strip_path
