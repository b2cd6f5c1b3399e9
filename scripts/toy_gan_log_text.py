"""The text of docs/toy-gan-log.md, from the runs of scripts/toy_gan_log.py.

Every number on the page is computed here from the runs' summaries; the words around them
claim nothing that a number does not show.
"""

import numpy as np

QUADRATIC_TABLE_STEPS = (0, 300, 600, 900, 1200, 1500, 1800, 2100, 2400, 2700, 3000, 3300, 3600, 4200, 4800, 6000)
PEAK_WINDOW = 10  # a peak of the mean gap is the largest value within this many records on each side
PEAK_FLOOR = 0.1  # peaks below this are not listed


def series(summary, key):
    return np.array([record[key] for record in summary["history"]])


def record_near(summary, step):
    """The recorded step nearest to `step`."""
    return min(summary["history"], key=lambda record: abs(record["step"] - step))


def vector(values):
    return "(" + ", ".join(f"{value:.3f}" for value in values) + ")"


def matrix(rows):
    body = r" \\ ".join(" & ".join(f"{value:.3f}" for value in row) for row in rows)
    return rf"$\begin{{pmatrix}} {body} \end{{pmatrix}}$"


def mean_gap_peaks(summary):
    """[(step, value)] of the mean gap's peaks after its first minimum, and (step, value) of that minimum."""
    steps, gap = series(summary, "step"), series(summary, "mean_distance")
    local_max = [index for index in range(len(gap))
                 if gap[index] == gap[max(0, index - PEAK_WINDOW): index + PEAK_WINDOW + 1].max()]
    local_min = [index for index in range(len(gap))
                 if gap[index] == gap[max(0, index - PEAK_WINDOW): index + PEAK_WINDOW + 1].min()]
    first_min = next((index for index in local_min if index > 0), None)
    if first_min is None:
        return [], None
    peaks = [(int(steps[i]), float(gap[i])) for i in local_max if i > first_min and gap[i] >= PEAK_FLOOR]
    return peaks, (int(steps[first_min]), float(gap[first_min]))


def default_run_section(summary, progress, table, stages):
    history = summary["history"]
    peaks, first_min = mean_gap_peaks(summary)
    gap_text = "The run is too short for the mean gap to oscillate."
    if peaks:
        listed = [f"{value:.2f} at step {step}" + (f" ({value / peaks[index - 1][1]:.2f} of the peak before)"
                                                    if index else "") for index, (step, value) in enumerate(peaks)]
        after = [record["mean_distance"] for record in history if record["step"] > peaks[-1][0]]
        gap_text = (f"After its first minimum ({first_min[1]:.2f} at step {first_min[0]}), the mean term "
                    f"$\\lvert b - \\mu \\rvert$ peaks at {', '.join(listed)}"
                    + (f"; after step {peaks[-1][0]} it stays below {max(after):.2f}." if after else "."))
    bures = series(summary, "bures_distance")
    top = int(bures.argmax())
    rest = bures[top:]
    last = history[-1]
    gap = np.abs(np.array(summary["gen_mean"]) - np.array(summary["target_mean"]))
    shown = progress if len(progress) <= 2 else [progress[0], "...", progress[-1]]
    return "\n".join([
        "## The default run: linear D, Adam, seed 0",
        "",
        "```",
        "$ python examples/toy_gaussian.py",
        *shown,
        "",
        table,
        "```",
        "",
        f"- **The mean**: $b = {vector(summary['gen_mean'])}$ against $\\mu = "
        f"{vector(summary['target_mean'])}$, off by at most {gap.max():.3f} in a coordinate.",
        f"- **The mean gap over time** (the W2 figure below). {gap_text}",
        f"- **The losses**: $L_D = {last['loss_d']:.3f}$ and "
        f"$L_G = {last['loss_g']:.3f}$ at the last step; for $D \\equiv \\tfrac12$ they would be "
        f"$2\\ln 2 = 1.386$ and $\\ln 2 = 0.693$.",
        f"- **The covariance**: it starts at {matrix(stages[0]['cov'])} (the default "
        f"initialisation of `Linear`) and ends at {matrix(summary['gen_cov'])}, against "
        f"$\\Sigma =$ {matrix(summary['target_cov'])}. The covariance term $B$ of W2 goes from "
        f"{bures[0]:.2f} at step 0 to its largest, {bures[top]:.2f}, at step {history[top]['step']}, where the "
        f"mean gap is {history[top]['mean_distance']:.2f}, and stays between {rest.min():.2f} and "
        f"{rest.max():.2f} from there to the end.",
        "",
        "![Target and generated samples of the default run at four steps, with 2-sigma ellipses]"
        "(images/toy-gan-log/linear-samples.png)",
        "",
        "![W2 of the default run over the steps, with its mean and covariance terms]"
        "(images/toy-gan-log/linear-w2.png)",
    ])


