"""Matplotlib figures written as PNG files: the training curves of any GAN, and what the
application figures (nanogan/toy/plots.py) share.

    plot_training_curves   L_D, L_G and the D outputs over steps
    save_figure            write a Figure as a PNG, atomically
    series                 one key of a list of records, as a list

Figures are built with matplotlib.figure.Figure, not pyplot: they render with
the Agg backend whatever the session's backend is, need no display, and
nothing stays open once they are saved. Each file is written atomically.
"""

import numpy as np
from matplotlib.figure import Figure

from .files import atomic_write
from .objectives import GANOptions

DPI = 120


def save_figure(figure, path):
    """Write `figure` to `path` as a PNG: a temporary file in the same folder, then os.replace."""
    with atomic_write(path) as file:
        figure.savefig(file, format="png", dpi=DPI)


def series(records, key):
    """[record[key] for record in records]: one curve of a training history."""
    return [record[key] for record in records]


def plot_training_curves(records, path, title="GAN training", options=None):
    """Panels over training steps: the losses L_D and L_G, the mean D outputs, and, when some
    records hold "fid" and "kid" (or the face benchmark's "modes_covered" and "domain_fid"), those (the
    ring's records hold a "modes_covered" of their own, and no quality panel).

    records: [{"step", "loss_d", "loss_g", "d_real", "d_fake", "d_fake_after"}, ...]
    (StepMetrics.to_host() plus the step). options: the run's GANOptions (default: the article's BCE),
    whose objective names the losses and says whether D's outputs are probabilities (then the
    losses at D = 1/2 are marked) or scores. Returns the Figure, after writing it to `path`.
    """
    options = options or GANOptions()
    objective = options.objective()
    evaluated = [record for record in records if any(key in record for key in QUALITY_PANELS)]
    figure = Figure(figsize=(16.5 if evaluated else 11, 4.2), layout="constrained")
    losses, outputs, *quality = figure.subplots(1, 3 if evaluated else 2)
    steps = series(records, "step")

    d_formula, g_formula = objective.formulas
    losses.plot(steps, series(records, "loss_d"), label=f"$L_D$ = {d_formula}" + " + penalty" * options.penalised)
    losses.plot(steps, series(records, "loss_g"), label=f"$L_G$ = {g_formula}")
    if objective.probabilities:  # each loss where D cannot tell, D = 1/2 everywhere, as the objective computes it
        one_half = np.full(1, 0.5)
        at_one_half = (float(objective.d_real(one_half)[0] + objective.d_fake(one_half)[0]),
                       float(objective.g_fake(one_half)[0]))
        for value, color, player in zip(at_one_half, ("tab:blue", "tab:orange"), "DG"):
            losses.axhline(value, color=color, linestyle=":", label=f"$L_{player}$ when D = 1/2: {value:.3f}")
    losses.set(xlabel="training step", ylabel="loss (batch mean)", title=f"Losses ({options.label()})")
    losses.legend(fontsize="small")

    outputs.plot(steps, series(records, "d_real"), label="D(x), real batch")
    outputs.plot(steps, series(records, "d_fake"), label="D(G(z)), before the D step")
    outputs.plot(steps, series(records, "d_fake_after"), label="D(G(z)), after the D step", alpha=0.7)
    if objective.probabilities:
        outputs.axhline(0.5, color="black", linestyle=":", label="1/2: D cannot tell")
        outputs.set(ylabel="mean D output (a probability)", ylim=(0, 1))
    else:
        outputs.set(ylabel="mean D output (a score, or a logit)")  # a real number: D ends without a sigmoid
    outputs.set(xlabel="training step", title="Discriminator outputs")
    outputs.legend(fontsize="small")

    if evaluated:
        _plot_quality(quality[0], evaluated)
    figure.suptitle(title)
    save_figure(figure, path)
    return figure


# The quality panel: (title, left curve, right curve), each (record key, legend label, axis label);
# KID is drawn with its standard deviation over its subsets.
QUALITY_PANELS = {
    "fid": ("Sample quality", ("fid", "FID", "FID (lower is better)"), ("kid", "KID", "KID (lower is better)")),
    "domain_fid": ("Face benchmark", ("modes_covered", "modes covered", "modes covered (higher is better)"),
                   ("domain_fid", "domain FID", "domain FID (lower is better)")),
}


def _plot_quality(axes, records):
    """The evaluation's two figures over steps: one on the left axis, one on the right."""
    title, (left_key, left_label, left_axis), (right_key, right_label, right_axis) = next(
        panel for key, panel in QUALITY_PANELS.items() if key in records[0])
    steps = series(records, "step")
    axes.plot(steps, series(records, left_key), "o-", color="tab:purple", label=left_label)
    axes.set(xlabel="training step", ylabel=left_axis, title=title)
    right = axes.twinx()
    spread = series(records, right_key + "_std") if right_key + "_std" in records[0] else None
    right.errorbar(steps, series(records, right_key), yerr=spread, fmt="s--", color="tab:green", capsize=3,
                   label=right_label)
    right.set_ylabel(right_axis)
    handles = axes.get_legend_handles_labels()[0] + right.get_legend_handles_labels()[0]
    axes.legend(handles=handles, fontsize="small")
