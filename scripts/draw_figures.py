"""Draw the figures of the study pages (docs/*.md) as PNG files under docs/images/.

    python scripts/draw_figures.py                  # rewrites docs/images/*.png, a few seconds
    python scripts/draw_figures.py --out /tmp/figs  # anywhere else

Each figure shows numbers that nanogan itself computes (im2col's columns, a transposed
convolution's output), so a picture cannot drift from the code.
"""

import argparse
import os

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Rectangle

from nanogan import nn
from nanogan.cli import prepare_output_dir
from nanogan.kernels.im2col import im2col
from nanogan.plots import save_figure

FORWARD, BACKWARD, PADDING, HIGHLIGHT = "black", "tab:red", "0.85", "tab:orange"


def canvas(width, height, size):
    """A Figure with one axis whose data units run 0..width by 0..height, no frame."""
    figure = Figure(figsize=size, layout="constrained")
    axis = figure.subplots()
    axis.set(xlim=(0, width), ylim=(0, height), aspect="equal")
    axis.axis("off")
    return figure, axis


def box(axis, centre, text, width=1.6, height=0.7, colour="white", size=10):
    x, y = centre
    axis.add_patch(FancyBboxPatch((x - width / 2, y - height / 2), width, height, boxstyle="round,pad=0.05",
                                  facecolor=colour, edgecolor="black"))
    axis.text(x, y, text, ha="center", va="center", fontsize=size)


def arrow(axis, start, end, colour=FORWARD, label=None, dashed=False, bend=0.0, offset=(0, 0.25), size=9):
    axis.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=14, color=colour, lw=1.5,
                                   linestyle="--" if dashed else "-", connectionstyle=f"arc3,rad={bend}",
                                   shrinkA=4, shrinkB=4))
    if label:
        middle = ((start[0] + end[0]) / 2 + offset[0], (start[1] + end[1]) / 2 + offset[1])
        axis.text(*middle, label, ha="center", va="center", fontsize=size, color=colour)


def grid(axis, values, corner, colours=None, size=9):
    """Draw a matrix as cells holding its values, top-left corner at `corner`; colours: one per cell, or None."""
    rows, cols = values.shape
    for r in range(rows):
        for c in range(cols):
            colour = "white" if colours is None else colours[r][c]
            axis.add_patch(Rectangle((corner[0] + c, corner[1] - r - 1), 1, 1, facecolor=colour, edgecolor="0.4"))
            axis.text(corner[0] + c + 0.5, corner[1] - r - 0.5, f"{values[r, c] + 0.0:g}",  # + 0.0: no "-0"
                      ha="center", va="center", fontsize=size)


def gan_step(path):
    """One GAN step as a computation graph: forward in black, the gradients back in red."""
    figure, axis = canvas(14, 6.6, (11, 5.0))
    centres = {"z": 1.2, "G": 3.7, "G(z)": 6.2, "D": 8.7, "D(G(z))": 11.2, "L": 13.2}
    titles = {"D": "D step: minimise $L_D$; the gradient into $G(z)$ is dropped",
              "G": "G step: minimise $L_G$ through D, whose weights are frozen"}
    for y, step in ((4.6, "D"), (1.2, "G")):
        loss = "$L_D$" if step == "D" else "$L_G$"
        axis.text(0.2, y + (1.85 if step == "D" else 1.0), titles[step], fontsize=11, va="top")
        for name, text in (("z", "noise $z$"), ("G", "$G$"), ("G(z)", "$G(z)$"), ("D", "$D$"),
                           ("D(G(z))", "$D(G(z))$"), ("L", loss)):
            trained = (name == "D" and step == "D") or (name == "G" and step == "G")
            box(axis, (centres[name], y), text, width=1.1 if name == "L" else 1.6,
                colour=("tab:green" if step == "D" else "tab:blue") if trained else "white")
        names = list(centres)
        for left, right in zip(names, names[1:]):
            arrow(axis, (centres[left] + 0.8, y), (centres[right] - (0.55 if right == "L" else 0.8), y))
    box(axis, (6.2, 5.75), "real $x$")
    box(axis, (11.2, 5.75), "$D(x)$")
    arrow(axis, (7.0, 5.65), (8.3, 5.0))
    arrow(axis, (9.1, 5.0), (10.4, 5.65))
    arrow(axis, (12.0, 5.65), (13.0, 5.0))
    arrow(axis, (13.2, 4.2), (8.9, 4.2), BACKWARD, r"$dL_D/d\theta_D$ into D's .grad", dashed=True, bend=-0.25,
          offset=(0, -0.7))
    arrow(axis, (8.0, 4.15), (6.6, 4.15), "0.6", "dropped", dashed=True, offset=(0, -0.3))
    for (start, end), label in (((13.2, 11.6), r"$dL_G/dD(G(z))$"), ((10.8, 8.9), "D.backward"),
                                ((8.5, 6.4), "grad_fake\n" r"$= dL_G/dG(z)$"),
                                ((6.0, 3.9), "G.backward:\n" r"$dL_G/d\theta_G$ into G's .grad")):
        arrow(axis, (start, 0.8), (end, 0.8), BACKWARD, label, dashed=True, bend=-0.3, offset=(0, -0.6))
    axis.text(13.9, -0.35, "coloured: the network that the step updates", ha="right", fontsize=8, color="0.3")
    save_figure(figure, path)


