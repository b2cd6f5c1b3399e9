"""The training curves name the run's objective: its L_D and L_G, and D's outputs as probabilities (BCE with
a sigmoid, with the losses at D = 1/2 marked) or as scores (the other objectives, and BCE on D's logit under
a gradient penalty), whose outputs leave [0, 1]."""

import math

import pytest

from nanogan.objectives import GANOptions
from nanogan.plots import plot_training_curves


def records(d_real, d_fake):
    return [{"step": step, "loss_d": 0.5, "loss_g": 1.0, "d_real": d_real, "d_fake": d_fake,
             "d_fake_after": d_fake} for step in (50, 100)]


def legend_texts(axes):
    return [text.get_text() for text in axes.get_legend().get_texts()]


def test_bce_curves_show_probabilities_and_the_losses_when_d_is_one_half(tmp_path):
    figure = plot_training_curves(records(0.9, 0.1), tmp_path / "losses.png", options=GANOptions())
    losses, outputs = figure.axes
    assert (tmp_path / "losses.png").stat().st_size > 0
    assert legend_texts(losses) == ["$L_D$ = -log D(x) - log(1 - D(G(z)))", "$L_G$ = -log D(G(z))",
                                    f"$L_D$ when D = 1/2: {2 * math.log(2):.3f}",
                                    f"$L_G$ when D = 1/2: {math.log(2):.3f}"]
    assert [line.get_ydata()[0] for line in losses.lines[2:]] == pytest.approx([2 * math.log(2), math.log(2)])
    assert outputs.get_ylim() == (0, 1) and "1/2: D cannot tell" in legend_texts(outputs)


def test_the_saturating_generator_loss_at_one_half_is_minus_ln_2(tmp_path):
    losses, _ = plot_training_curves(records(0.9, 0.1), tmp_path / "losses.png",
                                     options=GANOptions(loss="saturating")).axes
    assert legend_texts(losses)[1] == "$L_G$ = log(1 - D(G(z)))"
    assert losses.lines[3].get_ydata()[0] == pytest.approx(-math.log(2))


@pytest.mark.parametrize("options, d_formula, g_formula", [
    (GANOptions(loss="lsgan"), "(D(x) - 1)²/2 + D(G(z))²/2", "(D(G(z)) - 1)²/2"),
    (GANOptions(loss="hinge", spectral_norm=True), "max(0, 1 - D(x)) + max(0, 1 + D(G(z)))", "-D(G(z))"),
    (GANOptions(loss="wgan-clip"), "D(G(z)) - D(x)", "-D(G(z))"),
    (GANOptions(loss="wgan-gp"), "D(G(z)) - D(x) + penalty", "-D(G(z))"),
    (GANOptions(r1=1.0), "-log D(x) - log(1 - D(G(z))) + penalty", "-log D(G(z))"),  # on D's logit
], ids=["lsgan", "hinge+sn", "wgan-clip", "wgan-gp", "bce+r1"])
def test_score_outputs_are_shown_whole_with_the_objectives_own_losses(tmp_path, options, d_formula, g_formula):
    figure = plot_training_curves(records(5.0, -4.8), tmp_path / "losses.png", options=options)
    losses, outputs = figure.axes
    assert legend_texts(losses) == [f"$L_D$ = {d_formula}", f"$L_G$ = {g_formula}"]
    assert losses.get_title() == f"Losses ({options.label()})"
    low, high = outputs.get_ylim()
    assert low < -4.8 and high > 5.0, "the scores must be on the panel"
    assert "1/2: D cannot tell" not in legend_texts(outputs)
