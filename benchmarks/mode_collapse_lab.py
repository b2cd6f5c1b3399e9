"""The mode-collapse lab: each objective and regulariser on the ring of 8 Gaussians and
the 5x5 grid of 25, over several seeds, with the ring demo's models (MLPs of 128 units,
Adam, batch 256): modes covered, high-quality samples, distance to the data, time.

    nice -n 10 python benchmarks/mode_collapse_lab.py --jobs 2 --out runs/mode_collapse_lab
    python benchmarks/mode_collapse_lab.py --seeds 1 --steps-scale 0.1 --only bce,pack   # a quick look

Writes results.json (every run), table.md (the medians per remedy and data set) and
samples.png (the final samples of the median seed of each) into --out; docs/objectives.md
shows them. Each remedy runs with the settings in REMEDIES, which the lab chose (see there).
"""

import argparse
import json
import os
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # 256x128 matrices: one BLAS thread per run is fastest

import numpy as np  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from nanogan.files import atomic_write, write_json  # noqa: E402
from nanogan.objectives import GANOptions  # noqa: E402
from nanogan.toy.data import GaussianGrid, GaussianRing  # noqa: E402
from nanogan.models.toy import MLPDiscriminator, MLPGenerator  # noqa: E402
from nanogan.toy.ring_training import HIDDEN, NOISE_DIM, fit_gaussian_ring  # noqa: E402
from nanogan.toy.training import build_gan, training_steps  # noqa: E402

# name -> the run's settings: GANOptions, Adam's learning rates of D and G and betas, G steps.
# The ring demo's BCE first, as the baseline.
def remedy(options, lr_d=1e-3, lr_g=1e-3, betas=(0.5, 0.999), steps=5000):
    return {"options": options, "lr_d": lr_d, "lr_g": lr_g, "betas": betas, "steps": steps}


# A pilot on the ring (seeds 0-2, docs/objectives.md) chose lr 1e-3 over 2e-4 for lsgan and pack 2 over pack 4;
# the WGANs take Gulrajani et al.'s toy settings (5 D steps, Adam 1e-4, betas 0.5/0.9).
REMEDIES = {
    "bce": remedy(GANOptions()),
    "saturating": remedy(GANOptions(loss="saturating")),
    "lsgan": remedy(GANOptions(loss="lsgan")),
    "hinge+sn": remedy(GANOptions(loss="hinge", spectral_norm=True)),
    "wgan-clip": remedy(GANOptions(loss="wgan-clip", n_critic=5), lr_d=1e-4, lr_g=1e-4, betas=(0.5, 0.9)),
    "wgan-gp": remedy(GANOptions(loss="wgan-gp", n_critic=5), lr_d=1e-4, lr_g=1e-4, betas=(0.5, 0.9)),
    "r1": remedy(GANOptions(r1=1.0)),
    "pack": remedy(GANOptions(pack=2)),
    "mbstd": remedy(GANOptions(minibatch_std=True)),
    "lsgan+pack": remedy(GANOptions(loss="lsgan", pack=2)),
    # second tries for the two that the first settings left collapsed (the ring only, docs/objectives.md)
    "wgan-gp-1e-3": remedy(GANOptions(loss="wgan-gp", n_critic=5), lr_d=1e-3, lr_g=1e-3, betas=(0.5, 0.9)),
    "hinge+sn-ttur": remedy(GANOptions(loss="hinge", spectral_norm=True), lr_d=4e-3, lr_g=1e-3),
    # four times as long: the best of the ring for the grid, WGAN-GP for the ring (docs/objectives.md)
    "lsgan-20k": remedy(GANOptions(loss="lsgan"), steps=20000),
    "lsgan-20k-lr2e-4": remedy(GANOptions(loss="lsgan"), lr_d=2e-4, lr_g=2e-4, steps=20000),
    "lsgan+pack-20k": remedy(GANOptions(loss="lsgan", pack=2), steps=20000),
    "wgan-gp-20k": remedy(GANOptions(loss="wgan-gp", n_critic=5), lr_d=1e-4, lr_g=1e-4, betas=(0.5, 0.9), steps=20000),
}
COST_STEPS = 200  # G steps timed (CPU time of this process alone) for each remedy's cost per step
DATA = {"ring": GaussianRing, "grid": GaussianGrid}
RECORDS = 20  # coverage measured about this often per run: the table needs only the last