def im2col_figure(path):
    """A 3x3 window (stride 1, padding 1) on a 4x4 image becomes one column of im2col's matrix."""
    image = np.arange(1.0, 17.0).reshape(1, 1, 4, 4)
    columns = im2col(image, (3, 3), (1, 1), (1, 1))  # (9, 16): rows (c, i, j), columns (oh, ow, n)
    oh, ow = 1, 2
    column = oh * 4 + ow  # columns ordered (oh, ow, n) with N = 1
    figure, axis = canvas(26, 12.8, (12, 5.9))
    padded = np.pad(image[0, 0], 1)
    colours = [[PADDING if r in (0, 5) or c in (0, 5) else "white" for c in range(6)] for r in range(6)]
    for r in range(3):
        for c in range(3):
            colours[oh + r][ow + c] = HIGHLIGHT
    grid(axis, padded, (0.5, 10), colours=colours)
    axis.text(3.5, 11.2, "x padded by 1 (grey: padding);\nthe window of output (oh, ow) = (1, 2)", ha="center",
              fontsize=10)
    matrix_colours = [[HIGHLIGHT if c == column else "white" for c in range(16)] for _ in range(9)]
    grid(axis, columns, (9.5, 11), colours=matrix_colours, size=8)
    axis.text(17.5, 12.2, f"columns = im2col(x): 9 rows (c, i, j), 16 columns (oh, ow, n); the window, read row "
              f"by row, is column {column}", ha="center", fontsize=10)
    for r, name in enumerate(f"({0}, {i}, {j})" for i in range(3) for j in range(3)):
        axis.text(9.3, 10.5 - r, name, ha="right", va="center", fontsize=7)
    axis.text(9.5 + column + 0.5, 1.4, f"column {column}", ha="center", fontsize=9, color=HIGHLIGHT)
    arrow(axis, (5.6, 8.9), (10.0 + column, 11.3), HIGHLIGHT, bend=-0.25)
    axis.text(0.5, 0.3, "y = W_matrix @ columns: one dot product of a row of W (one output channel) with each "
              "column (one output position)", fontsize=10)
    save_figure(figure, path)


def transposed_figure(path):
    """ConvTranspose2d (stride 2, kernel 3): each input pixel stamps the kernel, scaled by its value; stamps add."""
    x = np.array([[1.0, 2.0], [-1.0, 0.5]])
    kernel = np.array([[1.0, 2.0, 1.0], [0.0, 1.0, 0.0], [1.0, 0.0, 1.0]])
    layer = nn.ConvTranspose2d(1, 1, 3, stride=2, bias=False).to(dtype=np.float64)
    layer.weight.data[...] = kernel
    y = layer(x.reshape(1, 1, 2, 2))[0, 0]
    figure, axis = canvas(35.5, 8.5, (14.5, 3.9))
    grid(axis, x, (0.5, 6), size=10)
    axis.text(1.5, 7.0, "input x (2x2)", ha="center", fontsize=10)
    grid(axis, kernel, (0.5, 3), size=10)
    axis.text(2.0, 3.5, "kernel w (3x3)", ha="center", fontsize=10)
    for index, (h, w) in enumerate(((0, 0), (0, 1), (1, 0), (1, 1))):
        stamp = np.zeros((5, 5))
        stamp[2 * h: 2 * h + 3, 2 * w: 2 * w + 3] = x[h, w] * kernel
        colours = [[HIGHLIGHT if 2 * h <= r < 2 * h + 3 and 2 * w <= c < 2 * w + 3 else "white" for c in range(5)]
                   for r in range(5)]
        corner = (5.5 + 6 * index, 6)
        grid(axis, stamp, corner, colours=colours, size=8)
        axis.text(corner[0] + 2.5, 7.0, f"x[{h},{w}] = {x[h, w]:g} times w\nat ({2 * h}, {2 * w})", ha="center",
                  fontsize=9)
        axis.text(corner[0] + 5.5, 3.5, "+" if index < 3 else "=", ha="center", va="center", fontsize=16)
    grid(axis, y, (30.0, 6), size=8)
    axis.text(32.5, 7.0, "y: the sum (5x5)", ha="center", fontsize=10)
    figure.suptitle("ConvTranspose2d(1, 1, 3, stride=2): each input pixel stamps the kernel, scaled by its value, "
                    "with its corner at (2h, 2w); where stamps overlap, they add")
    save_figure(figure, path)