def spread(values):
    return f"{min(values):.2f} to {max(values):.2f}"


def optimizer_section(toy, right_mean, settings):
    lines = ["## Adam and SGD on the covariance", ""]
    if right_mean:
        before = right_mean["adam", 0][0]
        seeds = sorted({seed for _, seed in right_mean})
        lines.append(
            f"From the right mean and the wrong covariance ($b = \\mu$, $W = I$, so $B = {before:.3f}$), "
            f"{settings['right_mean_steps']} steps against the linear $D$, seeds 0 to {seeds[-1]}:")
        lines.append("")
        for optimizer, name in (("adam", "Adam, learning rate $2 \\times 10^{-3}$"), ("sgd", "SGD, 0.05")):
            after = [right_mean[optimizer, seed][1] for seed in seeds]
            grew = sum(value > before for value in after)
            lines.append(f"- {name}: $B$ ends at {after[0]:.3f} for seed 0 ({spread(after)} over the seeds; "
                         f"above its start in {grew} of {len(after)}).")
        lines.append("")
    adam, sgd = toy["linear", "adam", 0], toy["linear", "sgd", 0]
    lines.append(f"The default run with `--optimizer sgd` ends at W2 {sgd['w2']:.3f} (mean gap "
                 f"{sgd['mean_distance']:.3f}, $B = {sgd['bures_distance']:.3f}$), the one with Adam at W2 "
                 f"{adam['w2']:.3f} (mean gap {adam['mean_distance']:.3f}, $B = {adam['bures_distance']:.3f}$).")
    return "\n".join(lines)


