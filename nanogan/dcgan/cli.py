"""Train a DCGAN on CelebA faces (or nanogan's built-in synthetic faces) and sample from it.

    python examples/celeba_dcgan.py --backend cupy                       # CelebA on a GPU
    python examples/celeba_dcgan.py --image-size 32 --max-steps 300      # a short CPU run
    python examples/celeba_dcgan.py --resume runs/celeba_dcgan/checkpoint.npz
    python examples/celeba_dcgan.py --generate runs/celeba_dcgan/checkpoint.npz --n 64 --out grid.png
    python examples/celeba_dcgan.py --eval-every 500 --eval-n 1000         # FID and KID as it trains
    python examples/celeba_dcgan.py --generate runs/celeba_dcgan/checkpoint.npz --export G.safetensors

(`python -m nanogan.dcgan ...` is the same program.) Without --data it looks
for CelebA in data/celeba/ and otherwise trains on a synthetic face dataset
that nanogan draws itself (and says so).
"""

import argparse
import importlib.util
import sys
import warnings
from dataclasses import fields

from .. import data
from ..cli import (add_backend_argument, fail, nonnegative_float, nonnegative_int, positive_float, positive_int,
                   prepare_output_dir, require_backend, unit_interval_float)
from ..io import WeightsError, save_safetensors
from ..io.safetensors_file import INSTALL_HINT
from ..objectives import LOSSES
from ..io.checkpoint import CheckpointError
from ..metrics import EvaluationError, load_inception
from ..metrics.faces import face_extractor
from .evaluation import FaceEvaluation, TrainingEvaluation
from .run import TrainingDiverged, checkpoint_path, generate, train
from .trainer import ARCHITECTURE, DCGANConfig, DCGANTrainer, load_generator, read_config

# The DCGANConfig fields that are command-line options (--image-size ...), with the values each accepts
# (argparse's type, choices or a flag's action); defaults and help come from DCGANConfig itself.
TRAINING_SETTINGS = {
    "image_size": {"type": positive_int}, "nz": {"type": positive_int}, "ngf": {"type": positive_int},
    "ndf": {"type": positive_int}, "batch_size": {"type": positive_int}, "lr": {"type": positive_float},
    "beta1": {"type": unit_interval_float}, "seed": {"type": nonnegative_int},
    "loss": {"choices": LOSSES}, "r1": {"type": nonnegative_float, "metavar": "GAMMA"},
    "spectral_norm": {"action": "store_true"}, "pack": {"type": positive_int, "metavar": "M"},
    "minibatch_std": {"action": "store_true"}, "n_critic": {"type": positive_int, "metavar": "K"},
    "lr_d": {"type": positive_float}, "lr_g": {"type": positive_float},
}


