"""The face benchmark's table: modes covered, KL and domain FID against training steps, for the DCGAN
trained on the synthetic faces, with the held-out real faces' figures as the ceiling (docs/face-benchmark.md).

    python scripts/face_benchmark_table.py --image-size 32 --steps 3000 --eval-every 500
    python scripts/face_benchmark_table.py --image-size 64 --steps 1500 --eval-every 250 --batch-size 64 --width 32 \
        -- --loss hinge --spectral-norm

Arguments after -- go to the training program as they are (an objective, learning rates: --help there).

Trains with examples/celeba_dcgan.py's program (--data synthetic --eval-features faces), so every row
is what that program writes to metrics.jsonl; prints the table as Markdown and writes it, with the
ceiling, to --out/face_benchmark.json.
"""

import argparse
import json
import os
import time

from nanogan.blas import use_short_blas_spin

use_short_blas_spin()  # before NumPy loads OpenBLAS: nanogan/blas.py says why

from nanogan.cli import positive_int, prepare_output_dir  # noqa: E402
from nanogan.dcgan.cli import main as train_program  # noqa: E402
from nanogan.files import write_json  # noqa: E402
from nanogan.metrics.faces import face_extractor, real_faces  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--image-size", type=positive_int, default=32, help="32 or 64 (default 32)")
    parser.add_argument("--steps", type=positive_int, default=3000, help="training steps (default 3000)")
    parser.add_argument("--eval-every", type=positive_int, default=500, help="steps between evaluations")
    parser.add_argument("--eval-n", type=positive_int, default=2000, help="samples per evaluation (default 2000)")
    parser.add_argument("--batch-size", type=positive_int, default=128, help="images per step (default 128)")
    parser.add_argument("--width", type=positive_int, default=64,
                        help="ngf and ndf, the networks' widths (default 64, the PyTorch tutorial's)")
    parser.add_argument("--out", default="runs/face_benchmark", help="output folder (default runs/face_benchmark)")
    parser.add_argument("training", nargs=argparse.REMAINDER,
                        help="after --: more options of the training program, e.g. -- --loss hinge --spectral-norm")
    args = parser.parse_args()
    training_options = args.training[1:] if args.training[:1] == ["--"] else args.training
    out = prepare_output_dir(os.path.join(args.out, f"{args.image_size}px"))
    start = time.perf_counter()
    train_program(["--data", "synthetic", "--image-size", str(args.image_size), "--batch-size", str(args.batch_size),
                   "--ngf", str(args.width), "--ndf", str(args.width), "--max-steps", str(args.steps),
                   "--eval-every", str(args.eval_every), "--eval-n", str(args.eval_n),
                   "--eval-features", "faces", "--sample-every", str(args.eval_every), "--no-progress",
                   "--out", out, *training_options])
    seconds = time.perf_counter() - start
    rows = [record for record in map(json.loads, open(os.path.join(out, "metrics.jsonl"))) if "modes_covered" in record]
    _, real = real_faces(args.image_size, face_extractor(args.image_size), args.eval_n, progress=False)
    lines = ["| step | modes covered (of 208) | KL | domain FID |", "|---|---|---|---|"]
    lines += [f"| {row['step']} | {row['modes_covered']} | {row['kl']:.3f} | {row['domain_fid']:.2f} |" for row in rows]
    lines.append(f"| held-out real faces | {real['modes_covered']} | {real['kl']:.3f} | {real['domain_fid']:.2f} |")
    print("\n".join(lines))
    write_json(os.path.join(out, "face_benchmark.json"),
               {"settings": vars(args), "rows": rows, "real": real, "train_seconds": seconds})


if __name__ == "__main__":
    main()