def run_one(job):
    """One training run; returns its numbers and final samples (no history)."""
    name, data_name, seed, steps_scale = job
    settings = REMEDIES[name]
    steps = max(1, round(settings["steps"] * steps_scale))
    start, cpu_start = time.perf_counter(), time.process_time()
    run = fit_gaussian_ring(steps=steps, seed=seed, options=settings["options"], lr_d=settings["lr_d"],
                            lr_g=settings["lr_g"], betas=settings["betas"], data=DATA[data_name](),
                            log=lambda line: None, log_every=steps, records=RECORDS)
    summary = run.summary
    return {"remedy": name, "data": data_name, "seed": seed, "steps": steps, "label": settings["options"].label(),
            "lr_d": settings["lr_d"], "lr_g": settings["lr_g"], "betas": list(settings["betas"]),
            "modes_covered": summary["modes_covered"],
            "num_modes": summary["num_modes"], "high_quality_share": summary["high_quality_share"],
            "distance_to_data": summary["distance_to_data"], "train_seconds": summary["train_seconds"],
            "seconds": time.perf_counter() - start, "cpu_seconds": time.process_time() - cpu_start,
            "samples": run.stages[-1]["samples"].tolist()}


def cost_per_step(name):
    """CPU milliseconds per G step (with its D steps and penalties) of a remedy on the ring, one BLAS thread:
    the training steps alone, without the measurements."""
    settings = REMEDIES[name]
    rng = np.random.default_rng(0)
    gan = build_gan(lambda: MLPGenerator(2, NOISE_DIM, hidden=HIDDEN),
                    lambda **d_options: MLPDiscriminator(2, hidden=HIDDEN, **d_options), "adam", 1e-3, 0, "numpy",
                    settings["options"], rng, settings["lr_d"], settings["lr_g"], settings["betas"])
    start = time.process_time()
    for _ in training_steps(gan, GaussianRing().sample, NOISE_DIM, 256, COST_STEPS, rng, "numpy"):
        pass
    return 1000 * (time.process_time() - start) / COST_STEPS