def build_parser():
    """The program's argparse parser; defaults and help of the training settings come from DCGANConfig."""
    parser = argparse.ArgumentParser(prog="celeba_dcgan.py", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", help="img_align_celeba/ folder, img_align_celeba.zip, or 'synthetic' "
                                       "(default: CelebA in data/celeba/ if present, else synthetic)")
    parser.add_argument("--cache-dir", help="where preprocessed images are cached (default: see nanogan.data)")
    parser.add_argument("--limit", type=positive_int, help="use only the first N images")
    for setting in fields(DCGANConfig):
        if setting.name in TRAINING_SETTINGS:
            # default None: an option given explicitly can then be told apart (it must agree with a resumed run)
            parser.add_argument(f"--{setting.name.replace('_', '-')}", default=None,
                                help=setting.metadata["help"] + _default_text(setting.default),
                                **TRAINING_SETTINGS[setting.name])
    parser.add_argument("--epochs", type=positive_int, default=5, help="passes over the data (default 5)")
    parser.add_argument("--max-steps", type=positive_int, help="stop after this many steps (overrides --epochs)")
    add_backend_argument(parser)
    parser.add_argument("--out", help="output folder (default runs/celeba_dcgan); with --generate, the PNG file "
                                      "(default grid.png)")
    parser.add_argument("--log-every", type=positive_int, default=50, help="steps between metrics (default 50)")
    parser.add_argument("--sample-every", type=positive_int, default=500, help="steps between sample grids")
    parser.add_argument("--checkpoint-every", type=positive_int, default=500, help="steps between checkpoints")
    parser.add_argument("--resume", metavar="CHECKPOINT", help="continue the run saved in CHECKPOINT")
    parser.add_argument("--generate", metavar="CHECKPOINT", help="only sample from CHECKPOINT's generator")
    parser.add_argument("--n", type=positive_int, default=64, help="with --generate: how many samples (default 64)")
    parser.add_argument("--eval-every", type=positive_int, metavar="N",
                        help="every N steps, FID and KID of the generator's samples against the training images, "
                             "into metrics.jsonl and losses.png (needs the FID Inception weights; docs/evaluation.md)")
    parser.add_argument("--eval-n", type=positive_int, default=1000, metavar="M",
                        help="with --eval-every: samples and training images per evaluation (default 1000)")
    parser.add_argument("--eval-features", choices=("inception", "faces"), default="inception",
                        help="with --eval-every: inception (FID and KID), or faces (the face benchmark's modes "
                             "covered, KL and domain FID; for --data synthetic, needs no weights file)")
    parser.add_argument("--inception-weights", metavar="PATH",
                        help="pytorch-fid's Inception weights file (default: where docs/evaluation.md says)")
    parser.add_argument("--export", metavar="FILE.safetensors",
                        help="also write the generator's weights to FILE, which the PyTorch DCGAN tutorial's Generator "
                             "loads (safetensors.torch.load_file): at the end of training, or with --generate, the "
                             "checkpoint's; needs the safetensors package")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    return parser


def _default_text(default):
    """" (default 64)" for a help text; nothing for a flag (False) or a default that the help states (None)."""
    if default is None or default is False:
        return ""
    return f" (default {default:g})" if isinstance(default, (int, float)) else f" (default {default})"


def export_generator(generator, path):
    """Write the generator's state dict as safetensors (PyTorch's names and layouts), or exit 2 saying why not."""
    try:
        save_safetensors(generator.state_dict(), path, metadata={"format": "nanogan DCGAN generator",
                                                                 "architecture": generator.extra_repr()})
    except (WeightsError, OSError) as error:
        fail(f"cannot export the generator to {path}: {error}")
    print(f"wrote the generator's weights to {path}")


def run_generate(args):
    """--generate: load the generator from any weights file that load_generator reads, write a grid and a strip."""
    require_backend(args.backend, tf32=args.tf32)
    try:
        generator, _ = load_generator(args.generate, backend=args.backend)
    except CheckpointError as error:
        fail(str(error))
    grid, strip = generate(generator, args.n, args.out or "grid.png", seed=args.seed or 0)
    print(f"wrote {grid} and {strip}")
    if args.export:
        export_generator(generator, args.export)
    return 0


def new_config(args):
    """The DCGANConfig of a new run: the options given, the defaults for the rest."""
    explicit = {name: getattr(args, name) for name in TRAINING_SETTINGS if getattr(args, name) is not None}
    try:
        return DCGANConfig(**explicit, backend=args.backend)
    except ValueError as error:
        fail(str(error))


def resumed_config(args):
    """The checkpoint's config; an explicit option that contradicts it is an error, since the
    saved weights and state depend on it."""
    try:
        config = read_config(args.resume)
    except CheckpointError as error:
        fail(str(error))
    for name in TRAINING_SETTINGS:
        value = getattr(args, name)
        if value is not None and value != getattr(config, name):
            kind = "architecture" if name in ARCHITECTURE else "setting"
            fail(f"--{name.replace('_', '-')} {value} conflicts with the checkpoint's {kind} "
                 f"({name} = {getattr(config, name)}); drop the option to resume, or start a new run")
    return config


