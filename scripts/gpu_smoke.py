"""The kernel-compilation smoke check of scripts/gpu_check.sh: a narrow 64x64 DCGAN trains
a few steps on the GPU, then samples in eval mode.

CuPy compiles each kernel on its first call, so the first training step and
the first sample compile every kernel that training and sampling use
(nanogan's own CUDA kernels, where it has them, and CuPy's elementwise and
reduction kernels); a kernel whose source does not compile fails here, with
the compiler's message, before the longer checks start.

    python scripts/gpu_smoke.py --json results/gpu_check/smoke.json     # on a GPU
    python scripts/gpu_smoke.py --backend strict --image-size 16        # a rehearsal on the CPU
"""

import argparse
import json
import math
import pathlib
import sys
import time

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parent.parent
BATCH_SIZE = 8
NZ, WIDTH = 100, 8  # the tutorial's noise length; ngf = ndf = 8, 8x narrower than its 64
STEPS = 3  # the first compiles; the others run compiled


def synchronize(xp):
    """Wait for the GPU to finish what was queued (a no-op off the GPU)."""
    if hasattr(xp, "cuda"):
        xp.cuda.get_current_stream().synchronize()


def run(backend, image_size):
    from nanogan import nn, optim
    from nanogan.backend import get_backend, to_backend
    from nanogan.models import Discriminator, Generator
    from nanogan.training import train_step

    xp = get_backend(backend)
    generator = Generator(nz=NZ, ngf=WIDTH, image_size=image_size).to(backend)
    discriminator = Discriminator(ndf=WIDTH, image_size=image_size).to(backend)
    g_optimizer = optim.Adam(generator.parameters(), lr=2e-4, betas=(0.5, 0.999))
    d_optimizer = optim.Adam(discriminator.parameters(), lr=2e-4, betas=(0.5, 0.999))
    rng = np.random.default_rng(0)
    real = to_backend(rng.uniform(-1, 1, (BATCH_SIZE, 3, image_size, image_size)), backend, np.float32)
    noise = to_backend(rng.standard_normal((BATCH_SIZE, NZ, 1, 1)), backend, np.float32)

    step_seconds = []
    for _ in range(STEPS):
        start = time.perf_counter()
        metrics = train_step(generator, discriminator, g_optimizer, d_optimizer, nn.BCELoss(), real, noise)
        synchronize(xp)
        step_seconds.append(time.perf_counter() - start)
    generator.eval()  # sampling: BatchNorm's running statistics, nothing saved for backward
    with nn.no_grad():
        samples = generator(noise)
    synchronize(xp)

    losses = metrics.to_host()
    problems = [f"{name} is {value}" for name, value in losses.items() if not math.isfinite(value)]
    dtypes = {str(parameter.dtype) for model in (generator, discriminator) for parameter in model.parameters()}
    if dtypes != {"float32"} or samples.dtype != np.float32:
        problems.append(f"expected float32 throughout, got parameters {sorted(dtypes)}, samples {samples.dtype}")
    return {
        "backend": backend, "image_size": image_size, "batch_size": BATCH_SIZE, "width": WIDTH,
        "first_step_seconds": step_seconds[0], "compiled_step_seconds": min(step_seconds[1:]),
        "losses": losses, "problems": problems, "passed": not problems,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backend", default="cupy", choices=["cupy", "numpy", "strict"],
                        help="cupy (default); numpy or strict rehearse the check on the CPU")
    parser.add_argument("--image-size", type=int, default=64, help="16, 32, 64, ... (default 64, as on CelebA)")
    parser.add_argument("--json", metavar="OUT", help="write the result to this JSON file")
    args = parser.parse_args(argv)
    if args.backend == "strict":
        sys.path.insert(0, str(ROOT / "tests"))
        import strict_backend  # noqa: F401  (registers the backend)

    result = run(args.backend, args.image_size)
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(result, indent=2) + "\n")
    print(f"smoke check on {args.backend}: first step {result['first_step_seconds']:.2f} s (compiling), "
          f"then {result['compiled_step_seconds'] * 1e3:.1f} ms a step; losses {result['losses']}")
    for problem in result["problems"]:
        print(f"PROBLEM: {problem}", file=sys.stderr)
    return 0 if result["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
