"""The training curves name the run's objective: its L_D and L_G, and D's outputs as probabilities (BCE,
with D = 1/2 marked) or as scores (the other objectives, whose outputs leave [0, 1])."""

import pytest

from nanogan.plots import LOSS_FORMULAS, plot_training_curves


def records(d_real, d_fake):
    return [{"step": step, "loss_d": 0.5, "loss_g": 1.0, "d_real": d_real, "d_fake": d_fake,
             "d_fake_after": d_fake} for step in (50, 100)]


def legend_texts(axes):
    return [text.get_text() for text in axes.get_legend().get_texts()]


def test_bce_curves_show_probabilities_and_the_losses_when_d_is_one_half(tmp_path):
    figure = plot_training_curves(records(0.9, 0.1), tmp_path / "losses.png", loss="bce")
    losses, outputs = figure.axes
    assert (tmp_path / "losses.png").stat().st_size > 0
    assert legend_texts(losses) == ["$L_D$ = -log D(x) - log(1 - D(G(z)))", "$L_G$ = -log D(G(z))",
                                    "$L_D$ when D = 1/2: 2 ln 2", "$L_G$ when D = 1/2: ln 2"]
    assert outputs.get_ylim() == (0, 1) and "1/2: D cannot tell" in legend_texts(outputs)


@pytest.mark.parametrize("loss", ["lsgan", "hinge", "wgan-clip", "wgan-gp"])
def test_score_objectives_show_their_own_losses_and_scores_outside_zero_one(tmp_path, loss):
    figure = plot_training_curves(records(5.0, -4.8), tmp_path / "losses.png", loss=loss)
    losses, outputs = figure.axes
    assert legend_texts(losses) == [f"$L_D$ = {LOSS_FORMULAS[loss][0]}", f"$L_G$ = {LOSS_FORMULAS[loss][1]}"]
    low, high = outputs.get_ylim()
    assert low < -4.8 and high > 5.0, "the scores must be on the panel"
    assert "1/2: D cannot tell" not in legend_texts(outputs)
