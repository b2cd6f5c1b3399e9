"""The mode-collapse lab on the synthetic faces: each objective and regulariser trains the same small 32x32
DCGAN over several seeds, judged by the face benchmark (docs/face-benchmark.md): modes covered of 208, KL
to the true mode distribution, domain FID, and the CPU cost of a G step.

    nice -n 10 python benchmarks/face_objectives.py --out runs/face_objectives
    python benchmarks/face_objectives.py --seeds 1 --steps 100 --only bce,lsgan   # a quick look

The toy half of the lab is benchmarks/mode_collapse_lab.py; docs/objectives.md shows both tables. Every
remedy trains DCGANTrainer (nanogan/dcgan/trainer.py) with the settings below, which are those of
tests/test_face_quality.py (widths 16, batch 32, Adam 1e-3), 500 G steps; the Wasserstein critics take
Gulrajani et al.'s 5 D steps and Adam 1e-4 with beta1 0.5. Writes results.json (every run, with its
wall-clock training time) and table.md (the medians) into --out; a stopped lab goes on where it was,
and one whose runs are all done writes the table again.
"""

import argparse
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from nanogan.blas import use_short_blas_spin  # noqa: E402

use_short_blas_spin()  # before NumPy loads OpenBLAS: nanogan/blas.py says why

from nanogan.data import synthetic_faces  # noqa: E402
from nanogan.dcgan.trainer import DCGANConfig, DCGANTrainer  # noqa: E402
from nanogan.files import atomic_write, write_json  # noqa: E402
from nanogan.metrics.faces import face_extractor, face_figures, measure_faces, real_faces  # noqa: E402
from nanogan.metrics.sources import GeneratorSource  # noqa: E402

BASE = dict(image_size=32, nz=64, ngf=16, ndf=16, batch_size=32, lr=1e-3)
WASSERSTEIN = dict(n_critic=5, lr=1e-4, beta1=0.5)
REMEDIES = {
    "bce": {},
    "lsgan": dict(loss="lsgan"),
    "hinge+sn": dict(loss="hinge", spectral_norm=True),
    "wgan-gp": dict(loss="wgan-gp", **WASSERSTEIN),
    "r1": dict(r1=1.0),
    "pack": dict(pack=2),
    "mbstd": dict(minibatch_std=True),
}
TRAINING_FACES = 10000  # seed 0, as the DCGAN program's --data synthetic
EVAL_BATCH = 100
COST_STEPS = 20  # G steps timed (CPU time of this process) for each remedy's cost per step


def run_one(name, seed, steps, faces, extractor, real, samples):
    """Train one remedy for `steps` G steps and measure its samples against the held-out faces."""
    config = DCGANConfig(**{**BASE, **REMEDIES[name], "seed": seed})
    trainer = DCGANTrainer(config, faces)
    start = time.perf_counter()
    for _ in range(steps):
        trainer.train_step()
    seconds = time.perf_counter() - start
    fake = measure_faces(GeneratorSource(trainer.generator, [0, 3]), extractor, samples, EVAL_BATCH, progress=False)
    figures = face_figures(fake, real)
    return {"remedy": name, "seed": seed, "steps": steps, "label": config.options().label(),
            "modes_covered": figures["modes_covered"], "kl": figures["kl"], "domain_fid": figures["domain_fid"],
            "train_seconds": seconds}


def cost_per_step(name, faces):
    """CPU milliseconds per G step (with its D steps and penalties) of a remedy, after one untimed step: the
    runs' wall-clock times are not comparable on a shared machine, a process's CPU time is."""
    trainer = DCGANTrainer(DCGANConfig(**{**BASE, **REMEDIES[name]}), faces)
    trainer.train_step()
    start = time.process_time()
    for _ in range(COST_STEPS):
        trainer.train_step()
    return 1000 * (time.process_time() - start) / COST_STEPS


def table(results, ceiling, faces):
    """Markdown: one row per remedy, the medians over its seeds, and the held-out real faces last."""
    lines = ["| remedy | settings | modes covered (each seed) | median modes | median KL | median domain FID "
             "| CPU ms per G step |", "|---|---|---|---|---|---|---|"]
    for name in REMEDIES:
        runs = sorted((r for r in results if r["remedy"] == name), key=lambda run: run["seed"])
        if not runs:
            continue
        median = {key: statistics.median(r[key] for r in runs) for key in ("modes_covered", "kl", "domain_fid")}
        settings = {**BASE, **REMEDIES[name]}
        lines.append(f"| {name} | {runs[0]['label']}, Adam {settings['lr']:g}, {runs[0]['steps']} G steps "
                     f"| {', '.join(str(r['modes_covered']) for r in runs)} | {median['modes_covered']:g} "
                     f"| {median['kl']:.3f} | {median['domain_fid']:.1f} | {cost_per_step(name, faces):.0f} |")
    lines.append(f"| held-out real faces | | {ceiling['modes_covered']} | | {ceiling['kl']:.3f} "
                 f"| {ceiling['domain_fid']:.1f} | |")
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=3, help="seeds 0 .. N-1 per remedy (default 3)")
    parser.add_argument("--steps", type=int, default=500, help="G steps per run (default 500)")
    parser.add_argument("--samples", type=int, default=1000, help="samples and held-out faces measured (default 1000)")
    parser.add_argument("--only", help="comma-separated remedies (default: all of REMEDIES)")
    parser.add_argument("--out", default="runs/face_objectives", help="output folder")
    args = parser.parse_args()
    names = args.only.split(",") if args.only else list(REMEDIES)
    unknown = [name for name in names if name not in REMEDIES]
    if unknown:
        parser.error(f"unknown remedy {', '.join(unknown)}; expected some of {', '.join(REMEDIES)}")
    os.makedirs(args.out, exist_ok=True)
    results_path = os.path.join(args.out, "results.json")
    results = json.load(open(results_path)) if os.path.exists(results_path) else []
    done = {(r["remedy"], r["seed"], r["steps"]) for r in results}
    faces = synthetic_faces(TRAINING_FACES, 32, seed=0)
    extractor = face_extractor(32)
    real, ceiling = real_faces(32, extractor, args.samples, EVAL_BATCH, progress=False)
    for seed in range(args.seeds):  # seed by seed: a stopped lab has every remedy's first seeds
        for name in names:
            if (name, seed, args.steps) in done:
                continue
            result = run_one(name, seed, args.steps, faces, extractor, real, args.samples)
            results.append(result)
            print(f"{name:<9} seed {seed}: {result['modes_covered']:>3}/208 modes, KL {result['kl']:.3f}, "
                  f"domain FID {result['domain_fid']:.1f}, {result['train_seconds']:.0f} s", flush=True)
            write_json(results_path, results)
    text = table([r for r in results if r["steps"] == args.steps], ceiling, faces)
    with atomic_write(os.path.join(args.out, "table.md"), "w") as file:
        file.write(text)
    print(text)


if __name__ == "__main__":
    main()