def batchnorm_paths(path):
    """x_j reaches x_hat_k directly, through the mean and through the variance: three terms of dx_j."""
    figure, axis = canvas(14, 7.0, (11, 5.5))
    box(axis, (1.3, 3.2), "$x_j$", width=1.2)
    box(axis, (5.2, 5.4), r"$\mu = \mathrm{mean}(x)$", width=2.6)
    box(axis, (5.2, 1.0), r"$\sigma^2 = \mathrm{mean}((x - \mu)^2)$", width=3.4)
    box(axis, (9.0, 3.2), r"$\hat x_k = (x_k - \mu)/\hat\sigma$", width=3.0)
    box(axis, (12.6, 3.2), r"$y_k = \gamma \hat x_k + \beta$", width=2.5)
    arrow(axis, (1.9, 3.2), (7.5, 3.2), label="direct, when $k = j$", offset=(-0.3, 0.3))
    arrow(axis, (1.7, 3.6), (3.9, 5.2), label=r"$\partial\mu/\partial x_j = 1/m$", offset=(-1.2, 0.35))
    arrow(axis, (1.7, 2.8), (3.5, 1.2), label=r"$\partial\sigma^2/\partial x_j = 2(x_j - \mu)/m$",
          offset=(-1.0, -0.45))
    arrow(axis, (6.5, 5.3), (8.5, 3.6))
    arrow(axis, (6.9, 1.1), (8.5, 2.8))
    arrow(axis, (10.5, 3.2), (11.35, 3.2))
    terms = [((4.7, 2.65), r"direct: $\gamma\, g_j / \hat\sigma$"),
             ((5.2, 4.45), r"through $\mu$: $-\gamma\,\mathrm{mean}(g) / \hat\sigma$"),
             ((5.2, 0.0), r"through $\sigma^2$: $-\gamma\,\hat x_j\,\mathrm{mean}(g \hat x) / \hat\sigma$")]
    for (x, y), text in terms:
        axis.text(x, y, text, color=BACKWARD, fontsize=10, ha="center")
    formula = r"$dx_j = \frac{\gamma}{\hat\sigma}\,(g_j - \mathrm{mean}(g) - \hat x_j\,\mathrm{mean}(g \hat x))$"
    axis.text(7.0, 6.75, formula + ": the three paths, summed", ha="center", fontsize=11, color=BACKWARD)
    axis.text(7.0, 6.25, "black: the forward pass and each path's local derivative; red: the term that path adds "
              "to $dx_j$", ha="center", fontsize=9, color="0.3")
    save_figure(figure, path)


def gradient_patterns(path):
    """What one operation does to the gradient g that arrives at its output."""
    figure = Figure(figsize=(12, 3.6), layout="constrained")
    axes = figure.subplots(1, 4)
    cases = [("an addition distributes", "a + b", ("a = 2", "b = -3"), "-1", ("da = g = 1.5", "db = g = 1.5")),
             ("a product swaps", "a b", ("a = 2", "b = -3"), "-6", ("da = g b = -4.5", "db = g a = 3")),
             ("a max routes", "max(a, b)", ("a = 2 (wins)", "b = -3"), "2", ("da = g = 1.5", "db = 0")),
             ("a sum broadcasts back", "sum(a)", ("a = (2, -3, 1)", ""), "0", ("da = (g, g, g)", ""))]
    for axis, (title, operation, inputs, output, gradients) in zip(axes, cases):
        axis.set(xlim=(-0.8, 6.6), ylim=(0, 5), title=title)
        axis.axis("off")
        box(axis, (4.0, 2.5), operation, width=1.9, colour="0.92")
        arrow(axis, (5.0, 2.5), (6.2, 2.5))
        axis.text(5.6, 2.85, output, ha="center", fontsize=9)
        axis.text(5.6, 1.85, "g = 1.5", color=BACKWARD, ha="center", fontsize=9)
        for y, name, gradient in ((4.1, inputs[0], gradients[0]), (0.9, inputs[1], gradients[1])):
            if name:
                axis.text(0.6, y + 0.35, name, ha="center", fontsize=9)
                axis.text(0.6, y - 0.45, gradient, ha="center", fontsize=9, color=BACKWARD)
                arrow(axis, (2.2, y), (3.0, 2.5 + (y - 2.5) * 0.25))
    figure.suptitle("One step of the chain rule: the gradient g that reaches an output (red, below it), "
                    "and what each input receives")
    save_figure(figure, path)


FIGURES = {"gan-step.png": gan_step, "im2col.png": im2col_figure, "transposed-convolution.png": transposed_figure,
           "batchnorm-paths.png": batchnorm_paths, "gradient-patterns.png": gradient_patterns}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=os.path.join("docs", "images"), help="folder for the PNGs (docs/images)")
    out = prepare_output_dir(parser.parse_args().out)
    for name, draw in FIGURES.items():
        draw(os.path.join(out, name))
    print(f"wrote {', '.join(FIGURES)} to {out}")


if __name__ == "__main__":
    main()
