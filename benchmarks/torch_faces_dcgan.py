"""The PyTorch tutorial's DCGAN on nanogan's synthetic faces, in PyTorch: does its discriminator win at once?

    python benchmarks/torch_faces_dcgan.py --image-size 64 --batch-size 64 --steps 200

docs/face-benchmark.md found that the DCGAN with the tutorial's BCE recipe does not learn the synthetic
faces at 64x64 in nanogan: D(G(z)) falls to about 1e-16 within 100 steps and G draws noise. This runs
the same models (nanogan's initial weights, rebuilt in torch.nn), the same Adam and nanogan's training
step in PyTorch (benchmarks/dcgan_workload.py's TorchTrainer) on the same faces, and prints D's mean
outputs every --every steps, to tell the recipe's failure on these faces from a fault of nanogan's.
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dcgan_workload import NZ, TorchTrainer, layer_specs, make_nanogan_models  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--image-size", type=int, default=64, help="32 or 64 (default 64)")
    parser.add_argument("--batch-size", type=int, default=64, help="images per step (default 64)")
    parser.add_argument("--steps", type=int, default=200, help="training steps (default 200)")
    parser.add_argument("--every", type=int, default=20, help="steps between printed lines (default 20)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the weights, batches and noise (default 0)")
    args = parser.parse_args()

    import numpy as np
    import torch

    from nanogan.data import synthetic_faces

    torch.manual_seed(args.seed)
    models = {name: (layer_specs(model), model.state_dict())
              for name, model in zip("GD", make_nanogan_models(args.image_size, args.seed))}
    trainer = TorchTrainer(args.image_size, args.batch_size, args.seed, models)  # nanogan's train_step, in PyTorch
    faces = synthetic_faces(10000, args.image_size, seed=0)  # the DCGAN program's --data synthetic
    rng = np.random.default_rng(args.seed)
    start = time.perf_counter()
    for step in range(1, args.steps + 1):
        real = torch.from_numpy(faces[rng.integers(0, len(faces), args.batch_size)].astype(np.float32) / 127.5 - 1)
        _, loss_g, (d_real, d_fake) = trainer.train_on(real, torch.randn(args.batch_size, NZ, 1, 1))
        if step % args.every == 0:
            print(f"step {step:4d}  D(x) {d_real.mean().item():.4f}  D(G(z)) {d_fake.mean().item():.3g}  "
                  f"G loss {loss_g.item():.3f}  ({time.perf_counter() - start:.0f} s)", flush=True)


if __name__ == "__main__":
    main()
