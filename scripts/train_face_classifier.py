"""Train the face attribute classifier of the face benchmark and write its weights (nanogan/models/weights/).

    python scripts/train_face_classifier.py --image-size 32
    python scripts/train_face_classifier.py --image-size 64

Trains on synthetic faces of seed 1000, tests on the first --n-test faces of seed 1001 (no DCGAN run trains on
either), prints each attribute's test accuracy and writes the weights, with that accuracy and these settings,
to --out (default: the file nanogan.models.face_classifier.load_face_classifier reads).
"""

import argparse
import time

from nanogan.blas import use_short_blas_spin

use_short_blas_spin()  # before NumPy loads OpenBLAS: nanogan/blas.py says why

from nanogan.cli import add_backend_argument, positive_float, positive_int, require_backend  # noqa: E402
from nanogan.models.face_classifier import weights_path  # noqa: E402
from nanogan.models.face_classifier_training import (fit_face_classifier, save_face_classifier,  # noqa: E402
                                                     held_out_accuracy)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--image-size", type=positive_int, default=32, help="32 or 64 (default 32)")
    parser.add_argument("--n-train", type=positive_int, default=30_000, help="training faces (default 30000)")
    parser.add_argument("--n-test", type=positive_int, default=5_000, help="test faces (default 5000)")
    parser.add_argument("--epochs", type=positive_int, default=15, help="passes over the training faces (default 15)")
    parser.add_argument("--width", type=positive_int, default=32, help="channels of the first layer (default 32)")
    parser.add_argument("--lr", type=positive_float, default=2e-3, help="Adam's learning rate (default 2e-3)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the weights and the batch order (default 0)")
    add_backend_argument(parser)
    parser.add_argument("--out", help="weights file (default: the package's, for this image size)")
    args = parser.parse_args()
    require_backend(args.backend, tf32=args.tf32)
    settings = {"image_size": args.image_size, "n_train": args.n_train, "epochs": args.epochs, "width": args.width,
                "lr": args.lr, "seed": args.seed}
    start = time.perf_counter()
    model = fit_face_classifier(**settings, backend=args.backend)
    seconds = time.perf_counter() - start
    accuracy = held_out_accuracy(model, args.n_test)
    print(f"trained in {seconds:.0f} s; test accuracy on {args.n_test:,} held-out faces: "
          + "  ".join(f"{name} {100 * share:.2f}%" for name, share in accuracy.items()))
    path = save_face_classifier(model, args.out or weights_path(args.image_size), accuracy,
                                {**settings, "train_seconds": seconds, "n_test": args.n_test})
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