def quadratic_section(summary, steps):
    target_stds = np.sqrt(np.linalg.eigvalsh(np.array(summary["target_cov"])))[::-1]
    rows = ["| step | W2 | mean gap | $B$ | larger std of $G$ | smaller std of $G$ |", "|---|---|---|---|---|---|"]
    shown = sorted({record_near(summary, step * steps // 6000)["step"] for step in QUADRATIC_TABLE_STEPS})
    for step in shown:
        record = record_near(summary, step)
        rows.append(f"| {step} | {record['w2']:.3f} | {record['mean_distance']:.3f} | {record['bures_distance']:.3f}"
                    f" | {record['generator_stds'][0]:.3f} | {record['generator_stds'][-1]:.3f} |")
    smaller = series(summary, "generator_stds")[:, -1]
    lowest = int(smaller.argmin())
    back = next((summary["history"][i]["step"] for i in range(lowest, len(smaller)) if smaller[i] >= target_stds[-1]),
                None)
    back_text = (f"first reaches the target's {target_stds[-1]:.3f} again at step {back}" if back is not None else
                 f"does not reach the target's {target_stds[-1]:.3f} again by the end")
    return "\n".join([
        "## The quadratic D, seed 0: onto a line, and out again",
        "",
        f"`python examples/toy_gaussian.py --discriminator quadratic`. The standard deviations of $G$ along its "
        f"principal axes are the singular values of $W$; the target's are {target_stds[0]:.3f} and "
        f"{target_stds[-1]:.3f} (the square roots of $\\Sigma$'s eigenvalues).",
        "",
        *rows,
        "",
        f"The smaller standard deviation of $G$ falls to {smaller[lowest]:.3f} at step "
        f"{summary['history'][lowest]['step']} and {back_text}. The run ends at W2 {summary['w2']:.3f}; a Gaussian "
        f"fitted to one batch of 256 target samples is at {summary['w2_one_batch_fit']:.3f} on average.",
        "",
        "![W2 of the quadratic run over the steps](images/toy-gan-log/quadratic-w2.png)",
        "",
        "![Target and generated samples of the quadratic run at four steps](images/toy-gan-log/quadratic-samples.png)",
    ])


def settings_section(toy, settings, curvature):
    seeds = sorted({seed for _, _, seed in toy})
    rows = ["| `--discriminator` | `--optimizer` | W2, seed 0 | W2 over the seeds: median [min, max] | "
            "covariance term $B$, median | mean gap, max |", "|---|---|---|---|---|---|"]
    for name, optimizer in settings["settings"]:
        runs = [toy[name, optimizer, seed] for seed in seeds]
        w2 = [run["w2"] for run in runs]
        gaps = [np.abs(np.array(run["gen_mean"]) - np.array(run["target_mean"])).max() for run in runs]
        rows.append(f"| {name} | {optimizer} | {w2[0]:.3f} | {np.median(w2):.3f} [{min(w2):.3f}, {max(w2):.3f}] | "
                    f"{np.median([run['bures_distance'] for run in runs]):.3f} | {max(gaps):.3f} |")
    linear = [toy[name, optimizer, seed] for name, optimizer in settings["settings"] if name == "linear"
              for seed in seeds]
    richer = {(name, optimizer, seed): toy[name, optimizer, seed] for name, optimizer in settings["settings"]
              if name != "linear" for seed in seeds}
    above = [f"{name}, {optimizer}, seed {seed}: {run['w2']:.3f} against {run['w2_one_batch_fit']:.3f}"
             for (name, optimizer, seed), run in richer.items() if run["w2"] >= run["w2_one_batch_fit"]]
    largest_gap = max(((np.abs(np.array(run["gen_mean"]) - np.array(run["target_mean"])).max(), name, optimizer)
                       for (name, optimizer, _), run in toy.items()))
    eigenvalues, second, fourth = curvature
    return "\n".join([
        f"## Every setting, seeds 0 to {seeds[-1]}",
        "",
        "One row of the table is one `--discriminator` and `--optimizer` over the seeds; one cell, for example:",
        "",
        "```bash",
        "python examples/toy_gaussian.py --discriminator quadratic --optimizer sgd --seed 3",
        "```",
        "",
        "W2 at the end of each run; the mean gap is the largest $\\lvert b_i - \\mu_i \\rvert$ over the "
        "coordinates and the seeds.",
        "",
        *rows,
        "",
        f"- With the linear $D$ (both optimizers), every run ends with a mean gap of at most "
        f"{max(np.abs(np.array(run['gen_mean']) - np.array(run['target_mean'])).max() for run in linear):.3f}, "
        f"and $B$ from {spread([run['bures_distance'] for run in linear])}, "
        f"{spread([run['bures_distance'] / run['w2_one_batch_fit'] for run in linear])} times the W2 of a "
        f"Gaussian fitted to one batch of target samples.",
        f"- With the quadratic or MLP $D$, W2 ends below that one-batch W2 in {len(richer) - len(above)} of "
        f"{len(richer)} runs" + (f" (not in: {'; '.join(above)})." if above else "."),
        f"- The largest mean gap of all runs is {largest_gap[0]:.3f}, with the {largest_gap[1]} $D$ and "
        f"{largest_gap[2]}.",
        f"- The quadratic $D$'s features are far from unit scale: $\\mathbb{{E}}[x_1^2] = {second:.2f}$ and "
        f"$\\mathbb{{E}}[x_1^4] = {fourth:.1f}$ under the target. Where $G$ matches the target and "
        f"$D \\equiv \\tfrac12$, the curvature of $L_D$ in $D$'s six parameters, "
        f"$\\tfrac12 \\mathbb{{E}}[\\phi\\phi^\\top]$ with $\\phi = (1, x, x_i x_j)$, has eigenvalues from "
        f"{eigenvalues[0]:.3f} to {eigenvalues[-1]:.1f}; gradient descent on a quadratic is stable only for "
        f"steps below $2/{eigenvalues[-1]:.1f} = {2 / eigenvalues[-1]:.3f}$, and SGD's is 0.05.",
    ])


def ring_section(ring, report):
    seeds = sorted(ring)
    rows = ["| seed | modes covered | high-quality samples | samples nearest the most popular mode | "
            "most modes covered at once | modes covered at some point | best high-quality share during the run |",
            "|---|---|---|---|---|---|---|"]
    medians = []
    for seed in seeds:
        summary = ring[seed]
        rows.append(f"| {seed} | {summary['modes_covered']} | {100 * summary['high_quality_share']:.1f}% | "
                    f"{100 * max(summary['nearest_shares']):.0f}% | {summary['most_modes_covered_at_once']} | "
                    f"{summary['modes_visited']} | "
                    f"{100 * max(series(summary, 'high_quality_share')):.1f}% |")
        medians.append(100 * np.median([max(record["nearest_shares"]) for record in summary["history"]]))
    return "\n".join([
        f"## The ring, seeds 0 to {seeds[-1]}",
        "",
        "`python examples/gaussian_ring.py` (seed 0) ends with:",
        "",
        "```",
        report,
        "```",
        "",
        "At the end of each run, and over its recorded steps:",
        "",
        *rows,
        "",
        f"Over the recorded steps of each run, the median share of the samples nearest to the most popular mode "
        f"is {min(medians):.0f}% to {max(medians):.0f}% (12.5% each if spread evenly).",
        "",
        "![Mode coverage over training, seed 0: modes covered, high-quality share, and the mode most samples "
        "are nearest to](images/toy-gan-log/ring-coverage.png)",
    ])


def render_page(command, settings, toy, default_run, right_mean, ring, ring_report, curvature):
    """The whole page, Markdown.

    settings: {"settings": [(discriminator, optimizer)], "right_mean_steps"}; toy: {(discriminator, optimizer,
    seed): summary}; default_run: (progress lines, final table, stages) of linear, adam, seed 0; right_mean:
    {(optimizer, seed): (B before, B after)}; ring: {seed: summary}; ring_report: seed 0's final lines;
    curvature: (eigenvalues, E[x_1^2], E[x_1^4]) of quadratic_feature_curvature.
    """
    default = toy["linear", "adam", 0]
    steps = default["steps"]
    return "\n\n".join([
        "# The toy GAN: experiment log",
        "The measurements behind [toy-gan.md](toy-gan.md), which derives what they should show; this page only "
        "reports what the runs did. [`scripts/toy_gan_log.py`](../scripts/toy_gan_log.py) runs them and writes "
        "this page and its figures; to regenerate both:",
        "```bash\npython scripts/toy_gan_log.py\n```",
        f"The runs are seeded, so on the same code a rerun writes the same numbers. This version was written by "
        f"`{command}`. Every toy Gaussian run: dimension 2, batch 256, {steps} steps, both players with the same "
        f"optimizer and learning rate (Adam $2 \\times 10^{{-3}}$ with $\\beta = (0.5, 0.999)$, or SGD 0.05), "
        f"the target $\\mathcal{{N}}(\\mu, \\Sigma)$ of `default_target(2)`.",
        default_run_section(default, *default_run),
        optimizer_section(toy, right_mean, settings),
        quadratic_section(toy["quadratic", "adam", 0], steps),
        settings_section(toy, settings, curvature),
        ring_section(ring, ring_report),
    ]) + "\n"