def median_run(runs):
    """The run whose modes covered (then distance) is the median of its group."""
    ordered = sorted(runs, key=lambda run: (run["modes_covered"], -run["distance_to_data"]))
    return ordered[(len(ordered) - 1) // 2]


def table(results):
    """Markdown: one row per remedy, per data set the medians over the seeds."""
    lines = ["| remedy | settings | data | modes covered (each seed) | median modes | median high-quality share | "
             "median distance to data | CPU ms per G step |", "|---|---|---|---|---|---|---|---|"]
    costs = {name: cost_per_step(name) for name in REMEDIES if any(r["remedy"] == name for r in results)}
    for name in REMEDIES:
        for data_name in DATA:
            runs = sorted((r for r in results if r["remedy"] == name and r["data"] == data_name),
                          key=lambda run: run["seed"])
            if not runs:
                continue
            first = runs[0]
            settings = (f"{first['label']}, lr D {first['lr_d']:g} G {first['lr_g']:g}, betas {first['betas'][0]:g}/"
                        f"{first['betas'][1]:g}, {first['steps']} G steps")
            lines.append(
                f"| {name} | {settings} | {data_name} | {', '.join(str(r['modes_covered']) for r in runs)} "
                f"| {statistics.median(r['modes_covered'] for r in runs):g}/{first['num_modes']} "
                f"| {100 * statistics.median(r['high_quality_share'] for r in runs):.1f}% "
                f"| {statistics.median(r['distance_to_data'] for r in runs):.3f} | {costs[name]:.1f} |")
    return "\n".join(lines) + "\n"


def figure(results, path, columns=8):
    """Final samples of the median seed of each remedy and data set, `columns` panels a row."""
    panels = [(name, data_name) for name in REMEDIES for data_name in DATA
              if any(r["remedy"] == name and r["data"] == data_name for r in results)]
    rows = -(-len(panels) // columns)
    plot = Figure(figsize=(2.2 * columns, 2.5 * rows), layout="constrained")
    axes = plot.subplots(rows, columns, squeeze=False).ravel()
    for axis, (name, data_name) in zip(axes, panels):
        data = DATA[data_name]()
        limit = 1.4 * np.abs(data.centres).max()
        run = median_run([r for r in results if r["remedy"] == name and r["data"] == data_name])
        axis.scatter(*np.array(run["samples"]).T, s=1, alpha=0.3, color="tab:orange")
        axis.scatter(*data.centres.T, s=8, color="black", marker="x")
        axis.set(xlim=(-limit, limit), ylim=(-limit, limit), aspect="equal", xticks=[], yticks=[])
        axis.set_title(f"{name}, {data_name}\n{run['modes_covered']}/{run['num_modes']} modes (seed {run['seed']})",
                       fontsize="small")
    for axis in axes[len(panels):]:
        axis.set_visible(False)
    plot.suptitle("Final samples (orange) of the median seed; black crosses: the modes' centres")
    with atomic_write(path, "wb") as file:
        plot.savefig(file, format="png", dpi=80)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=5, help="seeds 0 .. N-1 per remedy and data set (default 5)")
    parser.add_argument("--only", help="comma-separated remedies (default: all of REMEDIES)")
    parser.add_argument("--data", default="ring,grid", help="comma-separated data sets (default ring,grid)")
    parser.add_argument("--steps-scale", type=float, default=1.0, help="multiply every run's steps (default 1)")
    parser.add_argument("--jobs", type=int, default=1, help="runs side by side (default 1)")
    parser.add_argument("--out", default="runs/mode_collapse_lab", help="output folder")
    parser.add_argument("--report", action="store_true",
                        help="train nothing: write table.md and samples.png from the results.json in --out "
                             "(without --report, the runs already in that file are kept and not run again)")
    args = parser.parse_args()
    names = args.only.split(",") if args.only else list(REMEDIES)
    unknown = [name for name in names if name not in REMEDIES] + [d for d in args.data.split(",") if d not in DATA]
    if unknown:
        parser.error(f"unknown remedy or data set {', '.join(unknown)}; expected some of "
                     f"{', '.join(REMEDIES)} and {', '.join(DATA)}")
    os.makedirs(args.out, exist_ok=True)
    # data set by data set, seed by seed: a stopped lab has every remedy on the ring's first seeds
    jobs = [(name, data_name, seed, args.steps_scale) for data_name in args.data.split(",")
            for seed in range(args.seeds) for name in names]
    results = []
    if os.path.exists(os.path.join(args.out, "results.json")):  # a lab stopped half way goes on where it was
        with open(os.path.join(args.out, "results.json")) as file:
            results = json.load(file)
        done = {(result["remedy"], result["data"], result["seed"]) for result in results}
        jobs = [job for job in jobs if job[:3] not in done]
    if args.report:
        jobs = []
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        for result in pool.map(run_one, jobs):
            results.append(result)
            print(f"{result['remedy']:<11} {result['data']:<5} seed {result['seed']}: {result['modes_covered']:>2}/"
                  f"{result['num_modes']} modes, {100 * result['high_quality_share']:5.1f}% high quality, "
                  f"distance {result['distance_to_data']:.3f}, {result['seconds']:.0f} s", flush=True)
            write_json(os.path.join(args.out, "results.json"), results)
    text = table(results)
    with atomic_write(os.path.join(args.out, "table.md"), "w") as file:
        file.write(text)
    figure(results, os.path.join(args.out, "samples.png"))
    print(text)
    print(json.dumps({"runs": len(results), "out": args.out}))


if __name__ == "__main__":
    main()
