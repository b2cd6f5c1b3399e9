"""Minibatches of arrays, shuffled per epoch and exactly resumable: ArrayLoader, and BatchLoader for images.

    loader = ArrayLoader((points, labels), batch_size=64, seed=0)     # any float or integer arrays
    for x, y in loader:                                              # one epoch, as a DataLoader
        ...
    loader = BatchLoader(dataset.images, batch_size=128, seed=0)     # uint8 images
    real = loader.next_batch("cupy")  # float32 (128, 3, 64, 64) in [-1, 1], on the GPU

Each epoch visits the samples in a new order: the permutation of epoch e is drawn
from a NumPy Generator seeded with (seed, e). The loader's whole state is
therefore a few integers (seed, epoch, position, ...), which a checkpoint stores,
and a loader restored from them yields exactly the batches the original would have.
"""

from numbers import Integral

import numpy as np

from ..backend import to_backend
from ..random import default_generator


class ArrayLoader:
    """Batches of `batch_size` samples (the same rows of each array), drawn without replacement.

    arrays: one array (N, ...) or a tuple of arrays with the same N, of any dtype, in memory or
    memory-mapped; a batch is an array, or a tuple of arrays in the same order
    shuffle: a new order every epoch (False: storage order)
    seed: fixes every epoch's order; None draws one from nanogan's default generator (nanogan.manual_seed)
    drop_last: leave out the last, smaller batch of each epoch
    epoch: how many epochs are complete, the epoch the next batch comes from
    position: how many batches of the current epoch have been drawn
    """

    STATE_KEYS = ("seed", "epoch", "position", "num_samples", "batch_size", "drop_last", "shuffle")
    SAME_DATA_KEYS = ("num_samples", "batch_size", "drop_last", "shuffle")  # must agree to resume
    samples = "samples"  # what the rows are, for messages

    def __init__(self, arrays, batch_size, seed=None, shuffle=True, drop_last=False):
        name = type(self).__name__
        self.single = not isinstance(arrays, (tuple, list))
        self.arrays = [arrays] if self.single else list(arrays)
        if not self.arrays or any(not hasattr(array, "shape") or array.ndim < 1 for array in self.arrays):
            raise ValueError(f"{name}: expected an array (N, ...) or a tuple of them, "
                             f"got {type(arrays).__name__}")
        lengths = {len(array) for array in self.arrays}
        if len(lengths) != 1:
            raise ValueError(f"{name}: the arrays must have the same length, got {[len(a) for a in self.arrays]}")
        self.num_samples = lengths.pop()
        if not isinstance(batch_size, Integral) or batch_size < 1:
            raise ValueError(f"{name}: expected batch_size to be a positive integer, got {batch_size!r}")
        if batch_size > self.num_samples:
            raise ValueError(
                f"{name}: batch_size {batch_size} is larger than the dataset ({self.num_samples} {self.samples}); "
                f"use a batch size of at most {self.num_samples}"
            )
        if seed is None:
            seed = int(default_generator().integers(2**63))
        if not isinstance(seed, Integral) or seed < 0:
            raise ValueError(f"{name}: expected seed to be an integer >= 0, got {seed!r}")
        self.batch_size = int(batch_size)
        self.seed = int(seed)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        full_batches, remainder = divmod(self.num_samples, self.batch_size)
        self.batches_per_epoch = full_batches + (1 if remainder and not self.drop_last else 0)
        self.epoch = 0
        self.position = 0
        self._order = self._permutation(self.epoch)

    def _permutation(self, epoch):
        """The order in which epoch `epoch` visits the samples: (N,) indices."""
        if not self.shuffle:
            return np.arange(self.num_samples)
        return np.random.default_rng([self.seed, epoch]).permutation(self.num_samples)

    def next_batch(self, backend="numpy", dtype=None):
        """The next batch on `backend`, each array cast to `dtype` if given (else its own dtype).

        After the last batch of an epoch, `epoch` goes up by one and the samples are reshuffled.
        """
        start = self.position * self.batch_size
        rows = self._order[start:start + self.batch_size]
        self.position += 1
        if self.position == self.batches_per_epoch:
            self.epoch += 1
            self.position = 0
            self._order = self._permutation(self.epoch)
        batch = [to_backend(array[rows], backend, dtype) for array in self.arrays]  # a copy, then moved and cast
        return batch[0] if self.single else tuple(batch)

    def __iter__(self):
        """The rest of the current epoch's batches, on NumPy: `for batch in loader` is one epoch."""
        epoch = self.epoch
        while self.epoch == epoch:
            yield self.next_batch()

    def __len__(self):
        return self.batches_per_epoch

    def to(self, backend):
        """Keep the arrays on `backend` (a GPU), uploaded once: every batch is then cut there,
        with no host-to-device copy per step. Returns self."""
        self.arrays = [to_backend(array, backend) for array in self.arrays]
        return self

    def state_dict(self):
        """Where the loader stands, as plain integers: enough for `load_state_dict` to resume exactly."""
        return {key: int(getattr(self, key)) for key in self.STATE_KEYS}

    def load_state_dict(self, state):
        """Continue from a `state_dict()`, taken from a loader over the same number of samples and batch size.

        Accepts the integers as Python ints or 0-d arrays (as read back from an .npz).
        """
        name = type(self).__name__
        missing = [key for key in self.STATE_KEYS if key not in state]
        if missing:
            raise ValueError(
                f"{name}.load_state_dict: the state lacks {', '.join(missing)}; expected {', '.join(self.STATE_KEYS)}"
            )
        for key in self.SAME_DATA_KEYS:
            if int(state[key]) != int(getattr(self, key)):
                raise ValueError(
                    f"{name}.load_state_dict: the state was saved with {key}={int(state[key])}, this loader has "
                    f"{key}={int(getattr(self, key))}; resume with the same dataset and batch size"
                )
        position = int(state["position"])
        if not 0 <= position < self.batches_per_epoch:
            raise ValueError(
                f"{name}.load_state_dict: expected position in [0, {self.batches_per_epoch}), got {position}"
            )
        self.seed = int(state["seed"])
        self.epoch = int(state["epoch"])
        self.position = position
        self._order = self._permutation(self.epoch)