def build_trainer(args, config, dataset):
    """A new DCGANTrainer, or the one saved in --resume; exit 2 with the reason when it cannot be built."""
    try:
        if args.resume:
            return DCGANTrainer.from_checkpoint(args.resume, dataset.images, backend=args.backend)
        return DCGANTrainer(config, dataset.images)
    except (CheckpointError, ValueError) as error:
        fail(str(error))


def build_evaluation(args, config, dataset, extractor):
    """The TrainingEvaluation that --eval-every asks for (None without it), its real side measured."""
    if args.eval_every is None:
        return None
    if args.eval_n < 2:
        fail(f"--eval-n must be at least 2 (a covariance needs two images), got {args.eval_n}")
    try:
        if args.eval_features == "faces":
            if dataset.is_celeba:
                fail("--eval-features faces judges a generator of nanogan's synthetic faces; train with "
                     "--data synthetic, or use --eval-features inception")
            return FaceEvaluation(extractor or face_extractor(config.image_size, config.backend), config.image_size,
                                  args.eval_every, args.eval_n, seed=config.seed, progress=not args.no_progress)
        extractor = extractor or load_inception(args.inception_weights, config.backend)
        return TrainingEvaluation(extractor, dataset, args.eval_every, args.eval_n,
                                  args.cache_dir or data.DEFAULT_CACHE_DIR, seed=config.seed,
                                  progress=not args.no_progress)
    except (EvaluationError, CheckpointError) as error:
        fail(str(error))


def one_line_warning(message, category, filename, lineno, line=None):
    """warnings.formatwarning for the command line: `warning: message`, without file and line."""
    return f"warning: {message}\n"


def main(argv=None, extractor=None):
    """The program: parse `argv` (sys.argv[1:] if None), train or generate; returns the exit code.

    extractor: the feature network of --eval-every (default: pytorch-fid's Inception, loaded on demand).
    """
    warnings.formatwarning = one_line_warning  # e.g. "warning: skipped 3 of 202599 image files ..."
    args = build_parser().parse_args(argv)
    if args.export and importlib.util.find_spec("safetensors") is None:  # said before training, not after
        fail(f"--export needs the safetensors package: {INSTALL_HINT}")
    if args.generate:
        return run_generate(args)
    require_backend(args.backend, tf32=args.tf32)
    out_dir = prepare_output_dir(args.out or "runs/celeba_dcgan")
    config = resumed_config(args) if args.resume else new_config(args)
    try:
        dataset = data.open_dataset(args.data, image_size=config.image_size, cache_dir=args.cache_dir,
                                    progress=not args.no_progress, limit=args.limit)
    except (data.DataError, ValueError) as error:
        fail(str(error))
    if not dataset.is_celeba:
        print(dataset.notice)
    trainer = build_trainer(args, config, dataset)
    evaluation = build_evaluation(args, trainer.config, dataset, extractor)
    max_steps = args.max_steps or args.epochs * trainer.loader.batches_per_epoch
    print(f"training on {len(dataset):,} images of {dataset.name} ({dataset.source}), "
          f"{config.image_size}x{config.image_size}, backend {trainer.config.backend}, "
          f"from step {trainer.step} to {max_steps}; output in {out_dir}")
    try:
        status = train(trainer, out_dir, max_steps, log_every=args.log_every, sample_every=args.sample_every,
                       checkpoint_every=args.checkpoint_every, progress=not args.no_progress, evaluation=evaluation)
    except TrainingDiverged as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if status == "interrupted":
        print(f"interrupted at step {trainer.step}; saved {checkpoint_path(out_dir)}; "
              f"continue with --resume {checkpoint_path(out_dir)}")
        return 130
    print(f"done: {trainer.step} steps; samples in {out_dir}/samples, curves in {out_dir}/losses.png, "
          f"checkpoint {checkpoint_path(out_dir)}")
    if args.export:
        export_generator(trainer.generator, args.export)
    return 0
