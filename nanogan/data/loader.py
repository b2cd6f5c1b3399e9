"""BatchLoader: shuffled minibatches of uint8 images, scaled to [-1, 1], exactly resumable.

    loader = BatchLoader(dataset.images, batch_size=128, seed=0)
    while loader.epoch < epochs:
        real = loader.next_batch("cupy")  # float32 (128, 3, 64, 64) in [-1, 1], on the GPU

Each epoch visits the images in a new order: the permutation of epoch e is drawn
from a NumPy Generator seeded with (seed, e). The loader's whole state is
therefore a few integers (seed, epoch, position), which a checkpoint stores, and
a loader restored from them yields exactly the batches the original would have.
"""

from numbers import Integral

import numpy as np

from ..backend import to_backend

STATE_KEYS = ("seed", "epoch", "position", "num_images", "batch_size", "drop_last")


class BatchLoader:
    """Batches of `batch_size` images drawn without replacement, reshuffled every epoch.

    images: uint8 (N, C, H, W), in memory or memory-mapped
    drop_last: leave out the last, smaller batch of each epoch (as the DCGAN tutorial does)
    epoch: how many epochs are complete, the epoch the next batch comes from
    position: how many batches of the current epoch have been drawn
    """

    def __init__(self, images, batch_size, seed, drop_last=True):
        if images.dtype != np.uint8 or images.ndim < 2:
            raise ValueError(f"BatchLoader: expected uint8 images (N, C, H, W), got {images.dtype} {images.shape}")
        if not isinstance(batch_size, Integral) or batch_size < 1:
            raise ValueError(f"BatchLoader: expected batch_size to be a positive integer, got {batch_size!r}")
        if batch_size > len(images):
            raise ValueError(
                f"BatchLoader: batch_size {batch_size} is larger than the dataset ({len(images)} images); "
                f"use a batch size of at most {len(images)}"
            )
        if not isinstance(seed, Integral) or seed < 0:
            raise ValueError(f"BatchLoader: expected seed to be an integer >= 0, got {seed!r}")
        self.images = images
        self.batch_size = int(batch_size)
        self.seed = int(seed)
        self.drop_last = bool(drop_last)
        self.num_images = len(images)
        full_batches, remainder = divmod(self.num_images, self.batch_size)
        self.batches_per_epoch = full_batches + (1 if remainder and not self.drop_last else 0)
        self.epoch = 0
        self.position = 0
        self._order = self._permutation(self.epoch)

    def _permutation(self, epoch):
        """The order in which epoch `epoch` visits the images: (N,) indices."""
        return np.random.default_rng([self.seed, epoch]).permutation(self.num_images)

    def next_batch(self, backend="numpy", dtype=np.float32):
        """The next batch, (batch_size, C, H, W) on `backend` in `dtype`, scaled to [-1, 1].

        After the last batch of an epoch, `epoch` goes up by one and the images are reshuffled.
        """
        start = self.position * self.batch_size
        batch = self.images[self._order[start:start + self.batch_size]]  # uint8, a copy, where the images are
        self.position += 1
        if self.position == self.batches_per_epoch:
            self.epoch += 1
            self.position = 0
            self._order = self._permutation(self.epoch)
        batch = to_backend(batch, backend, dtype)  # moves the uint8 bytes (if not there yet), then casts
        batch /= 127.5  # x / 127.5 - 1: 0 -> -1.0, 255 -> 1.0
        batch -= 1.0
        return batch

    def to(self, backend):
        """Keep the images on `backend` (a GPU), uploaded once as uint8: every batch is then
        cut and scaled there, with no host-to-device copy per step. Returns self."""
        self.images = to_backend(self.images, backend)
        return self

    def state_dict(self):
        """Where the loader stands, as plain integers: enough for `load_state_dict` to resume exactly."""
        return {"seed": self.seed, "epoch": self.epoch, "position": self.position,
                "num_images": self.num_images, "batch_size": self.batch_size, "drop_last": int(self.drop_last)}

    def load_state_dict(self, state):
        """Continue from a `state_dict()`, taken from a loader over the same number of images and batch size.

        Accepts the integers as Python ints or 0-d arrays (as read back from an .npz).
        """
        missing = [key for key in STATE_KEYS if key not in state]
        if missing:
            raise ValueError(
                f"BatchLoader.load_state_dict: the state lacks {', '.join(missing)}; expected {', '.join(STATE_KEYS)}"
            )
        for key in ("num_images", "batch_size", "drop_last"):
            if int(state[key]) != int(getattr(self, key)):
                raise ValueError(
                    f"BatchLoader.load_state_dict: the state was saved with {key}={int(state[key])}, this loader has "
                    f"{key}={int(getattr(self, key))}; resume with the same dataset and batch size"
                )
        position = int(state["position"])
        if not 0 <= position < self.batches_per_epoch:
            raise ValueError(
                f"BatchLoader.load_state_dict: expected position in [0, {self.batches_per_epoch}), got {position}"
            )
        self.seed = int(state["seed"])
        self.epoch = int(state["epoch"])
        self.position = position
        self._order = self._permutation(self.epoch)