class BatchLoader(ArrayLoader):
    """Batches of uint8 images (N, C, H, W), reshuffled every epoch, scaled to [-1, 1] floats.

    drop_last defaults to True here, as in the DCGAN tutorial. Its state dict names the
    dataset's size num_images.
    """

    STATE_KEYS = ("seed", "epoch", "position", "num_images", "batch_size", "drop_last")
    SAME_DATA_KEYS = ("num_images", "batch_size", "drop_last")
    samples = "images"

    def __init__(self, images, batch_size, seed, drop_last=True):
        if getattr(images, "dtype", None) != np.uint8 or images.ndim < 2:
            raise ValueError(f"BatchLoader: expected uint8 images (N, C, H, W), got {getattr(images, 'dtype', None)} "
                             f"{getattr(images, 'shape', type(images).__name__)}")
        if seed is None:
            raise ValueError("BatchLoader: expected seed to be an integer >= 0, got None")
        super().__init__(images, batch_size, seed=seed, shuffle=True, drop_last=drop_last)

    @property
    def images(self):
        """The uint8 images (N, C, H, W) that batches are cut from."""
        return self.arrays[0]

    @property
    def num_images(self):
        """N, the number of images (the state dict's name for num_samples)."""
        return self.num_samples

    def next_batch(self, backend="numpy", dtype=np.float32):
        """The next batch, (batch_size, C, H, W) on `backend` in `dtype`, scaled to [-1, 1].

        After the last batch of an epoch, `epoch` goes up by one and the images are reshuffled.
        """
        batch = super().next_batch(backend, dtype)  # moves the uint8 bytes (if not there yet), then casts
        batch /= 127.5  # x / 127.5 - 1: 0 -> -1.0, 255 -> 1.0
        batch -= 1.0
        return batch
